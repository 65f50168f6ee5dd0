"""The embedded default reads a maildir under var/ (`make run`): an .eml file dropped in its new/ folder is
stored, moved to the processed folder and sorted by `manage.py fetch_mail` (and by the periodic job)."""

import os
from datetime import timedelta

import pytest
from django.core.management import call_command

from faults.models import EventKind as FaultEventKind
from faults.models import FaultEvent
from orders.models import OrderEvent, OrderEventKind
from portal import clock
from portal.models import InboundStatus, OutboxMessage
from portal.tasks import inbound_fetch_mail
from tests.faults.helpers import make_service, report
from tests.helpers import ldn
from tests.inbound.helpers import email, stored
from tests.orders.helpers import place

pytestmark = pytest.mark.django_db


@pytest.fixture
def maildir(settings, tmp_path):
    settings.INBOUND_IMAP_URL = None
    settings.INBOUND_MAILDIR = tmp_path / "mail" / "inbound"
    (settings.INBOUND_MAILDIR / "new").mkdir(parents=True)  # as a newcomer makes it, to drop a file in
    return settings.INBOUND_MAILDIR


def drop(maildir, name, raw, at=None):
    path = maildir / "new" / name
    path.write_bytes(raw)
    if at is not None:
        os.utime(path, (at.timestamp(), at.timestamp()))
    return path


def test_an_eml_file_dropped_in_the_maildir_becomes_a_triage_item_and_is_moved(maildir, alice, capsys):
    delivered = ldn(2026, 11, 30, 7, 45)
    drop(maildir, "fault.eml", email(subject="No dial tone", body="Since last night."), at=delivered)

    call_command("fetch_mail")

    kept = stored().get()
    assert (kept.status, kept.customer, kept.received_at) == (InboundStatus.TRIAGE, alice, delivered)
    assert kept.source == f"maildir:{maildir}"
    assert list((maildir / "new").iterdir()) == []
    assert len(list((maildir / ".Processed" / "new").iterdir())) == 1  # kept, not deleted
    assert "stored 1" in capsys.readouterr().out


def test_the_periodic_job_reads_the_maildir_and_a_reference_in_the_subject_joins_the_case(maildir, alice, fttc):
    order = place(alice, fttc, received_at=clock.now() - timedelta(days=2))
    service = make_service(alice)
    fault = report(alice, service, at=clock.now() - timedelta(hours=3))
    drop(maildir, "a.eml", email(subject=f"Re: your order {order.reference}", body="Can it be a Tuesday?"))
    drop(maildir, "b.eml", email(subject=f"{fault.reference} still broken", body="Still no broadband.\n\n> quoted"))

    inbound_fetch_mail()

    note = OrderEvent.objects.get(order=order, kind=OrderEventKind.CUSTOMER_MESSAGE)
    assert (note.text, note.via) == ("Can it be a Tuesday?", "email")
    assert OutboxMessage.objects.filter(kind="order_customer_message").exists()  # customer services told
    message = FaultEvent.objects.get(fault=fault, kind=FaultEventKind.CUSTOMER_MESSAGE)
    assert message.text == "Still no broadband."  # the quoted copy of our email stays in the original only
    assert set(stored().values_list("status", flat=True)) == {InboundStatus.JOINED}
    assert not OutboxMessage.objects.filter(kind="inbound_receipt").exists()  # replies joining a case get none


def test_the_periodic_job_survives_an_unreachable_mailbox(settings, caplog):
    settings.INBOUND_IMAP_URL = "imap://portal:secret@127.0.0.1:1/INBOX"  # nothing listens on port 1

    assert inbound_fetch_mail() is None
    assert "The mailbox could not be read" in caplog.text
