"""The automatic receipt never starts a loop: not to our own address or a colleague's, and no more than
INBOUND_RECEIPTS_PER_SENDER_PER_HOUR to one address, for a robot that hides what it is."""

import pytest

from portal.inbound.sorting import sort
from portal.inbound.storing import store
from portal.models import InboundStatus, OutboxMessage
from tests.inbound.helpers import email, stored

pytestmark = pytest.mark.django_db


def _arrives(raw):
    message, _ = store(raw)
    return sort(message.pk)


def test_no_receipt_goes_to_our_own_mailbox_or_to_a_colleague(settings, sam):
    _arrives(email(sender=settings.REPLY_TO_EMAIL.lower(), name="", subject="Copy", body="Our own email."))
    _arrives(email(sender=sam.email, name="Sam", subject="Re: Customer replied", body="I'll take this one."))

    assert stored(status=InboundStatus.TRIAGE).count() == 2
    assert not OutboxMessage.objects.filter(kind="inbound_receipt").exists()


def test_one_address_gets_at_most_the_hourly_number_of_receipts(settings):
    settings.INBOUND_RECEIPTS_PER_SENDER_PER_HOUR = 2
    for n in range(3):
        _arrives(email(sender="helpdesk@robot.example", name="", subject=f"Ticket {n}", body="We got your mail."))

    assert stored(status=InboundStatus.TRIAGE).count() == 3  # all kept for staff
    assert OutboxMessage.objects.filter(kind="inbound_receipt", to_email="helpdesk@robot.example").count() == 2


def test_a_receipt_says_it_is_an_automatic_reply_so_other_robots_leave_it_alone(alice, on_commit):
    from django.core import mail

    with on_commit():
        _arrives(email(subject="My line is dead", body="Since this morning."))
    [receipt] = [m for m in mail.outbox if m.subject.startswith("We have received your email")]
    assert receipt.extra_headers["Auto-Submitted"] == "auto-replied"
