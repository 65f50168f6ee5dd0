"""Tests for portal.outbox: every email and letter is a row first, a worker sends it, nothing twice.

Unit tests run Celery tasks inline (root conftest.py), so `with on_commit(): ...` is the whole journey:
the row is written, the transaction "commits", the task runs and sends. The service functions are also
called directly (with `now=`) to play the worker's part at a chosen time.
"""

import re
from datetime import timedelta
from email import message_from_bytes
from email.utils import getaddresses
from unittest import mock

import kombu.exceptions
import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.urls import reverse
from django.utils import timezone

import portal.tasks
from portal import delivery, outbox
from portal.models import Channel, CodeCopyRequest, OutboxAttachment, OutboxMessage, Status
from portal.tasks import outbox_requeue
from tests.factories import CustomerFactory
from tests.helpers import pdf_text

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


class BrokenBackend(BaseEmailBackend):
    """A mail server that refuses every connection."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("[Errno 111] Connection refused")


class PretendSMTPServer:
    def __init__(self, envelopes):
        self.envelopes = envelopes

    def sendmail(self, from_addr, to_addrs, msg):
        self.envelopes.append((from_addr, to_addrs, msg))
        return {}

    def quit(self):
        pass


class RecordingSMTPBackend(SMTPBackend):
    """Django's SMTP backend (what production uses, with EMAIL_HOST set) talking to a pretend server
    that records each envelope: recipients as the mail server would get them, and the raw message."""

    envelopes = []

    def open(self):
        if self.connection is not None:
            return False
        self.connection = PretendSMTPServer(self.envelopes)
        return True


class DuplicateWhileSendingBackend(LocmemBackend):
    """Plays a duplicated task: while the first delivery is handing the message to the mail server, a
    second delivery of the same message runs. What the second one returned is kept for the test."""

    duplicate_results = []

    def send_messages(self, email_messages):
        for message in email_messages:
            self.duplicate_results.append(delivery.deliver(int(message.extra_headers["X-Portal-Message"])))
        return super().send_messages(email_messages)


def email_alice(alice, **overrides):
    kwargs = dict(
        kind="code_copy",
        to_email=alice.email,
        to_name=alice.full_name,
        template="portal/code_copy",
        subject="The 121 Communications Code of Practice",
        context={},
        customer=alice,
    )
    return outbox.email(**{**kwargs, **overrides})


def reload(message):
    return OutboxMessage.objects.get(pk=message.pk)


# --- Emails ------------------------------------------------------------------------------------


def test_it_writes_an_email_as_a_queued_row_and_sends_it_after_commit(alice, on_commit):
    with on_commit():
        message = email_alice(alice)
        assert reload(message).status == Status.QUEUED
        assert mail.outbox == []  # nothing leaves before the transaction commits

    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.subject == "The 121 Communications Code of Practice"
    assert sent.to == ["Alice Archer <alice@example.co.uk>"]
    assert "Dear Alice Archer" in sent.body
    assert "Code of Practice is attached as a PDF" in sent.body
    assert "<html" not in sent.body
    assert len(sent.alternatives) == 1
    html, mimetype = sent.alternatives[0]
    assert mimetype == "text/html"
    assert "<p>Dear Alice Archer,</p>" in html
    assert sent.extra_headers["X-Portal-Message"] == str(message.pk)
    message = reload(message)
    assert message.status == Status.SENT
    assert message.sent_at is not None
    assert message.attempts == 1
    assert message.last_error == ""


def test_it_sends_nothing_more_when_the_task_runs_again(alice, on_commit):
    with on_commit():
        message = email_alice(alice)

    assert delivery.deliver(message.pk) is None
    assert portal.tasks.outbox_send(message.pk) is None

    assert len(mail.outbox) == 1
    assert reload(message).attempts == 1


def test_only_the_first_of_two_deliveries_sends(alice):
    message = email_alice(alice)  # no commit: the two deliveries below play the duplicated task

    assert delivery.deliver(message.pk) == Status.SENT
    assert delivery.deliver(message.pk) is None

    assert len(mail.outbox) == 1


def test_a_duplicate_delivery_during_sending_sends_nothing(alice, settings):
    settings.EMAIL_BACKEND = "tests.portal.test_outbox.DuplicateWhileSendingBackend"
    DuplicateWhileSendingBackend.duplicate_results = []
    message = email_alice(alice)

    assert delivery.deliver(message.pk) == Status.SENT

    assert DuplicateWhileSendingBackend.duplicate_results == [None]
    assert len(mail.outbox) == 1
    assert reload(message).status == Status.SENT


def test_an_html_attachment_is_sent_as_a_real_pdf(alice, on_commit):
    with on_commit():
        message = email_alice(
            alice,
            attachments=[
                outbox.Attachment(
                    filename="your-letter.pdf",
                    html="<h1>Your copy</h1><p>Fault Repair within office hours.</p>",
                )
            ],
        )
        stored = OutboxAttachment.objects.get(message=message)
        assert stored.content is None  # rendered by the worker, not in the customer's request

    ((filename, content, mimetype),) = mail.outbox[0].attachments
    assert filename == "your-letter.pdf"
    assert mimetype == "application/pdf"
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    assert "Your copy" in text
    assert "Fault Repair within office hours." in text
    stored.refresh_from_db()
    assert bytes(stored.content) == content


def test_an_email_reaches_the_mail_server_addressed_to_one_recipient(alice, settings):
    settings.EMAIL_BACKEND = "tests.portal.test_outbox.RecordingSMTPBackend"
    RecordingSMTPBackend.envelopes = []
    message = email_alice(alice)

    assert delivery.deliver(message.pk) == Status.SENT

    ((_, recipients, raw),) = RecordingSMTPBackend.envelopes
    assert recipients == ["Alice Archer <alice@example.co.uk>"]
    assert getaddresses([message_from_bytes(raw)["To"]]) == [("Alice Archer", "alice@example.co.uk")]


def test_a_business_customer_who_takes_email_is_emailed_under_their_company_name(db, settings, on_commit):
    # display_name is "Dev Patel, Patel Plumbing Ltd": the comma must not split it into two addresses.
    dev = CustomerFactory(
        username="patelplumbing",
        full_name="Dev Patel",
        company_name="Patel Plumbing Ltd",
        customer_type="business",
        email="dev@patelplumbing.example.co.uk",
    )
    settings.EMAIL_BACKEND = "tests.portal.test_outbox.RecordingSMTPBackend"
    RecordingSMTPBackend.envelopes = []

    with on_commit():
        message = outbox.send_to_customer(
            dev, kind="welcome", template="accounts/welcome", subject="Welcome to 121 Communications", context={}
        )

    message = reload(message)
    assert message.last_error == ""
    assert message.status == Status.SENT
    ((_, recipients, raw),) = RecordingSMTPBackend.envelopes
    assert getaddresses([message_from_bytes(raw)["To"]]) == [
        ("Dev Patel, Patel Plumbing Ltd", "dev@patelplumbing.example.co.uk")
    ]


def test_an_email_without_an_address_is_refused(alice):
    with pytest.raises(outbox.Unreachable, match="no email address"):
        email_alice(alice, to_email="")

    assert not OutboxMessage.objects.exists()


# --- Failures and retries ----------------------------------------------------------------------


def test_a_failed_send_is_recorded_and_retried_later(alice, settings, on_commit):
    settings.EMAIL_BACKEND = "tests.portal.test_outbox.BrokenBackend"
    before = timezone.now()

    with on_commit():
        message = email_alice(alice)

    message = reload(message)
    assert message.status == Status.QUEUED
    assert message.attempts == 1
    assert "ConnectionRefusedError" in message.last_error
    assert "Connection refused" in message.last_error
    assert message.sent_at is None
    # The mail server could not be reached: the next try is seconds away, not minutes.
    assert before + timedelta(seconds=2.5) <= message.next_attempt_at <= timezone.now() + timedelta(seconds=5)
    assert mail.outbox == []


def test_after_a_connection_failure_the_retry_comes_within_seconds_and_later_after_each_next_one(settings):
    settings.OUTBOX_RETRY_FIRST_SECONDS = 5
    settings.OUTBOX_RETRY_MAX_SECONDS = 3600
    ceilings = [5 * 2 ** (attempts - 1) for attempts in range(1, 14)]

    for attempts, ceiling in enumerate(ceilings, start=1):
        waits = {delivery.backoff(attempts, connection_failure=True).total_seconds() for _ in range(20)}
        ceiling = min(ceiling, 3600)
        # Jitter: spread over the upper half, so messages that failed together do not come back together.
        assert all(ceiling / 2 <= wait <= ceiling for wait in waits), (attempts, waits)
        assert len(waits) > 1
    assert max(delivery.backoff(40, connection_failure=True) for _ in range(20)) <= timedelta(hours=1)


def test_after_a_refusal_the_retry_waits_minutes(settings):
    settings.OUTBOX_RETRY_REFUSED_FIRST_SECONDS = 120

    first = [delivery.backoff(1) for _ in range(20)]
    third = [delivery.backoff(3) for _ in range(20)]

    assert all(timedelta(minutes=1) <= wait <= timedelta(minutes=2) for wait in first)
    assert all(timedelta(minutes=4) <= wait <= timedelta(minutes=8) for wait in third)


def test_after_the_last_attempt_the_message_is_flagged_for_staff(alice, settings):
    settings.EMAIL_BACKEND = "tests.portal.test_outbox.BrokenBackend"
    settings.OUTBOX_MAX_ATTEMPTS = 3
    message = email_alice(alice)
    statuses = []

    for hours in range(1, 4):
        statuses.append(delivery.deliver(message.pk, now=timezone.now() + timedelta(hours=hours)))

    assert statuses == [Status.QUEUED, Status.QUEUED, Status.FAILED]
    message = reload(message)
    assert message.status == Status.FAILED
    assert message.attempts == 3
    assert "ConnectionRefusedError" in message.last_error
    # A failed message is left for staff: no later delivery picks it up by itself.
    assert delivery.deliver(message.pk, now=timezone.now() + timedelta(days=1)) is None
    assert delivery.requeue_waiting(now=timezone.now() + timedelta(days=1)) == (0, 0, 0, 0)
    assert reload(message).status == Status.FAILED


def test_once_the_mail_server_works_again_the_message_goes_once_its_time_has_come(alice, settings):
    settings.EMAIL_BACKEND = "tests.portal.test_outbox.BrokenBackend"
    message = email_alice(alice)
    assert delivery.deliver(message.pk) == Status.QUEUED
    retry_at = reload(message).next_attempt_at
    settings.EMAIL_BACKEND = LOCMEM

    assert delivery.deliver(message.pk) is None  # not yet: it is backing off
    assert mail.outbox == []
    assert delivery.deliver(message.pk, now=retry_at) == Status.SENT
    assert delivery.deliver(message.pk, now=retry_at) is None

    assert len(mail.outbox) == 1
    message = reload(message)
    assert message.status == Status.SENT
    assert message.attempts == 2
    assert message.last_error == ""


def test_staff_can_send_a_failed_message_again(alice, settings, on_commit):
    settings.EMAIL_BACKEND = "tests.portal.test_outbox.BrokenBackend"
    settings.OUTBOX_MAX_ATTEMPTS = 1
    message = email_alice(alice)
    assert delivery.deliver(message.pk) == Status.FAILED
    settings.EMAIL_BACKEND = LOCMEM

    with on_commit():
        assert outbox.retry_now(message=message) is True

    assert len(mail.outbox) == 1
    message = reload(message)
    assert message.status == Status.SENT
    assert message.attempts == 1


def test_a_message_already_sent_is_not_sent_again_by_retry_now(alice, on_commit):
    with on_commit():
        message = email_alice(alice)

    with on_commit():
        assert outbox.retry_now(message=message) is False

    assert len(mail.outbox) == 1
    assert reload(message).status == Status.SENT


# --- The periodic job --------------------------------------------------------------------------


def test_the_periodic_job_sends_a_message_that_waited_too_long(alice, settings):
    now = timezone.now()
    old = email_alice(alice, subject="Old", now=now - timedelta(seconds=settings.OUTBOX_REQUEUE_AFTER_SECONDS + 5))
    fresh = email_alice(alice, subject="Fresh", now=now)  # its own task is presumably on its way

    outbox_requeue.delay()

    assert [m.subject for m in mail.outbox] == ["Old"]
    assert reload(old).status == Status.SENT
    fresh = reload(fresh)
    assert fresh.status == Status.QUEUED
    assert fresh.attempts == 0


def test_the_periodic_job_reports_what_it_did(alice, carol, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    now = timezone.now()
    ran_out = now - timedelta(seconds=1)
    waiting = email_alice(alice, subject="Waiting", now=now - timedelta(hours=1))
    fresh = email_alice(alice, subject="Fresh", now=now)
    # Claims whose workers died: each was claimed long ago and its lease has run out.
    promised_handed_over = email_alice(alice, subject="Code copy, handed over")
    other_handed_over = email_alice(alice, kind="welcome", subject="Welcome, handed over")
    other_not_handed_over = email_alice(alice, kind="welcome", subject="Welcome, never handed over")
    out_of_attempts = email_alice(alice, kind="welcome", subject="Welcome, died three times")
    letter = outbox.letter(
        kind="welcome",
        to_name="Carol Baker",
        address_lines=["3 High Street", "ME14 1AB"],
        template="accounts/welcome",
        subject="Letter, died rendering",
        context={"customer": carol},
    )
    still_sending = email_alice(alice, subject="Being sent right now")
    dead = dict(status=Status.SENDING, claim_token="dead", claimed_at=ran_out - timedelta(minutes=2))
    OutboxMessage.objects.filter(pk__in=[other_not_handed_over.pk, letter.pk]).update(
        **dead, claimed_until=ran_out, attempts=1
    )
    OutboxMessage.objects.filter(pk__in=[promised_handed_over.pk, other_handed_over.pk]).update(
        **dead, claimed_until=ran_out, attempts=1, handed_over_at=ran_out - timedelta(minutes=1)
    )
    OutboxMessage.objects.filter(pk=out_of_attempts.pk).update(**dead, claimed_until=ran_out, attempts=3)
    OutboxMessage.objects.filter(pk=still_sending.pk).update(
        status=Status.SENDING, claimed_at=now, claimed_until=now + timedelta(minutes=2), attempts=1
    )

    assert delivery.requeue_waiting(now=now) == (1, 3, 1, 1)

    assert reload(waiting).status == Status.SENT
    assert reload(fresh).status == Status.QUEUED
    # The Code promises it: sent again by itself, as the same message (a rare duplicate beats a loss).
    promised = reload(promised_handed_over)
    assert (promised.status, promised.attempts, promised.maybe_delivered) == (Status.SENT, 2, True)
    assert [m.extra_headers["Message-ID"] for m in mail.outbox if m.subject == "Code copy, handed over"] == [
        promised.message_id
    ]
    # Not promised, and it may have arrived: staff check first.
    other = reload(other_handed_over)
    assert other.status == Status.UNKNOWN
    assert "Check whether it arrived" in other.last_error
    # Never handed over: nothing could have arrived, so it is simply sent.
    assert reload(other_not_handed_over).status == Status.SENT
    failed = reload(out_of_attempts)
    assert failed.status == Status.FAILED
    assert "stopped before sending it, 3 times" in failed.last_error
    letter = reload(letter)
    assert letter.status == Status.TO_PRINT  # only a PDF to make again: made again at once
    assert outbox.letter_pdf(letter).startswith(b"%PDF")
    assert reload(still_sending).status == Status.SENDING
    assert sorted(m.subject for m in mail.outbox) == [
        "Code copy, handed over",
        "Waiting",
        "Welcome, never handed over",
    ]


# --- The broker is down ------------------------------------------------------------------------


@pytest.fixture
def broker_down():
    with mock.patch.object(
        portal.tasks.outbox_send,
        "apply_async",
        side_effect=kombu.exceptions.OperationalError("Error 111 connecting to redis"),
    ) as patched:
        yield patched


def test_enqueue_says_no_rather_than_raising_when_the_broker_is_down(alice, broker_down):
    message = email_alice(alice)

    assert outbox.enqueue(message.pk) is False

    assert broker_down.called
    assert reload(message).status == Status.QUEUED


def test_a_customer_asking_for_the_code_is_thanked_while_the_broker_is_down(db, client, broker_down, on_commit):
    with on_commit():
        response = client.post(
            reverse("portal:code_copy"),
            {
                "name": "Dana Dawson",
                "method": "email",
                "email": "dana@example.co.uk",
                "address": "",
                "postcode": "",
            },
            follow=True,
        )

    assert response.status_code == 200
    assert "Thank you. We are emailing the Code of Practice to dana@example.co.uk." in response.content.decode()
    assert broker_down.called
    assert CodeCopyRequest.objects.get().name == "Dana Dawson"
    message = OutboxMessage.objects.get()
    assert message.status == Status.QUEUED
    assert message.attempts == 0
    assert mail.outbox == []


def test_a_message_written_while_the_broker_was_down_goes_once_it_is_back(alice, on_commit):
    with (
        mock.patch.object(
            portal.tasks.outbox_send, "apply_async", side_effect=kombu.exceptions.OperationalError("down")
        ),
        on_commit(),
    ):
        message = email_alice(alice)
    assert reload(message).status == Status.QUEUED

    assert delivery.requeue_waiting(now=timezone.now() + timedelta(minutes=5)) == (1, 0, 0, 0)

    assert len(mail.outbox) == 1
    assert reload(message).status == Status.SENT


# --- Letters -----------------------------------------------------------------------------------


def test_a_letter_is_rendered_to_pdf_for_the_print_queue(carol, on_commit):
    with on_commit():
        message = outbox.letter(
            kind="welcome",
            to_name="Carol Baker",
            address_lines=carol.postal_lines[1:],
            template="accounts/welcome",
            subject="Welcome to 121 Communications",
            context={"customer": carol},
            customer=carol,
        )

    message = reload(message)
    assert message.channel == Channel.LETTER
    assert message.status == Status.TO_PRINT
    assert message.sent_at is None  # not posted yet
    assert message.attempts == 1
    assert mail.outbox == []
    attachment = message.attachments.get()
    assert attachment.filename == "letter.pdf"
    pdf = outbox.letter_pdf(message)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    for expected in [
        "Carol Baker",
        "Carol's Bakery Ltd",
        "3 High Street",
        "Maidstone",
        "Kent",
        "ME14 1AB",
        "Welcome to 121 Communications",
        "carolsbakery",
    ]:
        assert expected in text


@pytest.mark.parametrize("address_lines", [[], ["", ""], ["3 High Street"]])
def test_a_letter_without_a_postal_address_is_refused(carol, address_lines):
    with pytest.raises(outbox.Unreachable, match="no postal address"):
        outbox.letter(
            kind="welcome",
            to_name="Carol Baker",
            address_lines=address_lines,
            template="accounts/welcome",
            subject="Welcome",
            context={"customer": carol},
        )

    assert not OutboxMessage.objects.exists()


def test_mark_posted_only_takes_letters_waiting_in_the_print_queue(alice, carol, sam, on_commit):
    letter_kwargs = dict(
        kind="welcome",
        to_name="Carol Baker",
        address_lines=carol.postal_lines[1:],
        template="accounts/welcome",
        subject="Welcome",
        context={"customer": carol},
    )
    with on_commit():
        printed = outbox.letter(**letter_kwargs)
        emailed = email_alice(alice)
    unprinted = outbox.letter(**letter_kwargs)  # still queued: no PDF yet

    assert outbox.mark_posted(message=emailed, by=sam) is False
    assert outbox.mark_posted(message=unprinted, by=sam) is False
    assert outbox.mark_posted(message=printed, by=sam) is True
    assert outbox.mark_posted(message=printed, by=sam) is False  # posted once only

    printed = reload(printed)
    assert printed.status == Status.POSTED
    assert printed.sent_at is not None
    assert printed.posted_by == sam
    assert reload(emailed).status == Status.SENT
    assert reload(emailed).posted_by is None
    assert reload(unprinted).status == Status.QUEUED


def test_a_customer_who_takes_letters_only_is_written_to(carol, on_commit):
    with on_commit():
        message = outbox.send_to_customer(
            carol, kind="welcome", template="accounts/welcome", subject="Welcome to 121 Communications", context={}
        )

    message = reload(message)
    assert message.channel == Channel.LETTER
    assert message.customer == carol
    assert message.status == Status.TO_PRINT
    assert mail.outbox == []
    text = pdf_text(outbox.letter_pdf(message))
    assert "3 High Street" in text and "ME14 1AB" in text


def test_a_letter_to_a_business_names_the_company_once_on_the_envelope(carol):
    message = outbox.send_to_customer(
        carol, kind="welcome", template="accounts/welcome", subject="Welcome to 121 Communications", context={}
    )

    # What shows through the envelope window: the name line, then the address block.
    envelope = [message.to_name] + message.postal_address.splitlines()
    assert sum("Carol's Bakery Ltd" in line for line in envelope) == 1
    assert envelope[-1] == "ME14 1AB"


def test_a_customer_with_email_is_emailed(alice, on_commit):
    with on_commit():
        message = outbox.send_to_customer(
            alice, kind="welcome", template="accounts/welcome", subject="Welcome to 121 Communications", context={}
        )

    assert reload(message).channel == Channel.EMAIL
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["Alice Archer <alice@example.co.uk>"]
    assert "Your account username is alice." in mail.outbox[0].body


def test_a_customer_with_email_who_asks_for_post_gets_a_letter(alice):
    message = outbox.send_to_customer(
        alice, kind="welcome", template="accounts/welcome", subject="Welcome", context={}, by_post=True
    )

    assert message.channel == Channel.LETTER
    assert message.to_email == ""
    assert message.postal_address.splitlines() == [
        "12 Orchard Way",
        "Boughton Monchelsea",
        "Maidstone",
        "Kent",
        "ME17 4AA",
    ]


def test_an_email_keeps_one_message_id_on_every_attempt_and_asks_for_replies_to_our_mailbox(alice, settings, on_commit):
    settings.REPLY_TO_EMAIL = "portal-inbox@121com.co.uk"
    with on_commit():
        message = email_alice(alice)
    assert re.fullmatch(r"<[^@<>\s]+@[^@<>\s]+>", message.message_id)
    first = mail.outbox[-1]
    assert first.extra_headers["Message-ID"] == message.message_id
    assert first.reply_to == ["portal-inbox@121com.co.uk"]
    assert first.from_email == settings.DEFAULT_FROM_EMAIL

    outbox.retry_now(message=reload(message))  # staff send it again: the same message, not a new one
    OutboxMessage.objects.filter(pk=message.pk).update(status=Status.QUEUED)
    delivery.deliver(message.pk)
    assert mail.outbox[-1].extra_headers["Message-ID"] == message.message_id
    assert OutboxMessage.objects.exclude(message_id=None).values("message_id").distinct().count() == 1


def test_an_answer_to_a_customers_email_threads_with_it(alice, on_commit):
    with on_commit():
        message = email_alice(
            alice, in_reply_to="<theirs@example.co.uk>", references=["<first@example.co.uk>", "<theirs@example.co.uk>"]
        )
    sent = mail.outbox[-1]
    assert sent.extra_headers["In-Reply-To"] == "<theirs@example.co.uk>"
    assert sent.extra_headers["References"] == "<first@example.co.uk> <theirs@example.co.uk>"
    assert sent.extra_headers["Message-ID"] == message.message_id
