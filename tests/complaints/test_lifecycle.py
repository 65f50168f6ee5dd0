"""A complaint's life through the services: received, acknowledged, investigated, resolved or deadlocked,
closed; reopened within 28 days; every other move refused, and every change on the timeline."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from complaints import services
from complaints.models import Complaint, ComplaintEvent, EventKind, Status
from complaints.tasks import complaints_close_resolved
from portal.models import OutboxMessage
from portal.models import Status as MessageStatus
from portal.workflow import InvalidTransition, Refused
from tests.complaints.helpers import advance, messages_for, open_complaint, reload
from tests.helpers import visible_text


def events(complaint):
    return list(ComplaintEvent.objects.filter(complaint=complaint).order_by("at", "id"))


# --- Receipt and acknowledgement -------------------------------------------------------------------


def test_it_acknowledges_a_portal_complaint_by_email_by_itself(alice, on_commit):
    with on_commit():
        complaint = open_complaint(alice)

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["Alice Archer <alice@example.co.uk>"]
    assert complaint.reference in email.subject
    assert "We have received your complaint" in email.subject
    assert "Dear Alice Archer" in email.body
    assert f"it has the reference {complaint.reference}" in email.body
    message = OutboxMessage.objects.get(pk=complaint.ack_message_id)
    assert message.status == MessageStatus.SENT
    complaint.refresh_from_db()
    assert complaint.status == Status.ACKNOWLEDGED
    assert complaint.acknowledged_at == message.sent_at
    assert complaint.acknowledged_at <= complaint.ack_due_at


def test_it_records_the_receipt_and_the_acknowledgement_on_the_timeline(alice, on_commit):
    before = timezone.now()
    with on_commit():
        complaint = open_complaint(alice)
    complaint.refresh_from_db()

    received, acknowledged = events(complaint)
    assert (received.kind, received.by, received.at) == (EventKind.RECEIVED, alice, complaint.received_at)
    assert received.text == "Complaint received by portal."
    assert before <= received.at <= timezone.now()
    assert acknowledged.kind == EventKind.STATUS
    assert acknowledged.by is None  # the portal did it, on 121 Communications' behalf
    assert acknowledged.at == complaint.acknowledged_at
    assert acknowledged.text == "We acknowledged your complaint by email."


def test_it_does_not_count_a_complaint_acknowledged_until_the_email_has_gone(alice):
    complaint = open_complaint(alice)  # no commit: the email waits in the outbox

    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED
    assert complaint.acknowledged_at is None
    assert mail.outbox == []
    assert OutboxMessage.objects.get(pk=complaint.ack_message_id).status == MessageStatus.QUEUED


# --- The usual journeys ---------------------------------------------------------------------------


def test_staff_investigate_resolve_and_close_a_complaint_and_each_step_is_on_the_timeline(alice, sam, on_commit):
    with on_commit():
        complaint = open_complaint(alice)
    start = timezone.now()

    with on_commit():
        services.complaint_set_status(
            complaint=complaint, to=Status.INVESTIGATING, by=sam, note="Looking at line tests."
        )
        services.complaint_set_status(complaint=complaint, to=Status.RESOLVED, by=sam, note="We replaced your router.")
        services.complaint_set_status(complaint=complaint, to=Status.CLOSED, by=sam)

    complaint.refresh_from_db()
    assert complaint.status == Status.CLOSED
    assert start <= complaint.resolved_at <= complaint.closed_at <= timezone.now()
    moves = [e for e in events(complaint) if e.kind == EventKind.STATUS][1:]  # after the acknowledgement
    assert [(e.text, e.by) for e in moves] == [
        ("Looking at line tests.", sam),
        ("We replaced your router.", sam),
        ("Resolved → Closed.", sam),
    ]
    assert all(start <= e.at <= timezone.now() for e in moves)
    assert moves[1].at == complaint.resolved_at
    assert moves[2].at == complaint.closed_at
    # Alice hears that it is resolved, with what we did and how to reopen it.
    resolved_email = mail.outbox[-1]
    assert resolved_email.subject == f"Your complaint is resolved ({complaint.reference})"
    assert "is now: resolved" in resolved_email.body
    assert "We replaced your router." in resolved_email.body
    assert "reopen it from your account within 28 days" in resolved_email.body


def test_staff_deadlock_a_complaint_they_cannot_resolve_and_then_close_it(alice, sam, on_commit):
    with on_commit():
        complaint = open_complaint(alice)
    with on_commit():
        services.complaint_set_status(complaint=complaint, to=Status.INVESTIGATING, by=sam)
        services.complaint_issue_deadlock(complaint=complaint, by=sam, final_position="The charge stands.")
        services.complaint_set_status(complaint=complaint, to=Status.CLOSED, by=sam)

    complaint.refresh_from_db()
    assert complaint.status == Status.CLOSED
    assert complaint.deadlocked_at is not None and complaint.closed_at >= complaint.deadlocked_at
    kinds = [(e.kind, e.by) for e in events(complaint)]
    assert kinds == [
        (EventKind.RECEIVED, alice),
        (EventKind.STATUS, None),  # acknowledged by the email
        (EventKind.STATUS, sam),  # investigating
        (EventKind.STATUS, sam),  # deadlocked
        (EventKind.DEADLOCK, sam),
        (EventKind.STATUS, sam),  # closed
    ]
    assert any("Our final position" in m.subject for m in mail.outbox)


# --- Reopening ------------------------------------------------------------------------------------


@pytest.fixture
def resolved(alice, sam, on_commit):
    with on_commit():
        complaint = open_complaint(alice)
    return advance(complaint, Status.RESOLVED, by=sam, note="We credited your account.")


def test_a_customer_reopens_her_resolved_complaint_within_28_days(client, alice, resolved):
    client.force_login(alice)

    response = client.post(
        reverse("complaints:complaint_reopen", args=[resolved.pk]),
        {"reason": "It still drops every evening."},
        follow=True,
    )

    text = visible_text(response)
    assert "Your complaint is reopened: we are looking into it again." in text
    assert "Being investigated" in text
    assert "Reopened It still drops every evening." in text
    resolved.refresh_from_db()
    assert resolved.status == Status.INVESTIGATING
    reopened = ComplaintEvent.objects.get(complaint=resolved, kind=EventKind.REOPENED)
    assert (reopened.by, reopened.text) == (alice, "It still drops every evening.")


def test_staff_reopen_a_resolved_complaint_by_setting_it_back_to_investigating(resolved, sam):
    services.complaint_set_status(complaint=resolved, to=Status.INVESTIGATING, by=sam, note="Customer rang back.")

    resolved.refresh_from_db()
    assert resolved.status == Status.INVESTIGATING
    reopened = ComplaintEvent.objects.get(complaint=resolved, kind=EventKind.REOPENED)
    assert (reopened.by, reopened.text) == (sam, "Customer rang back.")
    assert reopened.get_kind_display() == "Reopened"


def test_it_allows_reopening_on_the_28th_day(resolved, alice):
    services.complaint_reopen(complaint=resolved, by=alice, now=resolved.resolved_at + timedelta(days=28))

    assert reload(resolved).status == Status.INVESTIGATING


def test_it_refuses_to_reopen_29_days_after_resolution(resolved, alice):
    count = ComplaintEvent.objects.filter(complaint=resolved).count()

    with pytest.raises(Refused) as refused:
        services.complaint_reopen(complaint=resolved, by=alice, now=resolved.resolved_at + timedelta(days=29))

    assert str(refused.value) == (
        "A complaint can be reopened within 28 days of being resolved; please make a new complaint."
    )
    assert reload(resolved).status == Status.RESOLVED
    assert ComplaintEvent.objects.filter(complaint=resolved).count() == count


def test_the_customer_is_told_why_she_can_no_longer_reopen(client, alice, resolved):
    # 29 days have passed since it was resolved.
    Complaint.objects.filter(pk=resolved.pk).update(resolved_at=timezone.now() - timedelta(days=29))
    client.force_login(alice)

    response = client.post(
        reverse("complaints:complaint_reopen", args=[resolved.pk]), {"reason": "Still bad"}, follow=True
    )

    text = visible_text(response)
    assert "A complaint can be reopened within 28 days of being resolved; please make a new complaint." in text
    assert "Your complaint is reopened" not in text
    assert reload(resolved).status == Status.RESOLVED
    assert not ComplaintEvent.objects.filter(complaint=resolved, kind=EventKind.REOPENED).exists()


def test_a_complaint_that_is_not_resolved_cannot_be_reopened(alice, sam):
    complaint = advance(open_complaint(alice), Status.INVESTIGATING, by=sam)

    with pytest.raises(InvalidTransition, match="Only a resolved complaint can be reopened."):
        services.complaint_reopen(complaint=complaint, by=alice)


# --- Refused moves --------------------------------------------------------------------------------

REFUSED = [
    (Status.RECEIVED, Status.INVESTIGATING),
    (Status.RECEIVED, Status.RESOLVED),
    (Status.RECEIVED, Status.CLOSED),
    (Status.ACKNOWLEDGED, Status.RESOLVED),
    (Status.ACKNOWLEDGED, Status.CLOSED),
    (Status.INVESTIGATING, Status.CLOSED),
    (Status.INVESTIGATING, Status.RECEIVED),
    (Status.RESOLVED, Status.RECEIVED),
    (Status.DEADLOCKED, Status.INVESTIGATING),
    (Status.DEADLOCKED, Status.RESOLVED),
    (Status.CLOSED, Status.RECEIVED),
    (Status.CLOSED, Status.INVESTIGATING),
    (Status.CLOSED, Status.RESOLVED),
    (Status.CLOSED, Status.CLOSED),
]


def _snapshot(complaint):
    complaint = reload(complaint)
    return (
        complaint.status,
        complaint.resolved_at,
        complaint.closed_at,
        complaint.deadlocked_at,
        ComplaintEvent.objects.filter(complaint=complaint).count(),
        messages_for(complaint).count(),
    )


@pytest.mark.parametrize("start, to", REFUSED, ids=[f"{a.value}->{b.value}" for a, b in REFUSED])
def test_it_refuses_a_move_the_workflow_does_not_allow_and_changes_nothing(alice, sam, start, to):
    complaint = open_complaint(alice)
    if start != Status.RECEIVED:
        advance(complaint, start, by=sam)
    before = _snapshot(complaint)

    with pytest.raises(InvalidTransition) as refused:
        services.complaint_set_status(complaint=complaint, to=to, by=sam)

    message = str(refused.value)
    assert "cannot" in message
    assert start.value[:9] in message.lower()  # "investiga" as in "being investigated"
    assert _snapshot(complaint) == before


@pytest.mark.parametrize(
    "start",
    [Status.RECEIVED, Status.ACKNOWLEDGED, Status.INVESTIGATING, Status.RESOLVED, Status.DEADLOCKED, Status.CLOSED],
)
def test_staff_cannot_set_acknowledged_or_deadlocked_by_changing_the_status(alice, sam, start):
    complaint = open_complaint(alice)
    if start != Status.RECEIVED:
        advance(complaint, start, by=sam)
    before = _snapshot(complaint)

    with pytest.raises(InvalidTransition, match=r"^A complaint is acknowledged by its acknowledgement, or by hand\.$"):
        services.complaint_set_status(complaint=complaint, to=Status.ACKNOWLEDGED, by=sam)
    with pytest.raises(InvalidTransition, match=r"^Issue a deadlock letter to deadlock a complaint\.$"):
        services.complaint_set_status(complaint=complaint, to=Status.DEADLOCKED, by=sam)

    assert _snapshot(complaint) == before


@pytest.mark.parametrize(
    "start", [Status.RECEIVED, Status.ACKNOWLEDGED, Status.RESOLVED, Status.DEADLOCKED, Status.CLOSED]
)
def test_a_deadlock_letter_is_refused_unless_the_complaint_is_being_investigated(alice, sam, start, on_commit):
    complaint = open_complaint(alice)
    if start != Status.RECEIVED:
        advance(complaint, start, by=sam)
    before = _snapshot(complaint)
    sent = len(mail.outbox)

    with on_commit(), pytest.raises(InvalidTransition, match=r"cannot [a-z ]*deadlocked"):
        services.complaint_issue_deadlock(complaint=complaint, by=sam, final_position="Nothing more we can do.")

    assert _snapshot(complaint) == before
    assert len(mail.outbox) == sent


def test_an_acknowledged_complaint_cannot_be_acknowledged_by_hand_again(alice, sam, on_commit):
    with on_commit():
        complaint = open_complaint(alice)
    before = _snapshot(complaint)

    with pytest.raises(Refused):
        services.complaint_acknowledge_by_hand(complaint=reload(complaint), by=sam)

    assert _snapshot(complaint) == before


def test_the_refusal_reads_as_plain_english(alice, sam):
    """Staff read this message in the admin: it names the two states in words a person would use, not
    the customer-facing status label ("Deadlocked: you may go to the ADR scheme") lower-cased."""
    complaint = advance(open_complaint(alice), Status.DEADLOCKED, by=sam)

    with pytest.raises(InvalidTransition) as refused:
        services.complaint_set_status(complaint=complaint, to=Status.INVESTIGATING, by=sam)

    message = str(refused.value)
    assert "deadlocked" in message
    assert "you may go to the adr scheme" not in message
    assert "become being" not in message


# --- Closing old resolved complaints -----------------------------------------------------------------


def test_the_daily_job_closes_complaints_resolved_more_than_28_days_ago_and_no_others(alice, bob, sam):
    old = advance(open_complaint(alice), Status.RESOLVED, by=sam)
    recent = advance(open_complaint(alice), Status.RESOLVED, by=sam)
    reopened = advance(open_complaint(bob), Status.RESOLVED, by=sam)
    services.complaint_set_status(complaint=reopened, to=Status.INVESTIGATING, by=sam, note="Rang back.")
    deadlocked = advance(open_complaint(bob), Status.DEADLOCKED, by=sam)
    now = timezone.now()
    Complaint.objects.filter(pk=old.pk).update(resolved_at=now - timedelta(days=29))
    Complaint.objects.filter(pk=recent.pk).update(resolved_at=now - timedelta(days=27))
    Complaint.objects.filter(pk=reopened.pk).update(resolved_at=now - timedelta(days=40))
    Complaint.objects.filter(pk=deadlocked.pk).update(deadlocked_at=now - timedelta(days=60))

    assert complaints_close_resolved() == 1

    old.refresh_from_db()
    assert old.status == Status.CLOSED
    assert now <= old.closed_at <= timezone.now()
    last = events(old)[-1]
    assert (last.kind, last.by, last.text) == (
        EventKind.STATUS,
        None,
        "Closed: resolved and not reopened within the time allowed.",
    )
    assert reload(recent).status == Status.RESOLVED
    assert reload(reopened).status == Status.INVESTIGATING
    assert reload(deadlocked).status == Status.DEADLOCKED
    assert complaints_close_resolved() == 0
