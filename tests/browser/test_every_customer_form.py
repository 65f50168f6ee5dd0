"""Every form a visitor or customer can submit, submitted through its own button in real Chromium, with
what it did seen on the next page.

A form that posts to the wrong place (the complaint page's "Send message" once posted to the page
itself, which dropped the message without a word) passes every test that posts straight to a URL; only
submitting the form as a person does finds it. So:

- `test_every_customer_form_in_the_templates_is_submitted_here` lists the forms of the customer
  templates and fails when one is added (or goes) without this file following;
- the journeys below submit each of them with its button and check the page that follows;
- `test_no_customer_page_drops_a_post_without_a_word` posts to every customer URL: a POST is taken
  (a redirect, a download, a form with its errors) or refused (4xx), never answered with a page as if
  nothing had been sent.
"""

import json
import re
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import expect

from accounts.models import MarketingConsent, User
from complaints import services as complaint_services
from complaints.models import Complaint, ComplaintEvent, EventKind, Status
from faults.models import EventKind as FaultEventKind
from faults.models import Fault, SlotStatus, VisitSlot
from orders import services as order_services
from orders.models import (
    Cancellation,
    CancellationChannel,
    CancellationStatus,
    Order,
    QuoteRequest,
    Service,
)
from portal import clock
from portal.models import CodeCopyRequest, OutboxMessage
from tests.billing.ledger_helpers import issued_invoice
from tests.billing.page_helpers import credit_note
from tests.browser.helpers import log_in
from tests.faults.helpers import investigating, make_service, offer, report
from tests.helpers import ldn
from tests.orders.conftest import products  # noqa: F401  (the catalogue: transactional tests empty it)
from tests.orders.helpers import hold

TEMPLATES = Path(settings.BASE_DIR) / "templates"

# The journeys below, by the name of their test.
ACCOUNT = "test_a_visitor_registers_logs_out_logs_in_and_resets_her_password"
PUBLIC = "test_a_visitor_asks_for_the_code_by_email_and_by_post_and_for_the_price_list"
DETAILS = "test_a_customer_keeps_her_account_up_to_date_and_downloads_her_data"
ORDERS = "test_a_customer_orders_asks_for_a_quote_changes_her_service_and_cancels_it"
REPORT = "test_a_customer_reports_faults_through_their_checks"
FAULT = "test_a_customer_adds_to_her_fault_declines_the_visit_times_and_accepts_new_ones"
COMPLAINT = "test_a_customer_complains_adds_a_message_and_reopens_her_complaint"
DATABASE_GONE = "test_a_customer_told_nothing_was_saved_sends_her_answer_again_and_keeps_the_ones_before"

# Every form of a customer-facing template: (template, form) -> the journey here that submits it with its
# button. A form is named by where its action points ("this page" when it has none) or, for a crispy
# form whose action its form class sets, by the crispy tag.
COVERED = {
    ("base.html", "accounts:logout"): ACCOUNT,
    ("accounts/register.html", "{% crispy form %}"): ACCOUNT,
    ("accounts/register_confirm.html", "this page"): ACCOUNT,
    ("accounts/login.html", "{% crispy form %}"): ACCOUNT,
    ("accounts/password_reset.html", "this page"): ACCOUNT,
    # The new password chosen from the emailed link, and the password changed in the account.
    ("accounts/form_page.html", "this page"): ACCOUNT,
    ("portal/code_copy.html", "{% crispy form %}"): PUBLIC,
    ("orders/price_list.html", "{% crispy form %}"): PUBLIC,
    ("accounts/details.html", "{% crispy form %}"): DETAILS,
    ("accounts/marketing.html", "{% crispy form %}"): DETAILS,
    ("accounts/export.html", "accounts:export_download"): DETAILS,
    ("orders/order_form.html", "{% crispy form %}"): ORDERS,
    ("orders/quote_form.html", "{% crispy form %}"): ORDERS,
    ("orders/service_detail.html", "{% crispy form %}"): ORDERS,
    ("orders/service_cancel.html", "{% crispy form %}"): ORDERS,
    ("orders/service_detail.html", "orders:cancellation_withdraw"): ORDERS,
    # Three forms: a yes/no check (and "that fixed it"), a check answered in words, the description.
    ("faults/report.html", "this page"): REPORT,
    ("faults/detail.html", "{% crispy form %}"): FAULT,
    ("faults/detail.html", "{% crispy decline_form %}"): FAULT,
    ("faults/detail.html", "faults:slot_accept"): FAULT,
    ("complaints/new.html", "{% crispy form %}"): COMPLAINT,
    ("complaints/detail.html", "{% crispy form %}"): COMPLAINT,
    ("complaints/detail.html", "{% crispy reopen_form %}"): COMPLAINT,
    # "Send it again", on the page of a request the database could not serve.
    ("portal/database_unavailable.html", "this page"): DATABASE_GONE,
}
FORMS_PER_TEMPLATE = {("faults/report.html", "this page"): 3}


def staff_template(path):
    """Templates only staff see (the admin's), or that are never a page (emails, letters)."""
    parts = path.relative_to(TEMPLATES).parts
    return parts[0] in ("emails", "letters") or "admin" in parts


def forms_in_templates():
    """Counter of (template, form) for every form in the customer-facing templates."""
    found = Counter()
    for path in sorted(TEMPLATES.rglob("*.html")):
        if staff_template(path):
            continue
        name = str(path.relative_to(TEMPLATES))
        text = path.read_text()
        for tag in re.findall(r"<form\b[^>]*>", text):
            action = re.search(r"""action="\{%\s*url\s+['"]([^'"]+)['"]""", tag)
            found[(name, action.group(1) if action else "this page")] += 1
        for variable in re.findall(r"{%\s*crispy\s+(\w+)\s*%}", text):
            found[(name, f"{{% crispy {variable} %}}")] += 1
    return found


def test_every_customer_form_in_the_templates_is_submitted_here():
    found = forms_in_templates()
    expected = Counter({key: FORMS_PER_TEMPLATE.get(key, 1) for key in COVERED})

    assert found == expected, (
        "A customer-facing form is not submitted through its button by this file (or one listed here has "
        f"gone): not covered {sorted((found - expected).elements())}, gone {sorted((expected - found).elements())}"
    )
    journeys = {name for name in globals() if name.startswith("test_")}
    assert set(COVERED.values()) <= journeys


# --- The journeys -----------------------------------------------------------------------------------


def alert(page):
    return page.get_by_role("alert")


def heading(page):
    return page.get_by_role("heading", level=1)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_visitor_registers_logs_out_logs_in_and_resets_her_password(live_server, page):
    url = live_server.url
    page.goto(url + reverse("accounts:register"))
    page.get_by_label("Account username").fill("hana")
    page.get_by_label("Full name").fill("Hana Hill")
    page.get_by_label("Email address").fill("hana@example.co.uk")
    page.get_by_label("Postal address").fill("9 Mill Lane\nMaidstone\nKent")
    page.get_by_label("Postcode").fill("ME15 6AA")
    page.locator("#id_password1").fill("Hana-s3cret-pass")
    page.locator("#id_password2").fill("Hana-s3cret-pass")
    page.get_by_role("button", name="Create my account").click()
    expect(heading(page)).to_have_text("Check your email")
    [confirmation] = [m for m in mail.outbox if "/account/register/finish/" in m.body]
    page.goto(re.search(r"https?://\S+/account/register/finish/\S+/", confirmation.body).group(0))
    page.get_by_label("Your password").fill("Hana-s3cret-pass")
    page.get_by_role("button", name="Finish creating my account").click()
    expect(heading(page)).to_have_text("Hello, Hana")
    assert User.objects.filter(username="hana", email="hana@example.co.uk").exists()

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Log in")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)

    page.goto(url + reverse("accounts:login"))
    page.get_by_label("Account username or email").fill("hana")
    page.locator("#id_password").fill("Hana-s3cret-pass")
    page.get_by_role("button", name="Log in").click()
    expect(heading(page)).to_have_text("Hello, Hana")

    # Changing her password in the account (form_page.html).
    page.goto(url + reverse("accounts:password_change"))
    page.locator("#id_old_password").fill("Hana-s3cret-pass")
    page.locator("#id_new_password1").fill("Hana-new-pass-2")
    page.locator("#id_new_password2").fill("Hana-new-pass-2")
    page.get_by_role("button", name="Change my password").click()
    expect(alert(page)).to_contain_text("Your password is changed.")
    page.get_by_role("button", name="Log out").click()

    # Forgotten: a reset link by email, then a new password chosen from it (form_page.html again).
    page.goto(url + reverse("accounts:login"))
    page.get_by_role("link", name="Forgotten your password?").click()
    page.get_by_label("Email").fill("hana@example.co.uk")
    page.get_by_role("button", name="Email me a link").click()
    expect(heading(page)).to_have_text("Check your email")
    [reset] = [m for m in mail.outbox if m.subject == "Reset your 121 Communications password"]
    link = re.search(r"https?://\S+/account/password/reset/\S+/", reset.body).group(0)
    page.goto(link)
    expect(heading(page)).to_have_text("Choose a new password")
    page.locator("#id_new_password1").fill("Hana-newest-pass-3")
    page.locator("#id_new_password2").fill("Hana-newest-pass-3")
    page.get_by_role("button", name="Save my new password").click()
    expect(heading(page)).to_have_text("Your password is changed")
    log_in(page, url, "hana@example.co.uk", "Hana-newest-pass-3")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_visitor_asks_for_the_code_by_email_and_by_post_and_for_the_price_list(live_server, page, products):
    url = live_server.url
    page.goto(url + reverse("portal:code_copy"))
    page.get_by_label("Your name").fill("Ivy Irons")
    page.get_by_label("By email").check()
    page.get_by_role("textbox", name="Email").fill("ivy@example.co.uk")
    page.get_by_role("button", name="Send me a copy").click()
    expect(alert(page)).to_contain_text("Thank you. We are emailing the Code of Practice to ivy@example.co.uk.")
    expect(heading(page)).to_contain_text("Code of Practice")

    page.goto(url + reverse("portal:code_copy"))
    page.get_by_label("Your name").fill("Jack Jones")
    page.get_by_label("By post").check()
    page.get_by_label("Postal address").fill("2 Bank Street\nMaidstone\nKent")
    page.get_by_label("Postcode").fill("ME14 1AA")
    page.get_by_role("button", name="Send me a copy").click()
    expect(alert(page)).to_contain_text("Thank you. We will post the Code of Practice to you.")
    assert sorted(CodeCopyRequest.objects.values_list("name", "method")) == [
        ("Ivy Irons", "email"),
        ("Jack Jones", "post"),
    ]

    page.goto(url + reverse("orders:price_list"))
    page.get_by_label("Your name").fill("Kit Kemp")
    page.get_by_label("Email address to send the price list to").fill("kit@example.co.uk")
    page.get_by_role("button", name="Email me the price list").click()
    expect(alert(page)).to_contain_text("Thank you. We are emailing our price list to kit@example.co.uk.")
    assert OutboxMessage.objects.filter(kind="price_list", to_email="kit@example.co.uk").exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_customer_keeps_her_account_up_to_date_and_downloads_her_data(live_server, page, alice, password, tmp_path):
    url = live_server.url
    log_in(page, url, "alice", password)

    page.goto(url + reverse("accounts:details"))
    page.get_by_label("Phone").fill("07700 900555")
    page.get_by_role("button", name="Save my details").click()
    expect(alert(page)).to_contain_text("Your details are saved.")
    expect(page.get_by_label("Phone")).to_have_value("07700 900555")

    page.goto(url + reverse("accounts:marketing"))
    page.get_by_label("Yes, send me news and offers").check()
    page.get_by_role("button", name="Save my choice").click()
    expect(alert(page)).to_contain_text("You are opted in to our marketing.")
    page.get_by_label("No marketing, thank you").check()
    page.get_by_role("button", name="Save my choice").click()
    expect(alert(page)).to_contain_text("You are opted out: we will send you no marketing.")
    expect(page.locator("#current-choice")).to_contain_text("opted out")
    assert [c.opted_in for c in MarketingConsent.objects.filter(customer=alice).order_by("at")] == [True, False]

    page.goto(url + reverse("accounts:export"))
    with page.expect_download() as download:
        page.get_by_role("button", name="Download my data (JSON)").click()
    path = tmp_path / "export.json"
    download.value.save_as(path)
    assert json.loads(path.read_text())["account"]["phone"] == "07700 900555"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_customer_orders_asks_for_a_quote_changes_her_service_and_cancels_it(
    live_server, page, alice, sam, password, products
):
    url = live_server.url
    # In its 12-month minimum term, so a cancellation takes effect later and can still be withdrawn.
    held = hold(alice, products["isdn2"], start=timezone.localdate() - timedelta(days=90), by=sam)
    log_in(page, url, "alice", password)

    page.goto(url + reverse("orders:catalogue"))
    page.get_by_role("link", name="Order FTTC fibre broadband").click()
    page.get_by_label("Contact phone").fill("07700 900111")
    page.get_by_role("button", name="Place my order").click()
    order = Order.objects.filter(customer=alice, product__code="fttc").get()
    expect(alert(page)).to_contain_text(f"Thank you: your order {order.reference} is placed.")
    expect(heading(page)).to_contain_text(f"Order {order.reference}")

    page.goto(url + reverse("orders:catalogue"))
    page.get_by_role("link", name="Ask for a quote for Leased line").click()
    page.get_by_label("What you need").fill("100 Mbps to the shop, from March, with a backup line.")
    page.get_by_role("button", name="Ask for a quote").click()
    expect(alert(page)).to_contain_text("we have your request for a Leased line quote")
    assert QuoteRequest.objects.filter(customer=alice, product__code="leased-line").exists()

    # The control panel on the service's page.
    page.goto(url + reverse("orders:service_detail", args=[held.pk]))
    page.get_by_label("Nickname").fill("Shop line")
    page.get_by_role("button", name="Save changes").click()
    expect(alert(page)).to_contain_text("Your changes are saved.")
    assert Service.objects.get(pk=held.pk).nickname == "Shop line"

    # A written cancellation, then withdrawn.
    page.get_by_role("link", name="Cancel this service").click()
    page.get_by_label("Your account username").fill("alice")
    page.get_by_role("button", name="Send my cancellation request").click()
    expect(alert(page)).to_contain_text("You remain liable for its charges until then.")
    expect(page.locator("#cancellation")).to_contain_text("Cancellation requested")
    page.get_by_role("button", name="Withdraw my cancellation and keep this service").click()
    expect(alert(page)).to_contain_text("Your cancellation is withdrawn: your ISDN2 line rental service continues")
    expect(page.locator("#cancellation")).to_have_count(0)
    assert Cancellation.objects.filter(service=held).get().status == CancellationStatus.WITHDRAWN


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_customer_reports_faults_through_their_checks(live_server, page, alice, password, products, monkeypatch):
    url = live_server.url
    monkeypatch.setattr(clock, "now", lambda: ldn(2026, 11, 30, 10, 0))  # a Monday morning
    fttc, pstn, hosting = (make_service(alice, code) for code in ("fttc", "pstn", "shared-hosting"))
    log_in(page, url, "alice", password)

    # Yes or no, four times, then the description.
    page.goto(url + reverse("faults:fault_list"))
    page.get_by_role("link", name="Report a fault on FTTC fibre broadband").click()
    for step in range(1, 5):
        expect(page.locator("#check-step")).to_have_text(f"Check {step} of 4")
        page.get_by_role("button", name="Yes", exact=True).click()
    page.get_by_label("Describe the fault").fill("No broadband since 9pm. The broadband light is red.")
    page.get_by_role("button", name="Report the fault").click()
    fault = Fault.objects.get(service=fttc)
    expect(alert(page)).to_contain_text(f"Your fault {fault.reference} is reported")
    expect(heading(page)).to_have_text(f"Fault {fault.reference}")

    # A check that fixed it.
    page.goto(url + reverse("faults:fault_report", args=[pstn.pk]))
    page.get_by_role("button", name="That fixed it — no need to report").click()
    expect(heading(page)).to_have_text("Good news: no fault reported")
    assert not Fault.objects.filter(service=pstn).exists()

    # A check answered in words.
    page.goto(url + reverse("faults:fault_report", args=[hosting.pk]))
    page.get_by_role("textbox", name="Which website, mailbox or server is affected?").fill("www.orchard-hall.org.uk")
    page.get_by_role("button", name="Next").click()
    expect(page.locator("#check-step")).to_have_text("Check 2 of 3")
    expect(page.locator("#answers-so-far")).to_contain_text("www.orchard-hall.org.uk")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_customer_adds_to_her_fault_declines_the_visit_times_and_accepts_new_ones(
    live_server, page, alice, eric, password, products, monkeypatch
):
    url = live_server.url
    monday = ldn(2026, 11, 30, 10, 0)
    monkeypatch.setattr(clock, "now", lambda: monday)
    fault = report(alice, make_service(alice, "fttc"), at=ldn(2026, 11, 30, 9, 0))
    investigating(fault, eric, at=monday)
    offer(fault, eric, at=monday, slots=[(date(2026, 12, 1), "morning"), (date(2026, 12, 2), "morning")])
    mail.outbox.clear()
    log_in(page, url, "alice", password)
    page.goto(url + reverse("faults:fault_detail", args=[fault.pk]))

    page.get_by_label("Add information").fill("It also drops when the phone rings.")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(alert(page)).to_contain_text(
        "Thank you: your information is added to the fault, and our engineers are told."
    )
    expect(page.locator(".timeline")).to_contain_text("It also drops when the phone rings.")
    assert [m.subject for m in mail.outbox] == [f"Customer replied on fault {fault.reference}: Alice Archer (alice)"]

    page.get_by_label("When would suit you? (optional)").fill("Any afternoon next week.")
    page.get_by_role("button", name="None of these suit me").click()
    expect(alert(page)).to_contain_text("we have withdrawn those times and asked our engineers to offer you others")
    expect(page.locator("#visit-offer")).to_have_count(0)
    expect(page.locator(".timeline")).to_contain_text("Your note: Any afternoon next week.")
    assert {s.status for s in VisitSlot.objects.filter(fault=fault)} == {SlotStatus.DECLINED}
    assert fault.events.filter(kind=FaultEventKind.SLOTS_DECLINED).exists()

    [slot] = offer(Fault.objects.get(pk=fault.pk), eric, at=monday, slots=[(date(2026, 12, 7), "afternoon")])
    page.reload()
    choice = page.locator(f"#slot-{slot.pk}")
    choice.get_by_label(re.compile("I understand the charge of £85.00 \\+ VAT")).check()
    choice.get_by_role("button", name="Accept this time").click()
    expect(alert(page)).to_contain_text(
        "Your engineer visit is booked: Monday 7 December 2026, afternoon (13:00 to 17:30)."
    )
    expect(page.locator("#fault-status")).to_have_text("Engineer visit booked")
    assert VisitSlot.objects.get(pk=slot.pk).status == SlotStatus.ACCEPTED


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_customer_complains_adds_a_message_and_reopens_her_complaint(live_server, page, alice, sam, password):
    url = live_server.url
    log_in(page, url, "alice", password)
    page.goto(url + reverse("complaints:complaint_create"))
    page.get_by_label("What is your complaint about?").select_option("billing")
    page.get_by_label("What happened?").fill("I was charged twice for the FTTC set-up fee in October.")
    page.get_by_role("button", name="Send my complaint").click()
    complaint = Complaint.objects.get(customer=alice)
    expect(alert(page)).to_contain_text(f"Your complaint {complaint.reference} is received.")
    complaint_services.complaint_assign(complaint=complaint, owner=sam, by=sam)
    mail.outbox.clear()

    page.get_by_label("Add a message").fill("It happened again in November.")
    page.get_by_role("button", name="Send message").click()
    expect(alert(page)).to_contain_text("Your message is added to your complaint.")
    expect(page.locator(".timeline")).to_contain_text("It happened again in November.")
    assert ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.CUSTOMER_MESSAGE).count() == 1
    assert [m.to for m in mail.outbox if "Customer replied" in m.subject] == [["Sam Service <sam@121com.co.uk>"]]

    complaint.refresh_from_db()
    if complaint.status == Status.RECEIVED:
        complaint_services.complaint_acknowledge_by_hand(complaint=complaint, by=sam)
    complaint_services.complaint_set_status(complaint=complaint, to=Status.INVESTIGATING, by=sam)
    complaint_services.complaint_set_status(complaint=complaint, to=Status.RESOLVED, by=sam, note="Refunded.")
    page.reload()
    page.get_by_label(re.compile("Not resolved after all")).fill("The refund never arrived.")
    page.get_by_role("button", name="Reopen my complaint").click()
    expect(alert(page)).to_contain_text("Your complaint is reopened: we are looking into it again.")
    expect(page.locator("#complaint-status")).to_contain_text("Being investigated")
    expect(page.locator(".timeline")).to_contain_text("The refund never arrived.")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_customer_told_nothing_was_saved_sends_her_answer_again_and_keeps_the_ones_before(
    live_server, page, alice, password, products, monkeypatch
):
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import OperationalError

    url = live_server.url
    make_service(alice, "fttc")
    log_in(page, url, "alice", password)
    page.goto(url + reverse("faults:fault_list"))
    page.get_by_role("link", name="Report a fault on FTTC fibre broadband").click()
    page.get_by_role("button", name="Yes", exact=True).click()
    expect(page.locator("#check-step")).to_have_text("Check 2 of 4")
    save, gone = SessionStore.save, []

    def save_while_the_database_restarts(session, must_create=False):
        if not gone:
            gone.append(True)
            raise OperationalError("terminating connection due to administrator command")
        return save(session, must_create=must_create)

    monkeypatch.setattr(SessionStore, "save", save_while_the_database_restarts)
    page.get_by_role("button", name="No", exact=True).click()
    expect(heading(page)).to_have_text("Please try again in a minute")
    expect(alert(page)).to_contain_text("nothing was saved")

    page.get_by_role("button", name="Send it again").click()
    expect(page.locator("#check-step")).to_have_text("Check 3 of 4")
    expect(page.locator("#answers-so-far")).to_contain_text("Yes")
    expect(page.locator("#answers-so-far")).to_contain_text("No")


# --- A POST never vanishes ------------------------------------------------------------------------


def customer_urls(resolver=None, prefix="", namespace=""):
    """(name, pattern text, the view) of every URL outside the staff admin."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from customer_urls(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", prefix + str(entry.pattern)


@pytest.fixture
def alices_things(alice, eric, sam, products, monkeypatch):
    """One of everything a customer URL can name, all Alice's."""
    monkeypatch.setattr(clock, "now", lambda: ldn(2026, 11, 30, 10, 0))
    service = hold(alice, products["pstn"], start=date(2026, 1, 5), by=sam)
    cancellation = order_services.cancellation_request(
        service=hold(alice, products["adsl"], start=date(2026, 1, 5), by=sam),
        channel=CancellationChannel.PORTAL,
        received_at=clock.now(),
        recorded_by=alice,
        quoted_username="alice",
    )
    fault = report(alice, service, at=ldn(2026, 11, 30, 9, 0))
    investigating(fault, eric, at=ldn(2026, 11, 30, 10, 0))
    [slot] = offer(fault, eric, at=ldn(2026, 11, 30, 10, 0), slots=[(date(2026, 12, 1), "morning")])
    complaint = complaint_services.complaint_open(
        customer=alice, category="billing", what_happened="Charged twice in October."
    )
    invoice = issued_invoice(alice, "36.00")
    return {
        "pk": {
            "complaints": complaint.pk,
            "faults": fault.pk,
            "billing:invoice_pdf": invoice.pk,
            "billing:credit_note_pdf": credit_note(invoice, "5.00").pk,
        },
        "slot_id": slot.pk,
        "service_id": service.pk,
        "product_id": {"orders:order_create": products["fttc"].pk, "orders:quote_request": products["leased-line"].pk},
        "order_id": service.order_id,
        "cancellation_id": cancellation.pk,
        "uidb64": urlsafe_base64_encode(force_bytes(alice.pk)),
        "token": default_token_generator.make_token(alice),
    }


def url_for(name, pattern, things):
    kwargs = {}
    for param in re.findall(r"<(?:\w+:)?(\w+)>", pattern):
        value = things[param]
        if isinstance(value, dict):
            value = value.get(name, value.get(name.split(":")[0]))
        kwargs[param] = value
    return reverse(name, kwargs=kwargs)


def tells_them_something(html):
    """A form's errors, or a message such as "this link has expired"."""
    return any(mark in html for mark in ('class="invalid-feedback', "alert-danger", 'class="errorlist', 'role="alert"'))


@pytest.mark.django_db
def test_no_customer_page_drops_a_post_without_a_word(client, alice, alices_things):
    client.force_login(alice)
    alices_things["token"] = default_token_generator.make_token(User.objects.get(pk=alice.pk))  # after logging in
    dropped = []
    urls = list(customer_urls())
    assert len(urls) > 20  # the walk reaches the apps' pages

    for name, pattern in urls:
        if name == "accounts:logout":
            continue  # a POST to it ends the session: it is submitted through its button above
        url = url_for(name, pattern, alices_things)
        # What a form posting to the wrong place sends: a field the page does not take (a browser always
        # sends something, at least the CSRF token).
        response = client.post(url, {"text": "A message that must not vanish."})
        html = response.content.decode(errors="replace")
        taken = (
            300 <= response.status_code < 500
            or response.has_header("Content-Disposition")
            or tells_them_something(html)
        )
        if not taken:
            dropped.append(f"{name} ({url}): {response.status_code}")

    assert dropped == [], "These pages answer a POST as if nothing had been sent: " + "; ".join(dropped)
