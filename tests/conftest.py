"""Named personas used across the suite, each with a reason to exist."""

import os
import shutil

import pytest

from accounts.groups import ACCOUNTS, CUSTOMER_SERVICES, ENGINEERS
from accounts.models import Correspondence, CustomerType
from tests.factories import PASSWORD, CustomerFactory, StaffFactory
from tests.worker import celery_worker, real_broker  # noqa: F401  (a real Celery worker for any test)

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def alice(db):
    """A residential customer who deals with us by email: the usual case."""
    return CustomerFactory(
        username="alice",
        full_name="Alice Archer",
        email="alice@example.co.uk",
        address="12 Orchard Way\nBoughton Monchelsea\nMaidstone\nKent",
        postcode="ME17 4AA",
    )


@pytest.fixture
def bob(db):
    """Another customer: everything of Alice's must stay out of his reach, and his out of hers."""
    return CustomerFactory(username="bob", full_name="Bob Brown", email="bob@example.co.uk")


@pytest.fixture
def carol(db):
    """A business customer with no email address: everything we send her is a letter."""
    return CustomerFactory(
        username="carolsbakery",
        full_name="Carol Baker",
        company_name="Carol's Bakery Ltd",
        email="",
        customer_type=CustomerType.BUSINESS,
        correspondence=Correspondence.POST,
        address="3 High Street\nMaidstone\nKent",
        postcode="ME14 1AB",
    )


@pytest.fixture
def sam(db):
    """Customer services: records calls and letters, runs the print queue."""
    return StaffFactory(username="sam", full_name="Sam Service", group=CUSTOMER_SERVICES)


@pytest.fixture
def ann(db):
    """The accounts team."""
    return StaffFactory(username="ann", full_name="Ann Accounts", group=ACCOUNTS)


@pytest.fixture
def eric(db):
    """An engineer: sees customers, may not change them."""
    return StaffFactory(username="eric", full_name="Eric Engineer", group=ENGINEERS)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run on-commit callbacks (such as queueing an outbox message) as a real commit would."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Browser tests drive Debian's Chromium (not a downloaded build) through Playwright."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: `apt-get install chromium` (.ci/run does).")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture
def page(page, monkeypatch):
    """Playwright's page, which fails the test at teardown if any page it opened reported a
    Content-Security-Policy violation (a blocked inline script or style, a blocked file) in its console
    or as an error. Pages the test opens itself (browser.new_page(), popups) are watched too."""
    page.set_default_timeout(15_000)
    violations = []

    def watch(watched):
        def on_console(message):
            if "Content Security Policy" in message.text:
                violations.append(f"{watched.url}: {message.text}")

        def on_error(error):
            if "Content Security Policy" in str(error):
                violations.append(f"{watched.url}: {error}")

        watched.on("console", on_console)
        watched.on("pageerror", on_error)

    watch(page)
    page.context.on("page", watch)
    browser = page.context.browser
    new_page, new_context = browser.new_page, browser.new_context

    def watched_new_page(*args, **kwargs):
        opened = new_page(*args, **kwargs)
        watch(opened)
        return opened

    def watched_new_context(*args, **kwargs):
        context = new_context(*args, **kwargs)
        context.on("page", watch)
        return context

    monkeypatch.setattr(browser, "new_page", watched_new_page)
    monkeypatch.setattr(browser, "new_context", watched_new_context)
    yield page
    if violations:
        pytest.fail("Content-Security-Policy violations in the browser:\n  " + "\n  ".join(violations))


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A desktop screen wide enough for the full navigation bar (narrower screens get the menu button,
    which test_the_portal_is_usable_on_a_phone_sized_screen covers)."""
    return {**browser_context_args, "viewport": {"width": 1440, "height": 900}}
