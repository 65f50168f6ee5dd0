"""What a customer sees and does in the portal: make a complaint, follow it, add to it."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from complaints import services
from complaints.models import Complaint, ComplaintEvent, EventKind, Status
from portal.formats import short_datetime
from portal.models import OutboxMessage
from portal.office_hours import add_office_hours, london
from tests.complaints.helpers import WHAT_HAPPENED, advance, open_complaint, reload
from tests.factories import CustomerFactory
from tests.helpers import visible_text

NEW = reverse("complaints:complaint_create")
LIST = reverse("complaints:complaint_list")


def detail_url(complaint):
    return reverse("complaints:complaint_detail", args=[complaint.pk])


def form(**overrides):
    return {
        "category": "billing",
        "what_happened": "I was charged twice for October's line rental.",
        "desired_outcome": "Refund the second charge.",
        "reply_by": "email",
        **overrides,
    }


def long_time(moment):
    local = london(moment)
    return f"{local:%A} {local.day} {local:%B %Y}, {local:%H:%M}"


# --- Making a complaint --------------------------------------------------------------------------


def test_alice_makes_a_complaint_and_is_told_its_reference_and_when_she_will_hear(client, alice, on_commit):
    client.force_login(alice)

    with on_commit():
        response = client.post(NEW, form(), follow=True)

    complaint = Complaint.objects.get()
    assert response.redirect_chain == [(detail_url(complaint), 302)]
    assert complaint.customer == alice
    assert complaint.ack_due_at == add_office_hours(complaint.received_at, 24)
    due = london(complaint.ack_due_at)
    text = visible_text(response)
    assert (
        f"Thank you. Your complaint {complaint.reference} is received. We will acknowledge it by "
        f"{due:%A} {due.day} {due:%B %Y} at {due:%H:%M} at the latest."
    ) in text
    assert f"Complaint {complaint.reference}" in text
    assert "I was charged twice for October's line rental." in text
    assert "What you would like us to do Refund the second charge." in text
    # And the acknowledgement reached her inbox.
    [email] = mail.outbox
    assert email.subject == f"We have received your complaint ({complaint.reference})"


def test_the_complaint_page_shows_its_status_and_acknowledgement_times(client, alice, on_commit):
    with on_commit():
        complaint = open_complaint(alice)
    complaint.refresh_from_db()
    client.force_login(alice)

    text = visible_text(client.get(detail_url(complaint)))

    assert "Status Acknowledged" in text
    assert f"Acknowledgement due {long_time(complaint.ack_due_at)}" in text
    assert f"Acknowledged {long_time(complaint.acknowledged_at)} (email)" in text
    assert "Complaint received Complaint received by portal." in text
    assert "We acknowledged your complaint by email." in text


def test_a_complaint_not_yet_acknowledged_says_so(client, alice):
    complaint = open_complaint(alice)  # the email has not gone yet
    client.force_login(alice)

    text = visible_text(client.get(detail_url(complaint)))

    assert "Status Received" in text
    assert "Acknowledged Not yet" in text


def test_alices_list_shows_her_complaints(client, alice, bob, sam, on_commit):
    with on_commit():
        acknowledged = open_complaint(alice)
    waiting = open_complaint(alice, category="billing")
    bobs = open_complaint(bob)
    client.force_login(alice)

    response = client.get(LIST)

    text = visible_text(response)
    acknowledged.refresh_from_db()
    assert f"{acknowledged.reference} The service itself" in text
    assert f"{waiting.reference} Billing" in text
    assert f"Due by {short_datetime(waiting.ack_due_at)}" in text
    assert f"Sent {short_datetime(acknowledged.acknowledged_at)}" in text
    assert bobs.reference not in text
    assert text.index(waiting.reference) < text.index(acknowledged.reference)  # newest first


@pytest.mark.parametrize(
    "what_happened, error",
    [
        ("", "This field is required."),
        ("   ", "This field is required."),
        ("Bad.", "Tell us a little more about what happened, so we can look into it."),
    ],
)
def test_a_complaint_without_enough_detail_is_refused_and_nothing_is_saved(client, alice, what_happened, error):
    client.force_login(alice)

    response = client.post(NEW, form(what_happened=what_happened))

    assert response.status_code == 200
    assert error in visible_text(response)
    assert not Complaint.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_what_she_typed_is_kept_on_the_form_when_it_is_refused(client, alice):
    client.force_login(alice)

    response = client.post(NEW, form(what_happened="Bad.", desired_outcome="A refund of £12.50"))

    assert "A refund of £12.50" in response.content.decode()


def test_carol_cannot_ask_for_an_email_reply_without_an_email_address(client, carol):
    client.force_login(carol)

    response = client.post(NEW, form(reply_by="email"))

    assert (
        "We have no email address for you: choose a letter, or add an email address in your details."
        in visible_text(response)
    )
    assert not Complaint.objects.exists()
    assert not OutboxMessage.objects.exists()


def reply_by_radios(response):
    """{value: checked} for each "How should we reply?" radio button on the page."""
    radios = re.findall(r'<input type="radio"[^>]*name="reply_by"[^>]*>', response.content.decode())
    return {re.search(r'value="([^"]*)"', r).group(1): " checked" in r for r in radios}


def test_the_form_offers_a_reply_by_email_or_by_letter_and_nothing_else(client, alice):
    client.force_login(alice)

    radios = reply_by_radios(client.get(NEW))

    assert radios == {"email": True, "letter": False}


def test_carol_is_offered_a_letter_reply_and_gets_one(client, carol, on_commit):
    client.force_login(carol)
    assert reply_by_radios(client.get(NEW))["letter"] is True

    with on_commit():
        client.post(NEW, form(reply_by="letter"))

    complaint = Complaint.objects.get()
    assert OutboxMessage.objects.get(pk=complaint.ack_message_id).channel == "letter"
    assert mail.outbox == []


def test_a_customer_without_a_postal_address_is_told_she_cannot_have_a_letter(client, db, on_commit):
    """An email customer need not give an address (accounts/forms.py); asking for a letter reply must be
    refused on the form, not lose her complaint to a server error."""
    dana = CustomerFactory(username="dana", full_name="Dana Dawson", address="", postcode="")
    client.force_login(dana)
    client.raise_request_exception = False

    with on_commit():
        response = client.post(NEW, form(reply_by="letter"))

    assert response.status_code == 200
    assert "postal address" in visible_text(response)
    assert "I was charged twice for October&#x27;s line rental." in response.content.decode()  # kept on the form
    assert not Complaint.objects.exists()


# --- Following a complaint -------------------------------------------------------------------------


def test_internal_notes_stay_out_of_the_customers_view(client, alice, sam):
    complaint = open_complaint(alice)
    services.complaint_add_note(complaint=complaint, by=sam, text="Customer sounded upset; check call recording 4411.")
    services.complaint_assign(complaint=complaint, owner=sam, by=sam)

    client.force_login(alice)
    customer_page = visible_text(client.get(detail_url(complaint)))
    client.force_login(sam)
    admin_page = visible_text(client.get(reverse("admin:complaints_complaint_change", args=[complaint.pk])))

    assert "check call recording 4411" not in customer_page
    assert "Internal note" not in customer_page
    assert "Owner: Sam Service." not in customer_page
    assert "Customer sounded upset; check call recording 4411." in admin_page
    assert "Owner: Sam Service." in admin_page


def test_a_staff_reply_is_on_the_timeline_and_in_her_inbox(client, alice, sam, on_commit):
    with on_commit():
        complaint = open_complaint(alice)
    with on_commit():
        services.complaint_reply(complaint=complaint, by=sam, text="We have booked an engineer for Friday morning.")
    client.force_login(alice)

    text = visible_text(client.get(detail_url(complaint)))

    assert "Sam, 121 Communications Our reply We have booked an engineer for Friday morning." in text
    reply = mail.outbox[-1]
    assert reply.to == ["Alice Archer <alice@example.co.uk>"]
    assert reply.subject == f"A reply about your complaint ({complaint.reference})"
    assert "We have booked an engineer for Friday morning." in reply.body


def test_a_reply_to_carol_is_posted(carol, sam, on_commit):
    complaint = open_complaint(carol)
    with on_commit():
        services.complaint_reply(complaint=complaint, by=sam, text="We have booked an engineer for Friday.")

    letter = OutboxMessage.objects.get(kind="complaint_reply")
    assert letter.channel == "letter" and letter.status == "to_print"
    assert mail.outbox == []


def test_alice_adds_a_message_to_her_open_complaint(client, alice):
    complaint = open_complaint(alice)
    client.force_login(alice)

    response = client.post(
        reverse("complaints:complaint_message", args=[complaint.pk]),
        {"text": "  It dropped again at 7pm tonight.  "},
        follow=True,
    )

    text = visible_text(response)
    assert "Your message is added to your complaint." in text
    assert "you Your message It dropped again at 7pm tonight." in text
    event = ComplaintEvent.objects.get(complaint=complaint, kind=EventKind.CUSTOMER_MESSAGE)
    assert (event.by, event.text, event.internal) == (alice, "It dropped again at 7pm tonight.", False)


def test_an_empty_message_is_refused(client, alice):
    complaint = open_complaint(alice)
    client.force_login(alice)

    response = client.post(reverse("complaints:complaint_message", args=[complaint.pk]), {"text": "   "})

    assert response.status_code == 400
    assert "This field is required." in visible_text(response)
    assert not ComplaintEvent.objects.filter(kind=EventKind.CUSTOMER_MESSAGE).exists()


def test_a_message_to_a_closed_complaint_is_refused(client, alice, sam):
    complaint = advance(open_complaint(alice), Status.CLOSED, by=sam)
    client.force_login(alice)
    page = visible_text(client.get(detail_url(complaint)))
    assert "Add a message" not in page  # no form is offered

    response = client.post(reverse("complaints:complaint_message", args=[complaint.pk]), {"text": "Still broken."})

    assert response.status_code == 400
    assert "This complaint is closed. Please make a new complaint." in visible_text(response)
    assert not ComplaintEvent.objects.filter(kind=EventKind.CUSTOMER_MESSAGE).exists()


def test_a_resolved_complaint_offers_reopening_and_a_closed_one_does_not(client, alice, sam):
    resolved = advance(open_complaint(alice), Status.RESOLVED, by=sam)
    closed = advance(open_complaint(alice), Status.CLOSED, by=sam)
    client.force_login(alice)

    assert "Reopen my complaint" in visible_text(client.get(detail_url(resolved)))
    assert "Reopen my complaint" not in visible_text(client.get(detail_url(closed)))


# --- Who may use these pages ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["complaint_list", "complaint_create"])
def test_staff_are_sent_to_the_admin(client, sam, name):
    client.force_login(sam)

    response = client.get(reverse(f"complaints:{name}"))

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:complaints_complaint_changelist")


def test_staff_opening_a_complaint_page_are_sent_to_the_admin(client, alice, sam):
    complaint = open_complaint(alice)
    client.force_login(sam)

    response = client.get(detail_url(complaint))

    assert response["Location"] == reverse("admin:complaints_complaint_changelist")


@pytest.mark.parametrize("name", ["complaint_list", "complaint_create"])
def test_a_visitor_is_asked_to_log_in(client, db, name):
    url = reverse(f"complaints:{name}")

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url}"


def test_a_visitor_cannot_see_or_add_to_a_complaint(client, alice):
    complaint = open_complaint(alice)

    page = client.get(detail_url(complaint))
    posted = client.post(reverse("complaints:complaint_message", args=[complaint.pk]), {"text": "Hello there"})

    assert page["Location"].startswith(reverse("accounts:login"))
    assert posted["Location"].startswith(reverse("accounts:login"))
    assert WHAT_HAPPENED not in page.content.decode()
    assert not ComplaintEvent.objects.filter(kind=EventKind.CUSTOMER_MESSAGE).exists()
    assert reload(complaint).status == Status.RECEIVED


# --- The service a complaint concerns ----------------------------------------------------------


@pytest.fixture
def services_held(alice, bob, sam):
    from datetime import date

    from orders.models import Product
    from tests.orders.helpers import hold

    fttc = Product.objects.get(code="fttc")
    return hold(alice, fttc, start=date(2026, 6, 15), by=sam), hold(bob, fttc, start=date(2026, 6, 15), by=sam)


def test_a_customer_names_one_of_her_services_and_sees_it_on_the_complaint(client, alice, services_held, on_commit):
    alices, _ = services_held
    client.force_login(alice)

    with on_commit():
        response = client.post(NEW, form(service=alices.pk), follow=True)

    complaint = Complaint.objects.get()
    assert complaint.service == alices
    assert f"FTTC fibre broadband ({alices.reference})" in visible_text(response)


def test_a_customer_cannot_name_another_customers_service(client, alice, services_held):
    _, bobs = services_held
    client.force_login(alice)

    page = client.get(NEW).content.decode()
    response = client.post(NEW, form(service=bobs.pk))

    assert bobs.reference not in page
    assert "Select a valid choice" in visible_text(response)
    assert not Complaint.objects.exists()
    assert not OutboxMessage.objects.filter(kind="complaint_ack").exists()


# --- Every form reaches the view that takes it; bad input is refused with a message -----------------


def form_actions(response):
    """{the name of a field in the form: the form's action} for each form on the page."""
    html = response.content.decode()
    found = {}
    for attrs, body in re.findall(r"<form\b([^>]*)>(.*?)</form>", html, flags=re.S):
        action = re.search(r'action="([^"]*)"', attrs)
        for name in re.findall(r'<(?:textarea|input|select)\b[^>]*name="([^"]+)"', body):
            found[name] = action.group(1) if action else ""
    return found


def test_the_message_form_posts_to_where_messages_are_taken_and_reopening_to_where_it_is_done(client, alice, sam):
    open_one = open_complaint(alice)
    resolved = advance(open_complaint(alice), Status.RESOLVED, by=sam)
    client.force_login(alice)

    assert form_actions(client.get(detail_url(open_one)))["text"] == reverse(
        "complaints:complaint_message", args=[open_one.pk]
    )
    assert form_actions(client.get(detail_url(resolved)))["reason"] == reverse(
        "complaints:complaint_reopen", args=[resolved.pk]
    )


def test_a_message_posted_to_the_complaint_page_itself_is_refused_not_lost_without_a_word(client, alice):
    complaint = open_complaint(alice)
    client.force_login(alice)

    response = client.post(detail_url(complaint), {"text": "It dropped again at 7pm."})

    assert response.status_code == 405
    assert not ComplaintEvent.objects.filter(kind=EventKind.CUSTOMER_MESSAGE).exists()


def test_the_list_of_complaints_takes_no_post(client, alice):
    client.force_login(alice)

    assert client.post(LIST, {"text": "Hello"}).status_code == 405


NUL = "Refund me\x00 please"
# What the customer is told (portal/text_input.py): the field cannot take it, nothing was saved.
NUL_SAID = "contains a character that cannot be part of any text (a NUL byte)"


def test_a_reopening_reason_with_a_nul_byte_is_refused_with_a_message_and_changes_nothing(client, alice, sam):
    complaint = advance(open_complaint(alice), Status.RESOLVED, by=sam)
    events = ComplaintEvent.objects.filter(complaint=complaint).count()
    client.force_login(alice)

    response = client.post(reverse("complaints:complaint_reopen", args=[complaint.pk]), {"reason": NUL})

    assert response.status_code == 400
    assert NUL_SAID in visible_text(response)
    assert reload(complaint).status == Status.RESOLVED
    assert ComplaintEvent.objects.filter(complaint=complaint).count() == events


def test_a_reopening_reason_far_too_long_is_refused_with_a_message(client, alice, sam):
    complaint = advance(open_complaint(alice), Status.RESOLVED, by=sam)
    client.force_login(alice)

    response = client.post(reverse("complaints:complaint_reopen", args=[complaint.pk]), {"reason": "x" * 5001})

    assert response.status_code == 400
    assert "Ensure this value has at most 5000 characters (it has 5001)." in visible_text(response)
    assert reload(complaint).status == Status.RESOLVED


def test_a_message_with_a_nul_byte_is_refused_with_a_message_and_changes_nothing(client, alice):
    complaint = open_complaint(alice)
    client.force_login(alice)

    response = client.post(reverse("complaints:complaint_message", args=[complaint.pk]), {"text": NUL})

    assert response.status_code == 400
    assert NUL_SAID in visible_text(response)
    assert not ComplaintEvent.objects.filter(kind=EventKind.CUSTOMER_MESSAGE).exists()
    assert not OutboxMessage.objects.filter(kind="complaint_customer_message").exists()


@pytest.mark.parametrize("field", ["what_happened", "desired_outcome"])
def test_a_complaint_with_a_nul_byte_is_refused_with_a_message_and_nothing_is_saved(client, alice, field):
    client.force_login(alice)

    response = client.post(NEW, form(**{field: "I was charged twice\x00 for October."}))

    assert NUL_SAID in visible_text(response)
    assert not Complaint.objects.exists()
