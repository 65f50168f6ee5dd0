"""Customer services in the admin: record a complaint that came by phone, email, letter or in person,
find the ones whose acknowledgement is at risk, work on a complaint, and read the report."""

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from complaints import services
from complaints.models import Channel, Complaint, ComplaintEvent, EventKind, Status
from complaints.tasks import complaints_raise_adr_letters
from portal.models import OutboxMessage
from portal.office_hours import add_office_hours, london
from tests.complaints.helpers import advance, at_risk_complaint, open_complaint, overdue_complaint, reload
from tests.factories import CustomerFactory
from tests.helpers import changelist_column, ldn, visible_text

RECORD = reverse("admin:complaints_complaint_record")
CHANGELIST = reverse("admin:complaints_complaint_changelist")
REPORT = reverse("admin:complaints_complaint_report")


def record_form(customer, **overrides):
    return {
        "customer": customer.pk,
        "channel": "phone",
        "received_at": "2026-04-01T12:00",
        "category": "billing",
        "what_happened": "Rang to say she was billed twice in March.",
        "desired_outcome": "A refund",
        "reply_by": "email",
        **overrides,
    }


def action(complaint, name):
    return reverse("admin:complaints_complaint_action", args=[complaint.pk, name])


# --- Recording a complaint -------------------------------------------------------------------------


def test_sam_records_a_phoned_complaint_and_its_deadline_counts_from_the_call(client, alice, sam, on_commit):
    client.force_login(sam)

    with on_commit():
        response = client.post(RECORD, record_form(alice), follow=True)

    complaint = Complaint.objects.get()
    assert response.redirect_chain == [(reverse("admin:complaints_complaint_change", args=[complaint.pk]), 302)]
    # Received Wed 1 April 2026 at noon: Good Friday and Easter Monday are skipped.
    assert f"Complaint {complaint.reference} recorded; acknowledgement due Wed 8 Apr 2026, 10:30." in visible_text(
        response
    )
    assert complaint.received_at == ldn(2026, 4, 1, 12, 0)
    assert complaint.ack_due_at == ldn(2026, 4, 8, 10, 30)
    assert (complaint.channel, complaint.recorded_by, complaint.customer) == (Channel.PHONE, sam, alice)
    received = ComplaintEvent.objects.get(complaint=complaint, kind=EventKind.RECEIVED)
    assert (received.at, received.by, received.text) == (ldn(2026, 4, 1, 12, 0), sam, "Complaint received by phone.")
    [email] = mail.outbox
    assert email.subject == f"We have received your complaint ({complaint.reference})"
    assert "Received: Wednesday 1 April 2026, 12:00" in email.body


def test_a_complaint_recorded_minutes_after_the_call_is_due_24_office_hours_after_the_call(client, alice, sam):
    client.force_login(sam)
    called = london(timezone.now() - timedelta(hours=3)).replace(second=0, microsecond=0)

    client.post(RECORD, record_form(alice, received_at=f"{called:%Y-%m-%dT%H:%M}"))

    complaint = Complaint.objects.get()
    assert complaint.received_at == called
    assert complaint.ack_due_at == add_office_hours(called, 24)


def test_a_received_time_in_the_future_is_refused(client, alice, sam):
    client.force_login(sam)
    tomorrow = london(timezone.now() + timedelta(days=1))

    response = client.post(RECORD, record_form(alice, received_at=f"{tomorrow:%Y-%m-%dT%H:%M}"))

    assert response.status_code == 200
    assert "The time received cannot be in the future." in visible_text(response)
    assert not Complaint.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_an_email_reply_for_carol_is_refused(client, carol, sam):
    client.force_login(sam)

    response = client.post(RECORD, record_form(carol, reply_by="email"))

    assert "This customer has no email address: reply by letter." in visible_text(response)
    assert not Complaint.objects.exists()


def test_sam_records_that_he_acknowledged_the_complaint_on_the_phone(client, alice, sam, on_commit):
    client.force_login(sam)

    with on_commit():
        client.post(RECORD, record_form(alice, acknowledged_by_hand="on"))

    complaint = Complaint.objects.get()
    assert complaint.status == Status.ACKNOWLEDGED
    assert complaint.ack_by_hand == sam
    assert complaint.acknowledged_at == ldn(2026, 4, 1, 12, 0)
    assert not OutboxMessage.objects.exists()
    assert mail.outbox == []


def test_a_letter_cannot_be_acknowledged_by_hand(client, alice, sam):
    client.force_login(sam)

    response = client.post(RECORD, record_form(alice, channel="letter", acknowledged_by_hand="on"))

    assert "Only a phone call or a visit can be acknowledged there and then." in visible_text(response)
    assert not Complaint.objects.exists()


def test_a_posted_complaint_is_acknowledged_by_letter(client, alice, sam, on_commit):
    client.force_login(sam)

    with on_commit():
        client.post(RECORD, record_form(alice, channel="letter"))

    complaint = Complaint.objects.get()
    assert OutboxMessage.objects.get(pk=complaint.ack_message_id).channel == "letter"
    assert mail.outbox == []


# --- Finding complaints -----------------------------------------------------------------------------


def changelist_rows(response):
    """{reference: the text of its Acknowledgement column} for each row of the changelist."""
    return changelist_column(response, "acknowledgement", "CMP")


@pytest.fixture
def deadlines(alice, bob, carol, sam):
    """One complaint in each acknowledgement state."""
    on_time = open_complaint(bob)
    services.complaint_acknowledge_by_hand(complaint=on_time, by=sam)
    late = overdue_complaint(carol)
    services.complaint_acknowledge_by_hand(complaint=late, by=sam)
    return {
        "overdue": overdue_complaint(alice),
        "at_risk": at_risk_complaint(bob),
        "due": open_complaint(carol),
        "on_time": on_time,
        "late": late,
    }


def test_the_changelist_labels_each_complaints_acknowledgement(client, sam, deadlines):
    client.force_login(sam)

    rows = changelist_rows(client.get(CHANGELIST))

    assert rows == {
        deadlines["overdue"].reference: "Overdue",
        deadlines["at_risk"].reference: "At risk",
        deadlines["due"].reference: "Due",
        deadlines["on_time"].reference: "Done in time",
        deadlines["late"].reference: "Done late",
    }


@pytest.mark.parametrize("choice", ["overdue", "at_risk", "due"])
def test_the_acknowledgement_filter_shows_the_right_complaints(client, sam, deadlines, choice):
    client.force_login(sam)

    rows = changelist_rows(client.get(CHANGELIST, {"ack": choice}))

    assert list(rows) == [deadlines[choice].reference]


def test_the_acknowledgement_filter_finds_those_done_late(client, sam, deadlines):
    client.force_login(sam)

    rows = changelist_rows(client.get(CHANGELIST, {"ack": "late"}))

    assert rows == {deadlines["late"].reference: "Done late"}


@pytest.mark.parametrize("typed", ["{ref}", "{ref_lower}", "{pk}", " {ref} "])
def test_staff_find_a_complaint_by_its_reference(client, alice, bob, sam, typed):
    complaints = [open_complaint(alice), open_complaint(bob), open_complaint(alice)]
    wanted = complaints[1]
    client.force_login(sam)

    term = typed.format(ref=wanted.reference, ref_lower=wanted.reference.lower(), pk=wanted.pk)
    rows = changelist_rows(client.get(CHANGELIST, {"q": term}))

    assert list(rows) == [wanted.reference]


def test_staff_still_find_complaints_by_customer_name(client, alice, bob, sam):
    alices, bobs = open_complaint(alice), open_complaint(bob)
    client.force_login(sam)

    rows = changelist_rows(client.get(CHANGELIST, {"q": "Archer"}))

    assert list(rows) == [alices.reference]
    assert bobs.reference not in rows


def test_a_reference_too_long_to_be_a_complaint_finds_nothing_rather_than_failing(client, alice, sam):
    open_complaint(alice)
    client.force_login(sam)

    response = client.get(CHANGELIST, {"q": "CMP-99999999999999999999"})

    assert response.status_code == 200
    assert changelist_rows(response) == {}
    assert "0 complaints" in visible_text(response)


# --- Working on a complaint -------------------------------------------------------------------------


@pytest.fixture
def complaint(alice, sam, on_commit):
    with on_commit():
        complaint = open_complaint(alice)
    return reload(complaint)


def last_event(complaint):
    return ComplaintEvent.objects.filter(complaint=complaint).order_by("at", "id").last()


def test_sam_takes_ownership(client, sam, complaint):
    client.force_login(sam)
    before = timezone.now()

    response = client.post(action(complaint, "owner"), {"owner": sam.pk}, follow=True)

    assert "Assign an owner: done." in visible_text(response)
    assert reload(complaint).owner == sam
    event = last_event(complaint)
    assert (event.kind, event.by, event.text, event.internal) == (EventKind.OWNER, sam, "Owner: Sam Service.", True)
    assert before <= event.at <= timezone.now()


def test_an_owner_must_be_staff(client, alice, sam, complaint):
    client.force_login(sam)

    response = client.post(action(complaint, "owner"), {"owner": alice.pk})

    assert "Select a valid choice." in visible_text(response)
    assert reload(complaint).owner is None


def test_sam_adds_an_internal_note(client, sam, complaint):
    client.force_login(sam)

    response = client.post(action(complaint, "note"), {"text": "Spoke to the engineers."}, follow=True)

    assert "Add an internal note: done." in visible_text(response)
    assert "Spoke to the engineers." in visible_text(response)  # on the change page's timeline
    event = last_event(complaint)
    assert (event.kind, event.by, event.text, event.internal) == (EventKind.NOTE, sam, "Spoke to the engineers.", True)


def test_sam_replies_to_the_customer(client, sam, complaint, on_commit):
    client.force_login(sam)

    with on_commit():
        client.post(action(complaint, "reply"), {"text": "An engineer will call on Friday."})

    event = last_event(complaint)
    assert (event.kind, event.by, event.internal) == (EventKind.REPLY, sam, False)
    assert mail.outbox[-1].subject == f"A reply about your complaint ({complaint.reference})"
    assert "An engineer will call on Friday." in mail.outbox[-1].body
    assert event.message_id == OutboxMessage.objects.get(kind="complaint_reply").pk


def test_sam_moves_the_complaint_on(client, sam, complaint):
    client.force_login(sam)

    response = client.post(
        action(complaint, "status"), {"to": "investigating", "note": "Checking the line."}, follow=True
    )

    assert "Change status: done." in visible_text(response)
    assert reload(complaint).status == Status.INVESTIGATING
    event = last_event(complaint)
    assert (event.kind, event.by, event.text) == (EventKind.STATUS, sam, "Checking the line.")


def test_sam_issues_a_deadlock_letter(client, sam, complaint, on_commit):
    advance(complaint, Status.INVESTIGATING, by=sam)
    client.force_login(sam)

    with on_commit():
        client.post(
            action(complaint, "deadlock"), {"final_position": "We cannot refund the call charges.", "by_email": "on"}
        )

    assert reload(complaint).status == Status.DEADLOCKED
    event = last_event(complaint)
    assert (event.kind, event.by, event.text) == (EventKind.DEADLOCK, sam, "We cannot refund the call charges.")


def test_a_move_the_workflow_refuses_is_explained_on_the_form(client, sam, complaint):
    client.force_login(sam)
    events = ComplaintEvent.objects.filter(complaint=complaint).count()

    response = client.post(action(complaint, "status"), {"to": "resolved"})

    assert response.status_code == 200
    assert re.search(r"A complaint that is acknowledged cannot [a-z ]*resolved", visible_text(response))
    assert reload(complaint).status == Status.ACKNOWLEDGED
    assert ComplaintEvent.objects.filter(complaint=complaint).count() == events


@pytest.mark.parametrize("to", ["received", "acknowledged", "deadlocked"])
def test_the_status_form_does_not_offer_moves_that_have_their_own_way(client, sam, complaint, to):
    client.force_login(sam)

    response = client.post(action(complaint, "status"), {"to": to})

    assert f"Select a valid choice. {to} is not one of the available choices." in visible_text(response)
    assert reload(complaint).status == Status.ACKNOWLEDGED


def test_the_change_page_offers_the_actions_and_the_timeline(client, sam, complaint):
    client.force_login(sam)

    response = client.get(reverse("admin:complaints_complaint_change", args=[complaint.pk]))

    page = response.content.decode()
    for name in ["owner", "note", "reply", "status", "deadlock"]:
        assert action(complaint, name) in page
    text = visible_text(response)
    assert "Complaint received by portal." in text
    assert "We acknowledged your complaint by email." in text
    assert "Record: acknowledged by me" not in text  # already acknowledged


def test_the_change_page_offers_acknowledging_by_hand_while_it_is_not_acknowledged(client, alice, sam):
    complaint = open_complaint(alice)
    client.force_login(sam)

    text = visible_text(client.get(reverse("admin:complaints_complaint_change", args=[complaint.pk])))

    assert "Record: acknowledged by me" in text


class FormNesting(HTMLParser):
    """For each <form> on a page, its action and the forms already open around it."""

    def __init__(self, html):
        super().__init__()
        self.open, self.forms = [], []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "form":
            action = dict(attrs).get("action") or ""
            self.forms.append((action, list(self.open)))
            self.open.append(action)

    def handle_endtag(self, tag):
        if tag == "form" and self.open:
            self.open.pop()


def test_the_acknowledged_by_me_button_is_not_inside_the_change_form(client, alice, sam):
    """Browsers ignore a <form> inside another <form>: the button would submit the complaint's change
    form to the change page, and the acknowledgement would never be recorded. The button posts the
    admin's own form to the acknowledge view instead (formaction)."""
    complaint = open_complaint(alice)
    client.force_login(sam)
    page = client.get(reverse("admin:complaints_complaint_change", args=[complaint.pk])).content.decode()
    acknowledge = reverse("admin:complaints_complaint_acknowledge", args=[complaint.pk])

    assert [a for a, _ in FormNesting(page).forms if a == acknowledge] == []
    assert f'formaction="{acknowledge}"' in page


@pytest.fixture
def dana(db):
    """An email customer who never gave a postal address (the registration form allows that)."""
    return CustomerFactory(
        username="dana", full_name="Dana Dawson", email="dana@example.co.uk", address="", postcode=""
    )


def test_a_letter_reply_for_a_customer_without_an_address_is_refused_on_the_form(client, sam, dana):
    client.force_login(sam)
    client.raise_request_exception = False

    response = client.post(RECORD, record_form(dana, reply_by="letter"))

    assert response.status_code == 200
    assert "postal address" in visible_text(response)
    assert not Complaint.objects.exists()


def test_posting_a_deadlock_letter_to_a_customer_without_an_address_is_refused_on_the_form(client, sam, dana):
    complaint = advance(open_complaint(dana), Status.INVESTIGATING, by=sam)
    client.force_login(sam)
    client.raise_request_exception = False

    response = client.post(action(complaint, "deadlock"), {"final_position": "We cannot refund it.", "by_post": "on"})

    assert response.status_code == 200
    assert "postal address" in visible_text(response)
    assert reload(complaint).status == Status.INVESTIGATING


def test_the_add_button_leads_to_the_record_form(client, sam):
    client.force_login(sam)

    response = client.get(reverse("admin:complaints_complaint_add"))

    assert response["Location"] == RECORD


# --- The report --------------------------------------------------------------------------------------


def report_text(client, sam):
    client.force_login(sam)
    return visible_text(client.get(REPORT))


def acknowledged_after(customer, sam, received, office_hours):
    complaint = open_complaint(customer, received_at=received)
    services.complaint_acknowledge_by_hand(complaint=complaint, by=sam, at=add_office_hours(received, office_hours))
    return complaint


def test_the_report_measures_acknowledgement_times_in_office_hours(client, alice, sam):
    acknowledged_after(alice, sam, ldn(2026, 11, 2, 9, 0), 2)
    acknowledged_after(alice, sam, ldn(2026, 11, 3, 10, 0), 4)
    acknowledged_after(alice, sam, ldn(2026, 11, 4, 9, 0), 30)  # late: more than 24
    open_complaint(alice, received_at=ldn(2026, 11, 5, 9, 0))  # not acknowledged: not measured

    text = report_text(client, sam)

    assert "Acknowledged 3" in text
    assert "Median time to acknowledge 4.0 office hours" in text
    assert "95th percentile 30.0 office hours" in text
    assert "Acknowledged late 1" in text
    assert "Not acknowledged and overdue now 1" in text


def test_the_report_says_none_yet_with_nothing_acknowledged(client, sam):
    text = report_text(client, sam)

    assert "Acknowledged 0" in text
    assert "Median time to acknowledge none yet" in text
    assert "No complaints yet." in text


def test_the_report_counts_deadlock_and_adr_letters(client, alice, bob, sam):
    advance(open_complaint(alice), Status.DEADLOCKED, by=sam)
    four_months_ago = timezone.now() - timedelta(days=125)
    open_complaint(alice, received_at=four_months_ago)
    open_complaint(bob, received_at=four_months_ago)
    assert complaints_raise_adr_letters() == 2

    text = report_text(client, sam)

    assert "Deadlock letters issued 1" in text
    assert "ADR letters raised (ADR time reached) 2" in text


def test_the_report_counts_unresolved_complaints_by_age(client, alice, sam):
    now = timezone.now()
    for days in [2, 10, 20, 40, 100]:
        open_complaint(alice, received_at=now - timedelta(days=days))
    advance(open_complaint(alice, received_at=now - timedelta(days=3)), Status.CLOSED, by=sam)
    advance(open_complaint(alice, received_at=now - timedelta(days=4)), Status.RESOLVED, by=sam)
    advance(open_complaint(alice, received_at=now - timedelta(days=5)), Status.DEADLOCKED, by=sam)

    text = report_text(client, sam)

    assert (
        "Unresolved complaints by age (received, acknowledged or being investigated) "
        "Under a week 1 1 to 4 weeks 2 4 to 8 weeks 1 Over 8 weeks 1"
    ) in text


def test_the_report_counts_complaints_by_london_month_and_status(client, alice, sam):
    open_complaint(alice, received_at=ldn(2026, 9, 10, 12, 0))
    advance(open_complaint(alice, received_at=ldn(2026, 9, 20, 12, 0)), Status.CLOSED, by=sam)
    # Half past midnight on 1 October in London is still 30 September in UTC.
    advance(open_complaint(alice, received_at=ldn(2026, 10, 1, 0, 30)), Status.INVESTIGATING, by=sam)

    text = report_text(client, sam)

    # Received, Acknowledged, Being investigated, Resolved, Deadlocked, Closed, Total
    assert "October 2026 0 0 1 0 0 0 1" in text
    assert "September 2026 1 0 0 0 0 1 2" in text
    assert text.index("October 2026") < text.index("September 2026")  # newest first
