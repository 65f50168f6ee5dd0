"""Delivery at least once, with one identity: a claim is a lease, a worker that dies leaves nothing lost,
and what may have arrived is never sent again blindly (portal/delivery.py).

A worker's death is played by claiming a message (delivery.claim) and never finishing: the claim's lease
then runs out, as it does when the process is killed. A real kill, against a real mail server, is in
tests/integration/test_faults.py.
"""

import asyncio
import smtplib
import socket
from datetime import timedelta
from email import message_from_bytes
from unittest import mock

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from complaints import services as complaint_services
from complaints.models import Status as ComplaintStatus
from portal import delivery, outbox, smtp
from portal.models import OutboxMessage, Status

OUTBOX_URL = "/admin/portal/outboxmessage/"


def email_alice(alice, *, kind="code_copy", subject="The 121 Communications Code of Practice"):
    """code_copy is a message the Code promises; welcome is not."""
    return outbox.email(
        kind=kind,
        to_email=alice.email,
        to_name=alice.full_name,
        template="portal/code_copy",
        subject=subject,
        context={},
        customer=alice,
    )


def reload(message):
    return OutboxMessage.objects.get(pk=message.pk)


def died(message, *, handed_over, settings):
    """A worker claimed the message a lease ago and died: before handing it to the mail server, or after.
    Its claim has just run out; returns now."""
    now = timezone.now()
    claimed = now - timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS + 1)
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=claimed)
    assert delivery.claim(message.pk, now=claimed)
    if handed_over:
        OutboxMessage.objects.filter(pk=message.pk).update(handed_over_at=claimed)
    return now


def test_while_a_claim_holds_nobody_else_sends_and_once_it_runs_out_the_message_is_sent(alice, settings):
    message = email_alice(alice, kind="welcome")
    ran_out = died(message, handed_over=False, settings=settings)

    assert delivery.deliver(message.pk, now=ran_out - timedelta(seconds=5)) is None  # still held then
    assert mail.outbox == []
    assert delivery.deliver(message.pk, now=ran_out) == Status.SENT

    [sent] = mail.outbox
    message = reload(message)
    assert (message.status, message.attempts, message.maybe_delivered) == (Status.SENT, 2, False)
    assert sent.extra_headers["Message-ID"] == message.message_id


def test_a_promised_email_whose_worker_died_after_handing_it_over_is_sent_again_as_the_same_message(alice, settings):
    message = email_alice(alice)  # a copy of the Code: promised
    ran_out = died(message, handed_over=True, settings=settings)

    assert delivery.deliver(message.pk, now=ran_out) == Status.SENT

    [sent] = mail.outbox
    message = reload(message)
    assert sent.extra_headers["Message-ID"] == message.message_id
    assert message.status == Status.SENT
    assert message.maybe_delivered  # the customer may have two copies, with one Message-ID


def test_any_other_email_that_may_have_arrived_is_left_unknown_for_staff(alice, settings):
    message = email_alice(alice, kind="welcome")
    ran_out = died(message, handed_over=True, settings=settings)

    assert delivery.deliver(message.pk, now=ran_out) is None  # not taken again by itself
    assert delivery.requeue_waiting(now=ran_out) == (0, 0, 1, 0)

    message = reload(message)
    assert message.status == Status.UNKNOWN
    assert "Check whether it arrived" in message.last_error
    assert outbox.retry_now(message=message) is False  # "send again" is only for what has not gone
    assert mail.outbox == []


def test_a_message_a_worker_keeps_dying_on_is_flagged_after_its_last_attempt(alice, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    message = email_alice(alice)
    died(message, handed_over=False, settings=settings)
    OutboxMessage.objects.filter(pk=message.pk).update(status=Status.QUEUED)  # and again
    ran_out = died(message, handed_over=False, settings=settings)

    assert delivery.requeue_waiting(now=ran_out) == (0, 0, 0, 1)

    message = reload(message)
    assert (message.status, message.attempts) == (Status.FAILED, 2)
    assert mail.outbox == []


def test_a_worker_whose_claim_was_taken_over_hands_nothing_over(alice, settings):
    message = email_alice(alice, kind="welcome")
    token = delivery.claim(message.pk, now=timezone.now())
    taken_over_at = timezone.now() + timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS + 1)
    assert delivery.deliver(message.pk, now=taken_over_at) == Status.SENT  # the second worker sends it

    assert delivery._send_email(reload(message), token) is None  # the first one, slow but alive

    assert len(mail.outbox) == 1


def test_a_task_that_finds_a_live_claim_looks_again_when_it_runs_out(alice, settings):
    message = email_alice(alice)
    now = timezone.now()
    delivery.claim(message.pk, now=now)

    with mock.patch("portal.delivery.enqueue") as enqueue:
        assert delivery.deliver(message.pk, now=now + timedelta(seconds=10), look_again=True) is None

    ((message_id,), kwargs) = enqueue.call_args
    assert message_id == message.pk
    assert kwargs["countdown"] == pytest.approx(settings.OUTBOX_CLAIM_SECONDS - 10 + 1)


# --- Staff and the unknown ---------------------------------------------------------------------


@pytest.fixture
def unknown_ack(alice, settings):
    """Alice's complaint, whose acknowledgement's worker died after handing it over, on its last attempt."""
    settings.OUTBOX_MAX_ATTEMPTS = 1
    complaint = complaint_services.complaint_open(
        customer=alice, category="service", what_happened="My line has been dead for a week and nobody called."
    )
    ran_out = died(complaint.ack_message, handed_over=True, settings=settings)
    delivery.requeue_waiting(now=ran_out)
    assert reload(complaint.ack_message).status == Status.UNKNOWN
    return complaint


def test_an_unknown_acknowledgement_that_staff_confirm_arrived_acknowledges_the_complaint(client, sam, unknown_ack):
    client.force_login(sam)

    response = client.post(
        OUTBOX_URL, {"action": "unknown_arrived", "_selected_action": [unknown_ack.ack_message_id]}, follow=True
    )

    assert "1 message(s) marked as sent." in response.content.decode()
    message = reload(unknown_ack.ack_message)
    assert message.status == Status.SENT
    assert message.sent_at == message.claimed_at  # as of its handing over, not of the click
    assert message.server_reply == "Arrived, as Sam Service checked."
    unknown_ack.refresh_from_db()
    assert unknown_ack.status == ComplaintStatus.ACKNOWLEDGED
    assert mail.outbox == []


def test_send_again_leaves_unknown_messages_alone_and_says_why(client, sam, unknown_ack, on_commit):
    client.force_login(sam)

    with on_commit():
        response = client.post(
            OUTBOX_URL, {"action": "send_again", "_selected_action": [unknown_ack.ack_message_id]}, follow=True
        )

    page = response.content.decode()
    assert "0 message(s) queued to send again." in page
    assert "1 message(s) not sent again: their outcome is unknown and they may have arrived." in page
    assert mail.outbox == []
    assert reload(unknown_ack.ack_message).status == Status.UNKNOWN


def test_an_unknown_message_that_did_not_arrive_is_sent_again_as_the_same_message(client, sam, unknown_ack, on_commit):
    client.force_login(sam)

    with on_commit():
        client.post(OUTBOX_URL, {"action": "unknown_did_not_arrive", "_selected_action": [unknown_ack.ack_message_id]})

    [sent] = mail.outbox
    message = reload(unknown_ack.ack_message)
    assert sent.extra_headers["Message-ID"] == message.message_id
    assert message.status == Status.SENT
    unknown_ack.refresh_from_db()
    assert unknown_ack.status == ComplaintStatus.ACKNOWLEDGED


def test_staff_find_unknown_messages_on_the_front_page_and_in_their_filter(client, sam, unknown_ack):
    client.force_login(sam)

    front = client.get(reverse("admin:index")).content.decode()
    flagged = client.get(OUTBOX_URL, {"attention": "unknown"})

    assert "may or may not have arrived" in front
    assert [m.pk for m in flagged.context["cl"].result_list] == [unknown_ack.ack_message_id]


# --- A real SMTP conversation ------------------------------------------------------------------


class Recorder:
    """An SMTP server's handler that keeps what it accepted; `drop` hangs up instead of answering."""

    def __init__(self):
        self.accepted, self.drop = [], False

    async def handle_DATA(self, server, session, envelope):
        if self.drop:
            server.transport.close()
            await asyncio.sleep(0)
            return "451 gone"
        self.accepted.append(message_from_bytes(envelope.content))
        return "250 2.0.0 Ok: queued as 7F3A21"


@pytest.fixture
def smtp_server(settings):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "portal.smtp.OutboxSMTPBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield recorder
    controller.stop()


def test_an_email_is_marked_sent_with_the_servers_reply_before_the_connection_closes(alice, smtp_server):
    message = email_alice(alice)
    at_close = []
    close = smtp.OutboxSMTPBackend.close

    def watched_close(backend):
        at_close.append(reload(message).status)
        close(backend)

    with mock.patch.object(smtp.OutboxSMTPBackend, "close", watched_close):
        assert delivery.deliver(message.pk) == Status.SENT

    assert at_close == [Status.SENT]
    [received] = smtp_server.accepted
    message = reload(message)
    assert received["Message-ID"] == message.message_id
    assert message.server_reply == "250 2.0.0 Ok: queued as 7F3A21"
    assert message.handed_over_at is not None and message.sent_at >= message.handed_over_at


def test_a_connection_dropped_after_handing_over_leaves_an_email_unknown_and_a_promised_one_retried_soon(
    alice, smtp_server, settings
):
    settings.OUTBOX_RETRY_FIRST_SECONDS = 5
    smtp_server.drop = True
    welcome, code_copy = email_alice(alice, kind="welcome"), email_alice(alice)

    assert delivery.deliver(welcome.pk) == Status.UNKNOWN
    before = timezone.now()
    assert delivery.deliver(code_copy.pk) == Status.QUEUED

    assert "SMTPServerDisconnected" in reload(welcome).last_error
    code_copy = reload(code_copy)
    assert code_copy.maybe_delivered
    assert code_copy.next_attempt_at <= before + timedelta(seconds=5)


def test_a_refusal_is_failed_not_unknown_and_retried_later(alice, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    message = email_alice(alice, kind="welcome")
    refused = smtplib.SMTPDataError(554, b"5.7.1 Message rejected")

    with mock.patch.object(mail.backends.locmem.EmailBackend, "send_messages", side_effect=refused):
        assert delivery.deliver(message.pk) == Status.FAILED

    message = reload(message)
    assert not message.maybe_delivered
    assert "Message rejected" in message.last_error


@pytest.mark.django_db(transaction=True)
def test_the_sent_mark_waits_for_the_database_to_come_back(alice):
    """The server has the message: a row left "sending" would be sent again, so the mark is retried."""
    with mock.patch("portal.outbox.enqueue"):  # committed at once here: no worker may send it first
        message = email_alice(alice)
    real_filter = OutboxMessage.objects.filter
    failures = []

    def filter_while_restarting(*args, **kwargs):
        if kwargs.get("status__in") and not failures:
            failures.append(1)
            raise OperationalError("terminating connection due to administrator command")
        return real_filter(*args, **kwargs)

    with mock.patch.object(OutboxMessage.objects, "filter", side_effect=filter_while_restarting):
        assert outbox.record_sent(message.pk, at=timezone.now(), reply="250 Ok") is True

    assert failures == [1]
    assert reload(message).status == Status.SENT


# --- Letters -----------------------------------------------------------------------------------


def carols_letter(carol):
    return outbox.send_to_customer(
        carol, kind="welcome", template="accounts/welcome", subject="Welcome to 121 Communications", context={}
    )


def test_a_letter_whose_worker_died_rendering_is_rendered_again_once(carol, settings):
    letter = carols_letter(carol)
    ran_out = died(letter, handed_over=False, settings=settings)

    assert delivery.requeue_waiting(now=ran_out) == (0, 1, 0, 0)

    letter = reload(letter)
    assert (letter.status, letter.attempts) == (Status.TO_PRINT, 2)
    assert letter.attachments.filter(filename="letter.pdf").count() == 1
    assert delivery.requeue_waiting(now=ran_out + timedelta(hours=1)) == (0, 0, 0, 0)
    assert delivery.deliver(letter.pk, now=ran_out + timedelta(hours=1)) is None
    assert reload(letter).attempts == 2


def test_a_letter_is_never_in_the_print_queue_twice(carol, settings):
    letter = carols_letter(carol)
    slow = delivery.claim(letter.pk, now=timezone.now())
    later = timezone.now() + timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS + 1)
    assert delivery.deliver(letter.pk, now=later) == Status.TO_PRINT  # another worker took it over

    assert delivery._print_letter(reload(letter), slow) is None  # the slow one finishes after all

    letter = reload(letter)
    assert letter.status == Status.TO_PRINT
    assert letter.attachments.filter(filename="letter.pdf").count() == 1
    assert OutboxMessage.objects.filter(customer=carol, status=Status.TO_PRINT).count() == 1
