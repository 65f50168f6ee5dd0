"""The poller against a real IMAP server (Dovecot): each kind of email that reaches the company's mailbox
ends where it should, once, and nothing received is lost or handled twice."""

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage

from complaints.models import ComplaintEvent, EventKind
from portal import clock
from portal.inbound import readers
from portal.models import InboundStatus, OutboxMessage
from tests.complaints.helpers import open_complaint
from tests.helpers import ldn
from tests.inbound.helpers import bounce, email, poll, stored

pytestmark = pytest.mark.django_db


@pytest.fixture
def alices_complaint(alice):
    """Alice's complaint of an hour ago, whose acknowledgement (with its Message-ID) she will reply to.
    (IMAP keeps arrival times to the second: an email appended in the same second as the complaint was
    made could read as arriving before it, which no reply can.)"""
    return open_complaint(alice, received_at=clock.now() - timedelta(hours=1))


def _receipts():
    return OutboxMessage.objects.filter(kind="inbound_receipt")


def test_each_kind_of_email_ends_where_it_should_once(mailbox, alice, bob, alices_complaint, settings):
    settings.INBOUND_MAX_ATTACHMENT_BYTES = 2000
    ack_id = alices_complaint.ack_message.message_id
    duplicate = email(subject="Cancel my line", body="Please cancel my FTTC line. My account username is alice.")
    mailbox.append(email(subject="Broadband down", body="My FTTC line has been down since 10pm. Alice"))
    mailbox.append(
        email(subject="Re: We have received your complaint", body="Thank you, any news?", in_reply_to=ack_id)
    )
    mailbox.append(duplicate)
    mailbox.append(duplicate)
    mailbox.append(
        email(
            subject="Out of office: We have received your complaint",
            body="I am away until Monday.",
            in_reply_to=ack_id,
            headers={"Auto-Submitted": "auto-replied"},
        )
    )
    mailbox.append(bounce(original_message_id=ack_id))
    mailbox.append(
        email(
            sender="bob@example.co.uk",
            name="Bob Brown",
            subject=f"About {alices_complaint.reference}",
            body="I am writing about this complaint.",
        )
    )
    mailbox.append(
        email(
            subject="Photos of the router",
            body="Here is a photo of the lights.",
            attachments=[("router.jpg", b"\xff\xd8" * 5000, "image/jpeg"), ("note.txt", b"small", "text/plain")],
        )
    )

    counts = poll()

    assert counts["fetched"] == 8 and counts["stored"] == 7 and counts["already stored"] == 1
    assert mailbox.count("INBOX") == 0 and mailbox.count("Processed") == 8  # moved, never deleted
    fault = stored(subject="Broadband down").get()
    assert (fault.status, fault.customer) == (InboundStatus.TRIAGE, alice)
    assert fault.receipt.to_email == "alice@example.co.uk"

    reply = stored(subject="Re: We have received your complaint").get()
    assert (reply.status, reply.case_reference, reply.receipt) == (
        InboundStatus.JOINED,
        alices_complaint.reference,
        None,
    )
    [message] = ComplaintEvent.objects.filter(complaint=alices_complaint, kind=EventKind.CUSTOMER_MESSAGE)
    assert (message.text, message.via, message.email, message.at) == (
        "Thank you, any news?",
        "email",
        reply,
        reply.received_at,
    )
    alices_complaint.refresh_from_db()
    assert alices_complaint.customer_waiting_since == reply.received_at
    assert OutboxMessage.objects.filter(kind="complaint_customer_message").count() == 1  # customer services told

    cancellation = stored(subject="Cancel my line").get()
    assert cancellation.status == InboundStatus.TRIAGE and cancellation.receipt is not None

    for robot in stored(status=InboundStatus.ROBOT):
        assert robot.receipt is None and robot.case_reference == ""
    assert {r.robot_reason for r in stored(status=InboundStatus.ROBOT)} == {
        "Auto-Submitted: auto-replied",
        "bounce (Return-Path <>)",
    }

    forged = stored(from_address="bob@example.co.uk").get()
    assert (forged.status, forged.customer, forged.case_reference) == (InboundStatus.TRIAGE, bob, "")
    assert "not that customer's email address" in forged.note

    photos = stored(subject="Photos of the router").get()
    assert [(a.filename, a.refused) for a in photos.attachments.all()] == [("router.jpg", True), ("note.txt", False)]
    assert "refused" in photos.note and "router.jpg" in photos.receipt.body_text

    # Only the one customer's reply went on a timeline; 4 new emails from people got one receipt each.
    assert ComplaintEvent.objects.filter(kind=EventKind.CUSTOMER_MESSAGE).count() == 1
    assert _receipts().count() == 4

    # A second pass (and the same emails put back in the mailbox) adds nothing.
    mailbox.append(duplicate)
    again = poll()
    assert again["already stored"] == 1 and again["stored"] == 0
    assert stored().count() == 7 and _receipts().count() == 4
    assert ComplaintEvent.objects.filter(kind=EventKind.CUSTOMER_MESSAGE).count() == 1


def test_the_raw_email_is_kept_byte_for_byte_with_the_servers_received_time(mailbox, alice):
    raw = email(subject="Fault at the weekend", body="No dial tone.")
    mailbox.append(raw, at=ldn(2026, 11, 28, 23, 0))  # Saturday 11 pm

    poll()

    kept = stored().get()
    assert kept.received_at == ldn(2026, 11, 28, 23, 0)
    with default_storage.open(kept.raw.name, "rb") as f:
        assert f.read().replace(b"\r\n", b"\n") == raw.replace(b"\r\n", b"\n")


def test_a_complaint_emailed_on_friday_afternoon_is_acknowledged_24_office_hours_from_its_arrival(mailbox, alice, sam):
    from portal.inbound.services import inbound_convert

    friday_4pm = ldn(2026, 11, 27, 16, 0)
    mailbox.append(email(subject="Complaint", body="Nobody has called me back about my fault."), at=friday_4pm)
    poll()

    complaint = inbound_convert(
        message=stored().get(),
        conversion="complaint",
        by=sam,
        data={
            "category": "service",
            "what_happened": "No call back.",
            "desired_outcome": "",
            "reply_by": "email",
            "service": None,
        },
    )

    # Code: "within 24 working hours": Friday 16:00 (1.5 h), Monday and Tuesday (8.5 h each), Wednesday 5.5 h.
    assert complaint.received_at == friday_4pm
    assert complaint.ack_due_at == ldn(2026, 12, 2, 14, 30)


def test_a_receipt_goes_at_once_at_any_hour_quoting_the_reference_and_the_next_opening(mailbox, alice, monkeypatch):
    saturday_night = ldn(2026, 11, 28, 23, 0)
    monkeypatch.setattr(clock, "now", lambda: saturday_night + timedelta(minutes=1))
    mailbox.append(email(subject="Line dead", body="My phone line is dead."), at=saturday_night)

    poll()

    kept = stored().get()
    receipt = kept.receipt
    assert receipt.created_at == saturday_night + timedelta(minutes=1)  # at once, not on Monday
    assert kept.reference in receipt.subject and kept.reference in receipt.body_text
    assert "It next opens on Monday 30 November at 09:00" in receipt.body_text
    assert receipt.in_reply_to == kept.message_id and kept.message_id in receipt.references.split()


def test_a_malformed_email_a_foreign_charset_and_an_html_only_email_are_read_as_text(mailbox, alice):
    broken = (
        b"From: Alice Archer <alice@example.co.uk>\r\nSubject: Broken\r\nMessage-ID: <broken@example.co.uk>\r\n"
        b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="never-closed"\r\n\r\n'
        b"--never-closed\r\nContent-Type: text/plain\r\n\r\nMy line crackles.\r\n"
    )
    latin = (
        b"From: =?iso-8859-1?q?Ren=E9e_Dupr=E9?= <alice@example.co.uk>\r\nSubject: =?koi8-r?b?8NLJ18XU?=\r\n"
        b"Message-ID: <latin@example.co.uk>\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=windows-1252\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        b"The bill says \x80120 \x96 it should be \xa360.\r\n"
    )
    unknown = (
        b"From: alice@example.co.uk\r\nSubject: Odd charset\r\nMessage-ID: <odd@example.co.uk>\r\n"
        b"Content-Type: text/plain; charset=x-no-such-charset\r\n\r\nCaf\xc3\xa9 \xff broken.\r\n"
    )
    html = email(
        subject="HTML only",
        body=None,
        html="<html><head><style>p{color:red}</style></head><body><p>Hello <b>there</b></p>"
        "<script>alert('x')</script><p>My router &amp; phone are off.</p></body></html>",
    )
    for raw in (broken, latin, unknown, html):
        mailbox.append(raw)

    poll()

    assert "My line crackles." in stored(message_id="<broken@example.co.uk>").get().text
    latin_email = stored(message_id="<latin@example.co.uk>").get()
    assert (latin_email.subject, latin_email.from_name) == ("Привет", "Renée Dupré")
    assert latin_email.text.strip() == "The bill says €120 – it should be £60."
    assert "Café" in stored(message_id="<odd@example.co.uk>").get().text
    html_email = stored(subject="HTML only").get()
    assert html_email.text_from_html and html_email.text == "Hello there\n\nMy router & phone are off."
    assert set(stored().values_list("status", flat=True)) == {InboundStatus.TRIAGE}  # none lost, none crashed


def test_an_email_that_cannot_be_read_is_kept_raw_and_flagged_and_the_pass_goes_on(mailbox, alice):
    mailbox.append(b"\x00\x01 not an email at all \xff\xfe\r\n")
    mailbox.append(email(subject="After the bad one", body="Still here."))

    counts = poll()

    flagged = stored(status=InboundStatus.FLAGGED).get()
    assert flagged.receipt is None and "no sender" in flagged.note
    assert default_storage.exists(flagged.raw.name)
    assert stored(subject="After the bad one", status=InboundStatus.TRIAGE).exists()
    assert counts["moved"] == 2


def test_a_poller_killed_between_storing_and_moving_makes_nothing_twice(mailbox, alice, monkeypatch):
    mailbox.append(email(subject="Fault", body="No broadband."))

    def killed(self, items):
        raise SystemExit("killed")  # as if the process died right after the store committed

    monkeypatch.setattr(readers.ImapReader, "move", killed)
    with pytest.raises(SystemExit):
        poll()
    assert stored().count() == 1 and stored().get().status == InboundStatus.NEW  # stored, not yet sorted
    assert mailbox.count("INBOX") == 1  # not moved: still on the server

    monkeypatch.undo()
    counts = poll()

    assert counts["already stored"] == 1 and counts["moved"] == 1
    assert stored().count() == 1 and stored().get().status == InboundStatus.TRIAGE
    assert _receipts().count() == 1
    assert (mailbox.count("INBOX"), mailbox.count("Processed")) == (0, 1)


def test_a_reply_to_a_closed_complaint_waits_in_triage_with_the_reason(mailbox, alice, alices_complaint, sam):
    from tests.complaints.helpers import advance

    advance(alices_complaint, "resolved", by=sam)
    alices_complaint.refresh_from_db()
    from complaints import services

    services.complaint_set_status(complaint=alices_complaint, to="closed", by=sam)
    mailbox.append(email(subject=f"Re: {alices_complaint.reference}", body="One more thing."))

    poll()

    kept = stored().get()
    assert kept.status == InboundStatus.TRIAGE and "closed" in kept.note
    assert kept.receipt is not None


def test_the_mailbox_password_and_user_are_url_decoded(settings):
    address = readers.ImapAddress.from_url("imaps://portal%40example.co.uk:p%40ss%3Aword@mail.example.co.uk/Support")
    assert (address.tls, address.port, address.username, address.password, address.folder) == (
        True,
        993,
        "portal@example.co.uk",
        "p@ss:word",
        "Support",
    )
    assert "p@ss" not in str(address)


@pytest.fixture(scope="module")
def dovecot_with_tls():
    from tests.inbound.dovecot import Dovecot

    server = Dovecot(tls=True).start()
    yield server
    server.stop()


def test_imap_is_upgraded_with_starttls_when_offered_and_imaps_is_tls_from_the_start(
    dovecot_with_tls, settings, monkeypatch, alice
):
    from urllib.parse import quote

    from tests.inbound.dovecot import PASSWORD, USER

    monkeypatch.setenv("SSL_CERT_FILE", str(dovecot_with_tls.cert))  # the server's own certificate is trusted
    login = f"{quote(USER, safe='')}:{quote(PASSWORD, safe='')}@127.0.0.1"
    dovecot_with_tls.append(email(subject="Over TLS", body="Hello."))
    for url in (f"imap://{login}:{dovecot_with_tls.port}/INBOX", f"imaps://{login}:{dovecot_with_tls.tls_port}/INBOX"):
        reader = readers.ImapReader(readers.ImapAddress.from_url(url), processed_folder="Processed", timeout=10)
        with reader:
            assert reader.client._imap.sock.version().startswith("TLS")  # encrypted before the password went
    settings.INBOUND_IMAP_URL = f"imap://{login}:{dovecot_with_tls.port}/INBOX"
    assert poll()["stored"] == 1
