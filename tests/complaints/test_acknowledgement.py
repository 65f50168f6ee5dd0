"""Code: "We will acknowledge all complaints received by letter, or e-mail within 24 working hours."

The due time (24 office hours from the real receipt), how the acknowledgement travels (email, or a
letter in the print queue), exactly one of it, acknowledgement by hand, and the job that warns customer
services before a due time passes.
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.groups import CUSTOMER_SERVICES
from complaints import services
from complaints.models import Channel, Complaint, ComplaintEvent, EventKind, ReplyBy, Status
from complaints.tasks import complaints_alert_unacknowledged
from portal import delivery, outbox
from portal.models import Channel as MessageChannel
from portal.models import OutboxMessage
from portal.models import Status as MessageStatus
from portal.office_hours import add_office_hours, london
from portal.workflow import Refused
from tests.complaints.helpers import (
    at_risk_complaint,
    letter_pdf_text,
    messages_for,
    open_complaint,
    overdue_complaint,
    reload,
)
from tests.factories import StaffFactory
from tests.helpers import emails_to, ldn, visible_text

# (received, London; acknowledgement due, London; why). The first two are DESIGN.md's worked examples.
DUE_TIMES = [
    (ldn(2026, 4, 1, 12, 0), ldn(2026, 4, 8, 10, 30), "Good Friday and Easter Monday skipped"),
    (ldn(2026, 3, 27, 17, 0), ldn(2026, 4, 1, 15, 30), "the clocks go forward in between"),
    # 1.5 h on Friday, 8.5 h on Monday and on Tuesday, the last 5.5 h on Wednesday.
    (ldn(2026, 11, 27, 16, 0), ldn(2026, 12, 2, 14, 30), "a Friday afternoon complaint"),
    # 2.5 h on Christmas Eve; Fri 25 Dec and Mon 28 Dec (Boxing Day's substitute) closed; 8.5 h on the
    # 29th and 30th; 4.5 h on the 31st. New Year's Day is never reached.
    (ldn(2026, 12, 24, 15, 0), ldn(2026, 12, 31, 13, 30), "over Christmas"),
]


@pytest.mark.parametrize("received, due, why", DUE_TIMES, ids=[why for *_, why in DUE_TIMES])
def test_the_acknowledgement_is_due_24_office_hours_after_receipt(client, alice, received, due, why):
    complaint = open_complaint(alice, received_at=received, now=received)

    assert complaint.ack_due_at == due
    assert OutboxMessage.objects.get(pk=complaint.ack_message_id).due_at == due
    client.force_login(alice)
    text = visible_text(client.get(reverse("complaints:complaint_detail", args=[complaint.pk])))
    local = london(due)
    assert f"Acknowledgement due {local:%A} {local.day} {local:%B %Y, %H:%M}" in text


def test_a_complaint_staff_type_in_later_counts_from_when_it_really_arrived(alice, sam):
    # Alice rang on Wednesday at noon; Sam typed the call in on Thursday afternoon.
    received, typed = ldn(2026, 4, 1, 12, 0), ldn(2026, 4, 2, 16, 45)

    complaint = open_complaint(alice, channel=Channel.PHONE, recorded_by=sam, received_at=received, now=typed)

    assert complaint.received_at == received
    assert complaint.ack_due_at == ldn(2026, 4, 8, 10, 30)
    assert complaint.ack_due_at != add_office_hours(typed, 24)
    event = ComplaintEvent.objects.get(complaint=complaint, kind=EventKind.RECEIVED)
    assert (event.at, event.by, event.text) == (received, sam, "Complaint received by phone.")


def test_a_complaint_cannot_be_received_in_the_future(alice, sam):
    now = timezone.now()
    with pytest.raises(Refused, match="cannot be in the future"):
        open_complaint(alice, channel=Channel.PHONE, recorded_by=sam, received_at=now + timedelta(hours=1), now=now)
    assert not Complaint.objects.exists()


# --- By email or by letter --------------------------------------------------------------------------


@pytest.fixture
def by_letter(alice, carol, sam):
    """The three reasons for a posted acknowledgement."""
    return {
        "the customer has no email": lambda: open_complaint(carol),
        "the customer asked for letters": lambda: open_complaint(alice, reply_by=ReplyBy.LETTER),
        "the complaint came by letter": lambda: open_complaint(alice, channel=Channel.LETTER, recorded_by=sam),
    }


@pytest.mark.parametrize(
    "why", ["the customer has no email", "the customer asked for letters", "the complaint came by letter"]
)
def test_the_acknowledgement_is_a_letter_in_the_print_queue_when(why, by_letter, on_commit):
    with on_commit():
        complaint = by_letter[why]()

    assert mail.outbox == []
    message = OutboxMessage.objects.get(pk=complaint.ack_message_id)
    assert message.channel == MessageChannel.LETTER
    assert message.status == MessageStatus.TO_PRINT
    text = letter_pdf_text(message)
    customer = complaint.customer
    assert complaint.reference in text
    assert f"Dear {customer.full_name}," in text
    for line in customer.postal_lines:
        assert line in text
    assert "Thank you for your complaint" in text
    # Not acknowledged until the letter is posted.
    assert reload(complaint).status == Status.RECEIVED


def test_carols_acknowledgement_is_addressed_to_her_business(carol, on_commit):
    with on_commit():
        complaint = open_complaint(carol)

    message = OutboxMessage.objects.get(pk=complaint.ack_message_id)
    assert message.postal_address == "Carol's Bakery Ltd\n3 High Street\nMaidstone\nKent\nME14 1AB"
    text = letter_pdf_text(message)
    assert "Carol Baker Carol's Bakery Ltd 3 High Street Maidstone Kent ME14 1AB" in text
    assert "carolsbakery" in text  # the account username she quotes


@pytest.mark.parametrize("channel", [Channel.PORTAL, Channel.EMAIL, Channel.PHONE, Channel.IN_PERSON])
def test_the_acknowledgement_is_an_email_otherwise(alice, sam, channel, on_commit):
    with on_commit():
        complaint = open_complaint(alice, channel=channel, recorded_by=None if channel == Channel.PORTAL else sam)

    assert OutboxMessage.objects.filter(channel=MessageChannel.LETTER).count() == 0
    assert [m.subject for m in mail.outbox] == [f"We have received your complaint ({complaint.reference})"]
    assert reload(complaint).status == Status.ACKNOWLEDGED


def test_a_posted_acknowledgement_counts_from_when_staff_mark_it_posted(carol, sam, on_commit):
    with on_commit():
        complaint = open_complaint(carol)
    message = OutboxMessage.objects.get(pk=complaint.ack_message_id)
    assert reload(complaint).status == Status.RECEIVED
    posted_at = timezone.now()

    with on_commit():
        assert outbox.mark_posted(message=message, by=sam, now=posted_at)

    complaint.refresh_from_db()
    assert complaint.status == Status.ACKNOWLEDGED
    assert complaint.acknowledged_at == posted_at == reload(message).sent_at
    event = ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.STATUS).get()
    assert event.text == "We acknowledged your complaint by letter."
    assert event.at == posted_at


def test_marking_the_letter_posted_twice_acknowledges_once(carol, sam, on_commit):
    with on_commit():
        complaint = open_complaint(carol)
    message = OutboxMessage.objects.get(pk=complaint.ack_message_id)
    with on_commit():
        outbox.mark_posted(message=message, by=sam)
    with on_commit():
        assert not outbox.mark_posted(message=message, by=sam)

    assert ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.STATUS).count() == 1


# --- Exactly one acknowledgement ---------------------------------------------------------------------


def test_it_sends_no_second_acknowledgement(alice, on_commit):
    with on_commit():
        complaint = open_complaint(alice)
    assert len(mail.outbox) == 1

    with on_commit():
        assert delivery.deliver(complaint.ack_message_id) is None
        outbox.enqueue(complaint.ack_message_id)
        outbox.enqueue(complaint.ack_message_id)
        complaints_alert_unacknowledged()

    assert len(mail.outbox) == 1
    assert messages_for(complaint).count() == 1
    assert ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.STATUS).count() == 1


def test_staff_who_acknowledge_during_the_call_send_nothing_more(alice, sam, on_commit):
    received = timezone.now() - timedelta(minutes=5)

    with on_commit():
        complaint = open_complaint(
            alice, channel=Channel.PHONE, recorded_by=sam, received_at=received, acknowledged_by_hand=True
        )

    assert mail.outbox == []
    assert not OutboxMessage.objects.exists()
    complaint.refresh_from_db()
    assert complaint.status == Status.ACKNOWLEDGED
    assert complaint.ack_message is None
    assert complaint.ack_by_hand == sam
    assert complaint.acknowledged_at == received
    event = ComplaintEvent.objects.get(complaint=complaint, kind=EventKind.STATUS)
    assert (event.by, event.text) == (sam, "Acknowledged in person by Sam Service.")


@pytest.fixture
def carols_complaint(carol, on_commit):
    """Carol's complaint, its acknowledgement letter printed and waiting to be posted."""
    with on_commit():
        complaint = open_complaint(carol)
    assert OutboxMessage.objects.get(pk=complaint.ack_message_id).status == MessageStatus.TO_PRINT
    return complaint


def test_acknowledging_by_hand_takes_the_letter_out_of_the_print_queue(client, sam, carols_complaint, on_commit):
    client.force_login(sam)

    with on_commit():
        response = client.post(
            reverse("admin:complaints_complaint_acknowledge", args=[carols_complaint.pk]), follow=True
        )

    assert "Recorded as acknowledged by you; no automatic acknowledgement will follow." in visible_text(response)
    letter = OutboxMessage.objects.get(pk=carols_complaint.ack_message_id)
    assert letter.status == MessageStatus.CANCELLED
    assert "Carol Baker" not in client.get("/admin/portal/printqueueletter/").content.decode()
    # Nobody can post it any more.
    with on_commit():
        assert not outbox.mark_posted(message=letter, by=sam)
    assert reload(letter).status == MessageStatus.CANCELLED
    complaint = reload(carols_complaint)
    assert complaint.status == Status.ACKNOWLEDGED
    assert complaint.ack_by_hand == sam
    assert ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.STATUS).get().by == sam


def test_acknowledging_by_hand_is_refused_once_the_email_has_gone(client, alice, sam, on_commit):
    with on_commit():
        complaint = open_complaint(alice)
    complaint.refresh_from_db()
    events_before = ComplaintEvent.objects.filter(complaint=complaint).count()
    client.force_login(sam)

    response = client.post(reverse("admin:complaints_complaint_acknowledge", args=[complaint.pk]), follow=True)

    assert "The acknowledgement has already gone to the customer." in visible_text(response)
    after = reload(complaint)
    assert after.ack_by_hand is None
    assert after.acknowledged_at == complaint.acknowledged_at
    assert OutboxMessage.objects.get(pk=complaint.ack_message_id).status == MessageStatus.SENT
    assert ComplaintEvent.objects.filter(complaint=complaint).count() == events_before


def test_only_staff_record_an_acknowledgement_by_hand(alice, bob):
    complaint = open_complaint(alice)

    with pytest.raises(Refused, match="Only staff"):
        services.complaint_acknowledge_by_hand(complaint=complaint, by=bob)

    assert reload(complaint).status == Status.RECEIVED
    assert OutboxMessage.objects.get(pk=complaint.ack_message_id).status == MessageStatus.QUEUED


# --- Warning customer services ----------------------------------------------------------------------


@pytest.fixture
def sue(db):
    """A second member of customer services: the alert goes to the whole team."""
    return StaffFactory(username="sue", full_name="Sue Support", group=CUSTOMER_SERVICES)


def alerts():
    return [m for m in mail.outbox if m.subject.startswith("Complaints to acknowledge")]


def test_customer_services_are_warned_of_a_complaint_about_to_miss_its_acknowledgement(
    alice, bob, sam, sue, eric, on_commit
):
    risky = at_risk_complaint(alice)  # no commit: its acknowledgement is stuck in the outbox
    in_hand = open_complaint(bob)

    with on_commit():
        counts = complaints_alert_unacknowledged()

    assert counts == {"reconciled": 0, "overdue": 0, "at_risk": 1}
    assert sorted(m.to[0] for m in alerts()) == ["Sam Service <sam@121com.co.uk>", "Sue Support <sue@121com.co.uk>"]
    assert emails_to(eric.email) == []
    email = emails_to(sam.email)[0]
    assert email.subject == "Complaints to acknowledge: 0 overdue, 1 at risk"
    assert "AT RISK (due within 2 office hours):" in email.body
    assert f"{risky.reference}  Alice Archer (alice)" in email.body
    assert "OVERDUE" not in email.body
    assert in_hand.reference not in email.body
    assert reload(risky).ack_alert_level == "at_risk"
    assert ComplaintEvent.objects.get(complaint=risky, kind=EventKind.ALERT).internal


def test_customer_services_are_warned_of_an_overdue_acknowledgement(alice, sam, on_commit):
    late = overdue_complaint(alice)

    with on_commit():
        complaints_alert_unacknowledged()

    [email] = alerts()
    assert email.to == ["Sam Service <sam@121com.co.uk>"]
    assert email.subject == "Complaints to acknowledge: 1 overdue, 0 at risk"
    assert "OVERDUE:" in email.body
    assert late.reference in email.body
    assert "AT RISK" not in email.body


def test_the_alert_job_does_not_warn_twice_about_the_same_complaint(alice, bob, sam, on_commit):
    risky = at_risk_complaint(alice)
    late = overdue_complaint(bob)
    with on_commit():
        complaints_alert_unacknowledged()
    assert len(alerts()) == 1

    with on_commit():
        counts = complaints_alert_unacknowledged()

    assert counts == {"reconciled": 0, "overdue": 0, "at_risk": 0}
    assert len(alerts()) == 1
    assert ComplaintEvent.objects.filter(kind=EventKind.ALERT).count() == 2
    assert {reload(risky).ack_alert_level, reload(late).ack_alert_level} == {"at_risk", "overdue"}


def test_the_alert_job_warns_again_when_an_at_risk_complaint_becomes_overdue(alice, sam, on_commit):
    risky = at_risk_complaint(alice)
    with on_commit():
        complaints_alert_unacknowledged()
    # Time passes: the due time is now behind us.
    Complaint.objects.filter(pk=risky.pk).update(ack_due_at=timezone.now() - timedelta(minutes=1))

    with on_commit():
        complaints_alert_unacknowledged()
    with on_commit():
        complaints_alert_unacknowledged()

    first, second = alerts()
    assert first.subject == "Complaints to acknowledge: 0 overdue, 1 at risk"
    assert second.subject == "Complaints to acknowledge: 1 overdue, 0 at risk"
    assert risky.reference in second.body
    assert reload(risky).ack_alert_level == "overdue"


def test_acknowledged_complaints_are_never_alerted(alice, bob, sam, on_commit):
    with on_commit():
        overdue_complaint(alice)  # acknowledged late, but acknowledged
        at_risk_complaint(bob)
    assert Complaint.objects.filter(status=Status.ACKNOWLEDGED).count() == 2

    with on_commit():
        counts = complaints_alert_unacknowledged()

    assert counts == {"reconciled": 0, "overdue": 0, "at_risk": 0}
    assert alerts() == []
    assert not ComplaintEvent.objects.filter(kind=EventKind.ALERT).exists()


def test_a_complaint_acknowledged_by_hand_is_never_alerted(alice, sam, on_commit):
    complaint = overdue_complaint(alice)
    services.complaint_acknowledge_by_hand(complaint=complaint, by=sam)

    with on_commit():
        complaints_alert_unacknowledged()

    assert alerts() == []


@pytest.mark.parametrize("gone_as", [MessageStatus.SENT, MessageStatus.POSTED])
def test_the_alert_job_marks_acknowledged_a_complaint_whose_acknowledgement_went_but_was_not_recorded(
    alice, sam, gone_as, on_commit
):
    complaint = overdue_complaint(alice)
    sent_at = timezone.now() - timedelta(hours=3)
    # The acknowledgement went, but the after-send step failed: the row says sent, the complaint received.
    OutboxMessage.objects.filter(pk=complaint.ack_message_id).update(status=gone_as, sent_at=sent_at)

    with on_commit():
        counts = complaints_alert_unacknowledged()

    assert counts == {"reconciled": 1, "overdue": 0, "at_risk": 0}
    complaint.refresh_from_db()
    assert complaint.status == Status.ACKNOWLEDGED
    assert complaint.acknowledged_at == sent_at
    assert mail.outbox == []  # no alert, and the acknowledgement is not sent again
    assert reload(complaint).ack_alert_level == ""


def test_a_complaint_acknowledged_by_hand_does_not_claim_a_letter_was_sent(client, carol, sam, carols_complaint):
    """Carol was told on the phone; her letter was taken out of the print queue and never posted. Her
    page must not say the acknowledgement went by letter."""
    services.complaint_acknowledge_by_hand(complaint=carols_complaint, by=sam)
    acknowledged_at = reload(carols_complaint).acknowledged_at
    client.force_login(carol)

    text = visible_text(client.get(reverse("complaints:complaint_detail", args=[carols_complaint.pk])))

    local = london(acknowledged_at)
    line = f"Acknowledged {local:%A} {local.day} {local:%B %Y, %H:%M}"
    assert line in text
    assert f"{line} (letter)" not in text
