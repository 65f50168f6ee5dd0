"""Settings for the page benchmark only: the portal's own settings (production-like when DEBUG=false is set,
as bench/pages.py does), plus the anchor page's URL. Production never loads this module."""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]  # noqa: F405
