"""Tests for portal.pdf, the one place the portal turns HTML into PDF.

Letters and invoices carry text customers typed, so besides "the letter reads right" these tests prove
that nothing in a template or in a customer's text makes WeasyPrint read a file or call a URL: every
forbidden URL is served by something that would notice (a real HTTP server counting requests, a real
PNG on disk) and the PDF is checked for embedded images.
"""

import base64
import io
import subprocess
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string
from PIL import Image
from pypdf import PdfReader
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from portal.company import COMPANY
from portal.pdf import BASE_URL, RefusedURL, StaticOnlyFetcher, html_to_pdf, render_pdf

# 14:00 UTC is 14:00 or 15:00 in London: the same calendar day either way.
LETTER_DATE = datetime(2026, 3, 12, 14, 0, tzinfo=UTC)


def pdf_text(pdf):
    """The text a reader sees in the PDF, as poppler extracts it."""
    result = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    return result.stdout.decode()


def image_count(pdf):
    return sum(len(page.images) for page in PdfReader(io.BytesIO(pdf)).pages)


def attachment_count(pdf):
    """Files embedded in the PDF: document attachments and file-attachment annotations on pages."""
    reader = PdfReader(io.BytesIO(pdf))
    annotations = [annotation.get_object() for page in reader.pages for annotation in page.get("/Annots", [])]
    return len(reader.attachments) + sum(a.get("/Subtype") == "/FileAttachment" for a in annotations)


def png_bytes(colour=(200, 30, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), colour).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def http_server():
    """A real HTTP server on 127.0.0.1 that serves a PNG to anyone and counts who asked."""
    image = png_bytes()
    requests = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(image)))
            self.end_headers()
            self.wfile.write(image)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.requests = requests
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def letter_context(**overrides):
    return {
        "company": COMPANY,
        "to_name": "Carol Baker",
        "address_lines": ["Carol's Bakery Ltd", "3 High Street", "Maidstone", "Kent", "ME14 1AB"],
        "subject": "Welcome to 121 Communications",
        "date": LETTER_DATE,
        "customer": {"username": "carolsbakery"},
        **overrides,
    }


def test_a_letter_renders_to_a_pdf_with_the_name_address_and_date():
    pdf = render_pdf("letters/accounts/welcome.html", letter_context())

    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    for expected in [
        "Carol Baker",
        "Carol's Bakery Ltd",
        "3 High Street",
        "Maidstone",
        "ME14 1AB",
        "12 March 2026",
        "Welcome to 121 Communications",
        "carolsbakery",
    ]:
        assert expected in text
    # The letterhead: who it is from and how to call us.
    assert "4 Firmin Avenue" in text and "01622 474730" in text


def test_the_print_stylesheet_puts_the_page_footer_on_every_page():
    # print.css's @page footer is only there when the stylesheet was found and applied.
    pdf = render_pdf("letters/portal/code_copy.html", letter_context(subject="The Code of Practice"))

    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    text = " ".join(pdf_text(pdf).split())  # the footer may wrap
    assert pages > 1
    assert f"Page 1 of {pages}" in text
    assert f"Page {pages} of {pages}" in text


class RecordingFetcher(StaticOnlyFetcher):
    """The portal's fetcher, also noting what it served."""

    def __init__(self):
        super().__init__()
        self.served = []

    def fetch(self, url, headers=None):
        response = super().fetch(url, headers)
        self.served.append(url)
        return response


def test_a_template_linking_the_portals_own_stylesheet_fetches_it_from_static_files():
    html = Template(
        "{% load static %}<html><head><link rel='stylesheet' href=\"{% static 'portal/site.css' %}\"></head>"
        "<body><address>4 Firmin Avenue\nMaidstone</address></body></html>"
    ).render(Context())
    fetcher = RecordingFetcher()

    pdf = html_to_pdf(html, fetcher=fetcher)

    assert fetcher.refused == []
    assert fetcher.served == [BASE_URL + "static/portal/site.css"]
    # site.css sets `address { white-space: pre-line }`: the two address lines stay on two lines.
    lines = [line.strip() for line in pdf_text(pdf).splitlines() if line.strip()]
    assert "4 Firmin Avenue" in lines and "Maidstone" in lines


def test_a_pdf_fetches_nothing_from_disk_network_or_data_urls(http_server, tmp_path):
    secret_png = tmp_path / "secret.png"
    secret_png.write_bytes(png_bytes((10, 200, 10)))
    data_png = base64.b64encode(png_bytes((10, 10, 200))).decode()
    html = f"""<html><head>
      <link rel="stylesheet" href="file:///etc/passwd">
      <link rel="stylesheet" href="{http_server.url}/evil.css">
    </head><body>
      <p>Dear customer</p>
      <img src="file:///etc/passwd">
      <img src="{http_server.url}/secret.png">
      <img src="data:image/png;base64,{data_png}">
      <img src="/static/../../../etc/passwd">
      <img src="https://portal-static.invalid/static/../../etc/hosts">
      <img src="{secret_png.as_uri()}">
      <div style="background: url('{http_server.url}/background.png')">x</div>
    </body></html>"""
    fetcher = StaticOnlyFetcher()

    pdf = html_to_pdf(html, fetcher=fetcher)

    assert pdf.startswith(b"%PDF")
    assert "Dear customer" in pdf_text(pdf)
    assert http_server.requests == []
    assert image_count(pdf) == 0
    refused = " ".join(fetcher.refused)
    for url_part in [
        "file:///etc/passwd",
        f"{http_server.url}/secret.png",
        f"{http_server.url}/evil.css",
        f"{http_server.url}/background.png",
        "data:image/png",
        "etc/hosts",
        secret_png.as_uri(),
    ]:
        assert url_part in refused
    # /static/../../../etc/passwd resolves to https://portal-static.invalid/etc/passwd, also refused.
    assert sum("etc/passwd" in url for url in fetcher.refused) == 3  # stylesheet, file:// image, /static/..


def test_a_pdf_attaches_no_file_and_loads_no_font_stylesheet_or_svg_image_from_outside(http_server):
    # WeasyPrint embeds files named by rel="attachment" links in the PDF: /etc/passwd must not become one.
    html = f"""<html><head>
      <style>@import url("{http_server.url}/import.css");
             @font-face {{ font-family: Leaky; src: url("{http_server.url}/font.woff"); }}
             p {{ font-family: Leaky; }}</style>
      <link rel="attachment" href="{http_server.url}/attached.txt">
    </head><body>
      <p>Dear customer</p>
      <a rel="attachment" href="file:///etc/passwd">Your file</a>
      <object data="{http_server.url}/object.png"></object>
      <embed src="{http_server.url}/embed.png">
      <svg width="20" height="20"><image href="{http_server.url}/svg-image.png" width="20" height="20"/></svg>
    </body></html>"""
    fetcher = StaticOnlyFetcher()

    pdf = html_to_pdf(html, fetcher=fetcher)

    assert "Dear customer" in pdf_text(pdf)
    assert http_server.requests == []
    assert attachment_count(pdf) == 0
    assert image_count(pdf) == 0
    assert sorted(fetcher.refused) == sorted(
        [
            f"{http_server.url}/import.css",
            f"{http_server.url}/font.woff",
            f"{http_server.url}/attached.txt",
            "file:///etc/passwd",
            f"{http_server.url}/object.png",
            f"{http_server.url}/embed.png",
            f"{http_server.url}/svg-image.png",
        ]
    )


def test_the_image_check_would_notice_an_image_that_was_fetched(http_server):
    """The control for the tests above: with WeasyPrint's own fetcher the same server, data: image and
    attachment do end up in the PDF, so "0 requests, 0 images, 0 attachments" there means the portal's
    fetcher stopped them."""
    data_png = base64.b64encode(png_bytes()).decode()
    html = (
        f'<p>x</p><img src="{http_server.url}/secret.png"><img src="data:image/png;base64,{data_png}">'
        f'<link rel="attachment" href="{http_server.url}/linked.png">'
        f'<a rel="attachment" href="{http_server.url}/attached.png">file</a>'
    )

    pdf = HTML(string=html, url_fetcher=URLFetcher()).write_pdf()

    assert sorted(http_server.requests) == ["/attached.png", "/linked.png", "/secret.png"]
    assert image_count(pdf) == 2
    assert attachment_count(pdf) == 2


@pytest.mark.parametrize(
    "url",
    [
        "https://portal-static.invalid/static/../../etc/hosts",
        "https://portal-static.invalid/static/portal/../../../../etc/passwd",
        "https://portal-static.invalid/static//etc/passwd",
        "https://portal-static.invalid/static/",
        "https://portal-static.invalid/etc/passwd",
        "https://portal-static.invalid.example.com/static/portal/site.css",
        "http://portal-static.invalid/static/portal/site.css",
        "file:///work/main/portal/assets/portal/site.css",
    ],
)
def test_the_fetcher_refuses_anything_but_a_static_file(url):
    fetcher = StaticOnlyFetcher()

    with pytest.raises(RefusedURL):
        fetcher.fetch(url)

    assert fetcher.refused == [url]


def test_the_fetcher_serves_a_static_stylesheet_as_css():
    fetcher = StaticOnlyFetcher()

    response = fetcher.fetch(BASE_URL + "static/portal/print.css")

    assert response.content_type == "text/css"
    assert b"@page" in response.read()
    assert fetcher.refused == []


def test_html_a_customer_typed_is_printed_as_text_not_obeyed(http_server):
    typed = f'<img src="{http_server.url}/typed.png"><b>Bold?</b>'
    html = render_to_string("letters/accounts/welcome.html", letter_context(to_name=typed))
    fetcher = StaticOnlyFetcher()

    pdf = html_to_pdf(html, fetcher=fetcher)

    text = pdf_text(pdf)
    assert f'<img src="{http_server.url}/typed.png">' in text
    assert "<b>Bold?</b>" in text
    assert http_server.requests == []
    assert fetcher.refused == []  # it never even became a URL to fetch
    assert image_count(pdf) == 0
