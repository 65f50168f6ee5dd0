"""Render an HTML template to PDF bytes with WeasyPrint: the one place the portal makes PDFs.

Letters and invoices carry text customers typed. The URL fetcher below serves only the portal's own
static files and refuses everything else (file://, http(s)://, data:), so nothing in a template or a
customer's text can make a PDF read a file from disk or call a URL.
"""

import logging
import posixpath
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

# Relative and /static/ URLs in templates resolve against this base. The .invalid domain can never
# resolve (RFC 2606), and the fetcher answers it from disk without any network access.
BASE_URL = "https://portal-static.invalid/"


class RefusedURL(Exception):
    pass


def static_path_for(url):
    """The file on disk for one of our static URLs, or None for anything else."""
    static_prefix = BASE_URL + settings.STATIC_URL.lstrip("/")
    if not url.startswith(static_prefix):
        return None
    relative = url[len(static_prefix) :].split("?", 1)[0].split("#", 1)[0]
    relative = posixpath.normpath(relative)
    if relative.startswith(("..", "/")) or relative == ".":
        return None
    found = finders.find(relative)
    if found is None and settings.STATIC_ROOT:
        candidate = Path(settings.STATIC_ROOT) / relative
        found = str(candidate) if candidate.is_file() else None
    return found


class StaticOnlyFetcher(URLFetcher):
    """Serves the portal's static files; every other URL is refused and logged."""

    def __init__(self):
        super().__init__()
        self.refused = []

    def fetch(self, url, headers=None):
        path = static_path_for(url)
        if path is None:
            self.refused.append(url)
            logger.warning("PDF rendering refused to fetch %s", url[:200])
            raise RefusedURL(f"Only the portal's own static files may be used in a PDF, not {url[:80]}")
        mimetype = "text/css" if path.endswith(".css") else None
        with open(path, "rb") as handle:
            body = handle.read()
        return URLFetcherResponse(url, body=body, headers={"Content-Type": mimetype} if mimetype else None)


@lru_cache(maxsize=1)
def _font_config():
    # Kept for the life of the worker process: building it is most of a render's start-up cost.
    return FontConfiguration()


@lru_cache(maxsize=8)
def _stylesheet(static_name):
    path = finders.find(static_name)
    if path is None:
        raise FileNotFoundError(f"Static stylesheet {static_name} not found")
    return CSS(filename=path, font_config=_font_config(), url_fetcher=StaticOnlyFetcher())


def html_to_pdf(html, *, stylesheets=("portal/print.css",), fetcher=None):
    fetcher = fetcher or StaticOnlyFetcher()
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[_stylesheet(name) for name in stylesheets], font_config=_font_config())


def render_pdf(template_name, context, *, stylesheets=("portal/print.css",)):
    """Render a Django template to PDF bytes."""
    return html_to_pdf(render_to_string(template_name, context), stylesheets=stylesheets)
