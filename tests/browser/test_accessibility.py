"""Every customer page, and every admin page each staff group works in, checked in real Chromium with
axe-core against WCAG 2.0, 2.1 and 2.2 A and AA, at a laptop's width (1280 px) and a phone's (390 px);
and no customer page is wider than a phone's screen.

The pages come from the URLconf: `PAGES` says, for every customer URL name, how to open it with the demo's
data (or why it is not a page: a POST, a download). A URL added without a line here fails
`test_every_customer_url_is_checked_here`, so a new page cannot be forgotten. The admin pages are every
list (and its first record) each group may view, found from the admin's registry and the group's rights.

axe-core comes from npm (package.json; `npm ci`, run by .ci/run), never a CDN. The portal's
Content-Security-Policy allows only its own scripts, so `page.add_script_tag(path=...)` (an inline
<script>) is refused by the browser; the file's text is run with `page.evaluate`, which Chromium's
DevTools protocol runs outside the page's policy. The policy itself stays on, as customers get it.
"""

from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.tokens import default_token_generator
from django.test import RequestFactory
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts import services as account_services
from accounts.models import User
from complaints.models import Complaint
from faults.models import Fault
from orders import services as order_services
from orders.models import CancellationChannel, Order, Product, Service
from portal import clock, demo
from tests.browser.test_every_customer_form import customer_urls
from tests.orders.conftest import products  # noqa: F401  (the catalogue: transactional tests empty it)
from tests.orders.helpers import hold

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
RULE_SETS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
WIDTHS = [1280, 390]

# Every customer URL name: how to open it (a function of the demo's records giving the URL), or why it is
# not a page anyone looks at (it only takes a POST from a form on another page, or answers with a file).
NOT_A_PAGE = {
    "accounts:logout": "POST only: the menu's Log out button",
    "accounts:export_download": "a download (the data export's JSON file)",
    "billing:invoice_pdf": "a download (the invoice's PDF)",
    "billing:credit_note_pdf": "a download (the credit note's PDF)",
    "complaints:complaint_message": "POST only: the complaint page's message form",
    "complaints:complaint_reopen": "POST only: the complaint page's reopen button",
    "faults:fault_message": "POST only: the fault page's message form",
    "faults:slot_accept": "POST only: the fault page's accept buttons",
    "faults:slots_decline": "POST only: the fault page's decline form",
    "orders:cancellation_withdraw": "POST only: the service page's withdraw button",
    "portal:policy": "staff only (checked with the admin pages)",
    "health": "for monitoring, not people",
    "health_web": "for load balancers, not people",
}
ANONYMOUS = {
    "portal:home": lambda d: "/",
    "portal:code_of_practice": lambda d: reverse("portal:code_of_practice"),
    "portal:code_copy": lambda d: reverse("portal:code_copy"),
    "portal:contact": lambda d: reverse("portal:contact"),
    "portal:privacy": lambda d: reverse("portal:privacy"),
    "accounts:register": lambda d: reverse("accounts:register"),
    "accounts:register_sent": lambda d: reverse("accounts:register_sent"),
    "accounts:register_confirm": lambda d: reverse("accounts:register_confirm", args=[d["registration_token"]]),
    "accounts:login": lambda d: reverse("accounts:login"),
    "accounts:password_reset": lambda d: reverse("accounts:password_reset"),
    "accounts:password_reset_done": lambda d: reverse("accounts:password_reset_done"),
    "accounts:password_reset_confirm": lambda d: reverse(
        "accounts:password_reset_confirm", args=[d["uidb64"], d["reset_token"]]
    ),
    "accounts:password_reset_complete": lambda d: reverse("accounts:password_reset_complete"),
}
LOGGED_IN = {
    "portal:home": lambda d: "/",
    "portal:code_of_practice": lambda d: reverse("portal:code_of_practice"),
    "portal:contact": lambda d: reverse("portal:contact"),
    "accounts:dashboard": lambda d: reverse("accounts:dashboard"),
    "accounts:details": lambda d: reverse("accounts:details"),
    "accounts:marketing": lambda d: reverse("accounts:marketing"),
    "accounts:export": lambda d: reverse("accounts:export"),
    "accounts:password_change": lambda d: reverse("accounts:password_change"),
    "orders:catalogue": lambda d: reverse("orders:catalogue"),
    "orders:price_list": lambda d: reverse("orders:price_list"),
    "orders:order_create": lambda d: reverse("orders:order_create", args=[d["fttc"]]),
    "orders:quote_request": lambda d: reverse("orders:quote_request", args=[d["leased_line"]]),
    "orders:order_list": lambda d: reverse("orders:order_list"),
    "orders:order_detail": lambda d: reverse("orders:order_detail", args=[d["order"]]),
    "orders:service_list": lambda d: reverse("orders:service_list"),
    "orders:service_detail": lambda d: reverse("orders:service_detail", args=[d["service"]]),
    "orders:service_detail (cancelling)": lambda d: reverse("orders:service_detail", args=[d["cancelling"]]),
    "orders:service_cancel": lambda d: reverse("orders:service_cancel", args=[d["service"]]),
    "complaints:complaint_list": lambda d: reverse("complaints:complaint_list"),
    "complaints:complaint_create": lambda d: reverse("complaints:complaint_create"),
    "complaints:complaint_detail": lambda d: reverse("complaints:complaint_detail", args=[d["complaint"]]),
    "faults:fault_list": lambda d: reverse("faults:fault_list"),
    "billing:invoice_list": lambda d: reverse("billing:invoice_list"),
    "faults:fault_report": lambda d: reverse("faults:fault_report", args=[d["service"]]),
    "faults:fault_detail": lambda d: reverse("faults:fault_detail", args=[d["fault"]]),
}


def _base(name):
    return name.split(" (")[0]


def test_every_customer_url_is_checked_here():
    named = {name for name, _ in customer_urls()}
    covered = set(NOT_A_PAGE) | {_base(n) for n in ANONYMOUS} | {_base(n) for n in LOGGED_IN}
    assert named - covered == set(), "Customer URLs with no line in PAGES of this file: say how to open them"
    assert covered - named == set(), "Lines here for URLs that no longer exist"


@pytest.fixture
def demo_records(products):
    """The demo's records (make run), and a cancelling service, named for the tables above."""
    demo.load()
    alice = User.objects.get(username="alice")
    sam = User.objects.get(username="sam")
    line = hold(alice, Product.objects.get(code="pstn"), start=date(2026, 1, 5), by=sam)
    order_services.cancellation_request(
        service=line,
        channel=CancellationChannel.PORTAL,
        received_at=clock.now(),
        recorded_by=alice,
        quoted_username="alice",
    )
    pending = account_services.registration_start(
        username="gina",
        password="Gina-s3cret-pass",
        email="gina@example.co.uk",
        details={"full_name": "Gina Green", "address": "7 Church Road\nMaidstone", "postcode": "ME15 7AA"},
        marketing_opt_in=False,
        base_url="http://testserver",
    )
    return {
        "alice": alice,
        "service": Service.objects.filter(customer=alice).exclude(pk=line.pk).get().pk,
        "cancelling": line.pk,
        "order": Order.objects.filter(customer=alice).order_by("pk").first().pk,
        "fttc": Product.objects.get(code="fttc").pk,
        "leased_line": Product.objects.get(code="leased-line").pk,
        "complaint": Complaint.objects.filter(customer=alice).get().pk,
        "fault": Fault.objects.filter(service__customer=alice).get().pk,
        "registration_token": account_services.registration_token(pending),
        "uidb64": urlsafe_base64_encode(force_bytes(alice.pk)),
        "reset_token": default_token_generator.make_token(alice),
    }


def admin_pages(user):
    """The staff admin pages `user` works in: the index, every list they may view and its first record."""
    request = RequestFactory().get("/admin/")
    request.user = user
    urls = [reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_view_permission(request):
            continue
        info = model._meta.app_label, model._meta.model_name
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        first = model_admin.get_queryset(request).order_by("pk").first()
        if first is not None:
            urls.append(reverse("admin:{}_{}_change".format(*info), args=[first.pk]))
    return urls


def axe_violations(page):
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    result = page.evaluate(
        # preload: false: axe's preloading of style sheets adds inline <style> elements, which the policy
        # refuses (and the page fixture reports); the rules read the sheets the page already has.
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],"
        " preload: false})"
        ".then(r => r.violations.map(v => v.id + ': ' + v.help + ' -- ' +"
        " v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' ' + (n.failureSummary || '').split('\\n')[1])"
        ".join(' | ')))",
        RULE_SETS,
    )
    return result


def check(page, url, width, problems):
    response = page.goto(url)
    if response.status != 200:
        problems.append(f"{width}px {url}: answered {response.status}")
        return
    for violation in axe_violations(page):
        problems.append(f"{width}px {url}: {violation}")
    scroll_width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if scroll_width > inner:
        problems.append(f"{width}px {url}: {scroll_width} px wide in a {inner} px screen (scrolls sideways)")


def log_in(page, base, username, *, path):
    page.goto(base + path)
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(demo.PASSWORD)
    page.locator("form").get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_passes_axe_and_fits_the_screen(live_server, page, width, demo_records):
    """One browser context per width: the visitor's pages, the lockout page, Alice's pages, then the
    admin of each staff group in turn (and the staff policy page)."""
    page.set_viewport_size({"width": width, "height": 800})
    base, problems = live_server.url, []
    for url in ANONYMOUS.values():
        check(page, base + url(demo_records), width, problems)

    # The lockout page (django-axes), as a visitor sees it after too many wrong passwords.
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        page.goto(base + reverse("accounts:login"))
        page.locator("#id_username").fill("nobody")
        page.locator("#id_password").fill("wrong-password")
        page.locator("form").get_by_role("button", name="Log in").click()
    assert "Too many" in page.content()
    for violation in axe_violations(page):
        problems.append(f"{width}px lockout page: {violation}")

    log_in(page, base, "alice", path=reverse("accounts:login"))
    for url in LOGGED_IN.values():
        check(page, base + url(demo_records), width, problems)
    page.context.clear_cookies()

    checked = set()  # a page two groups share is checked once, as the first group sees it
    for username in ["sam", "ann", "eric"]:
        log_in(page, base, username, path=reverse("admin:login"))
        for url in admin_pages(User.objects.get(username=username)):
            if url not in checked:
                checked.add(url)
                check(page, base + url, width, problems)
        if username == "sam":
            check(page, base + reverse("portal:policy"), width, problems)
        page.context.clear_cookies()
    assert problems == [], f"{len(problems)} problems:\n  " + "\n  ".join(problems)


def test_axe_finds_a_violation_where_there_is_one(live_server, page):
    """The check can fail: an image without a text alternative, put into a real page, is reported."""
    page.goto(live_server.url + "/")
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=\"/x.png\">')")
    assert any(v.startswith("image-alt") for v in axe_violations(page))
