"""The outbox's worker side: claim a message as a lease, send it, record what happened.

Why each step is as it is (the outbox's promises are in portal/outbox.py, "Delivery"):
- The claim is one guarded UPDATE that sets a token and a lease (OUTBOX_CLAIM_SECONDS): only one worker
  wins, and a worker that dies leaves a claim that runs out by itself.
- An email is handed over only under a claim still held, and marked sent inside the send, as soon as the
  mail server accepts it (portal/smtp.py), so a worker that dies later sends nothing again.
- A letter's PDF and its move to the print queue are one transaction under the claim.
- Failures are retried with jittered backoff, from seconds when the mail server could not be reached.
"""

import logging
import random
import smtplib
import time
import uuid
from datetime import timedelta
from email.utils import formataddr
from typing import NamedTuple

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Case, F, Q, Value, When

from portal import clock
from portal.models import Channel, OutboxAttachment, OutboxMessage, Status
from portal.outbox import PROMISED_KINDS, enqueue, filled_in, is_promised, record_sent
from portal.pdf import html_to_pdf
from portal.validators import header_value

logger = logging.getLogger(__name__)


class ClaimLost(Exception):
    """The worker's claim on a message was taken over (it ran out and another worker took it): stop."""


def _retakeable(now):
    """Claims that ran out and may be taken again by the next worker that tries."""
    return Q(status=Status.SENDING, claimed_until__lt=now, attempts__lt=settings.OUTBOX_MAX_ATTEMPTS) & (
        Q(handed_over_at__isnull=True) | Q(channel=Channel.LETTER) | Q(kind__in=PROMISED_KINDS)
    )


def claim(message_id, *, now):
    """Take the message for sending, as a lease of OUTBOX_CLAIM_SECONDS. Returns the claim's token, or
    None when the message is not ours to send (gone, backing off, or held by a live claim).

    One guarded UPDATE, so only one caller wins. A run-out claim is taken again (see _retakeable); if its
    attempt had handed the email over, the message is remembered as maybe delivered."""
    token = uuid.uuid4().hex
    taken = (
        OutboxMessage.objects.filter(pk=message_id)
        .filter(Q(status=Status.QUEUED, next_attempt_at__lte=now) | _retakeable(now))
        .update(
            maybe_delivered=Case(
                When(status=Status.SENDING, handed_over_at__isnull=False, then=Value(True)),
                default=F("maybe_delivered"),
            ),
            status=Status.SENDING,
            claim_token=token,
            claimed_at=now,
            claimed_until=now + timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS),
            handed_over_at=None,
            attempts=F("attempts") + 1,
        )
    )
    return token if taken else None


def deliver(message_id, *, now=None, look_again=False):
    """Send one message if it is ours to send. Returns the status it ended in, or None if not ours.

    With `look_again` (the worker's task), finding the message held by another claim (a redelivery after
    the claimant died, or a duplicate while it sends) queues a look when that claim runs out, to take
    it again then if it must."""
    now = now or clock.now()
    token = claim(message_id, now=now)
    if token is None:
        if look_again:
            _look_again_when_the_claim_ends(message_id, now=now)
        return None
    message = OutboxMessage.objects.get(pk=message_id)
    if message.channel == Channel.EMAIL:
        return _send_email(message, token)
    return _print_letter(message, token)


def _look_again_when_the_claim_ends(message_id, *, now):
    held_until = (
        OutboxMessage.objects.filter(pk=message_id, status=Status.SENDING, claimed_until__gte=now)
        .values_list("claimed_until", flat=True)
        .first()
    )
    if held_until is not None:
        enqueue(message_id, countdown=(held_until - now).total_seconds() + 1)


class _Handover:
    """The two moments of an email's send, recorded on its row as they happen (portal/smtp.py)."""

    def __init__(self, message, token):
        self.message, self.token = message, token
        self.handed = self.recorded = False
        # Measured here, on this worker's own clock: hand nothing over in the lease's last tenth, when
        # another worker may be about to take the message again.
        self.hand_over_before = time.monotonic() + settings.OUTBOX_CLAIM_SECONDS * 0.9

    def handing_over(self, email_message):
        """Only under the claim, while it holds."""
        if time.monotonic() >= self.hand_over_before or not OutboxMessage.objects.filter(
            pk=self.message.pk, status=Status.SENDING, claim_token=self.token
        ).update(handed_over_at=clock.now()):
            raise ClaimLost
        self.handed = True

    def accepted(self, email_message, reply):
        record_sent(self.message.pk, at=clock.now(), reply=reply)
        self.recorded = True


def _send_email(message, token):
    handover = _Handover(message, token)
    try:
        mail = _email_message(message)
        backend = get_connection(fail_silently=False, handing_over=handover.handing_over, accepted=handover.accepted)
        reports = getattr(backend, "reports_handover", False)
        if not reports:  # a backend that only says "done" (files, memory): the call is the handover
            handover.handing_over(mail)
        sent = backend.send_messages([mail])
        if not handover.recorded:
            if not sent:
                raise RuntimeError("The mail backend sent nothing.")
            handover.accepted(mail, "")
    except ClaimLost:
        logger.warning("Outbox message %s: claim taken over by another worker, not sent here", message.pk)
        return None
    except Exception as exc:
        if handover.recorded:  # accepted and recorded; only saying goodbye to the server failed
            logger.warning("Outbox message %s sent; closing the connection failed: %s", message.pk, exc)
            return Status.SENT
        return _record_failure(message, token, exc, handed_over=handover.handed, now=clock.now())
    logger.info("Outbox message %s (%s, email) sent", message.pk, message.kind)
    return Status.SENT


def _rendered_attachments(message):
    for attachment in message.attachments.all():
        # A stored file (an invoice's PDF) is read from storage when attached, never copied into the row.
        if attachment.content is None and not attachment.stored_name:
            attachment.content = html_to_pdf(attachment.source_html)
            attachment.save(update_fields=["content"])
        yield attachment


# Messages the portal sends by itself in answer to an email (RFC 3834): marked so that other robots (an
# out-of-office, a list manager) do not answer them in turn.
AUTO_REPLIED_KINDS = {"inbound_receipt"}


def _headers(message):
    headers = {"X-Portal-Message": str(message.pk)}
    if message.kind in AUTO_REPLIED_KINDS:
        headers["Auto-Submitted"] = "auto-replied"
    if message.message_id:
        headers["Message-ID"] = message.message_id
    if message.in_reply_to:
        headers["In-Reply-To"] = header_value(message.in_reply_to)
    if message.references or message.in_reply_to:
        headers["References"] = header_value(message.references or message.in_reply_to)
    return headers


def _email_message(message):
    mail = EmailMultiAlternatives(
        subject=header_value(message.subject),
        body=filled_in(message, message.body_text),
        from_email=settings.DEFAULT_FROM_EMAIL,
        # Quoted properly: a business name such as "Dev Patel, Patel Plumbing Ltd" has a comma.
        to=[formataddr((header_value(message.to_name), header_value(message.to_email).replace(" ", "")))],
        reply_to=[settings.REPLY_TO_EMAIL],
        headers=_headers(message),
    )
    if message.body_html:
        mail.attach_alternative(filled_in(message, message.body_html), "text/html")
    for attachment in _rendered_attachments(message):
        mail.attach(attachment.filename, attachment.read(), attachment.mimetype)
    return mail


def _print_letter(message, token):
    """A letter is "sent" to the print queue as a PDF; staff post it and mark it posted.

    The PDF and the move to the print queue are one transaction under the claim: a worker that dies
    while rendering leaves nothing behind (the letter is rendered again when its claim runs out), and
    a worker whose claim was taken over adds nothing, so a letter is never in the print queue twice."""
    try:
        pdf = html_to_pdf(message.body_html)
        with transaction.atomic():
            if not OutboxMessage.objects.filter(pk=message.pk, status=Status.SENDING, claim_token=token).update(
                status=Status.TO_PRINT, claimed_until=None, last_error=""
            ):
                raise ClaimLost
            message.attachments.filter(filename="letter.pdf").delete()
            OutboxAttachment.objects.create(message=message, filename="letter.pdf", content=pdf)
    except ClaimLost:
        logger.warning("Outbox letter %s: claim taken over by another worker", message.pk)
        return None
    except Exception as exc:
        return _record_failure(message, token, exc, handed_over=False, now=clock.now())
    logger.info("Outbox message %s (%s, letter) in the print queue", message.pk, message.kind)
    return Status.TO_PRINT


# The mail server never had the message: it refused the connection, did not answer in time, or went away.
CONNECTION_FAILURES = (ConnectionError, TimeoutError, smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError)
# The mail server answered "no" (a 4xx or 5xx reply), or would not even connect: it did not take the
# message, whenever this came (a backend other than portal/smtp.py only tells when its call returns).
NOT_TAKEN = (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused, ConnectionRefusedError)


def backoff(attempts, *, connection_failure=False):
    """How long to wait before the next attempt, with jitter so that messages that failed together do not
    all come back together. After a failure to reach the mail server, from OUTBOX_RETRY_FIRST_SECONDS
    (seconds: an outage is often short); after a refusal or any other failure, from
    OUTBOX_RETRY_REFUSED_FIRST_SECONDS; doubling with each attempt, up to OUTBOX_RETRY_MAX_SECONDS."""
    first = settings.OUTBOX_RETRY_FIRST_SECONDS if connection_failure else settings.OUTBOX_RETRY_REFUSED_FIRST_SECONDS
    wait = min(first * 2 ** (max(attempts, 1) - 1), settings.OUTBOX_RETRY_MAX_SECONDS)
    return timedelta(seconds=random.uniform(wait / 2, wait))  # spreads the retries; not a secret


def _record_failure(message, token, exc, *, handed_over, now):
    """One attempt failed: queue the message again with backoff, or flag it for staff.

    Handed over and then no answer (the connection dropped, a time-out) means the server may have it."""
    attempts = message.attempts
    error = f"{type(exc).__name__}: {exc}"[:2000]
    outcome_unknown = handed_over and not isinstance(exc, NOT_TAKEN)
    maybe_delivered = message.maybe_delivered or outcome_unknown
    if outcome_unknown and not is_promised(message):
        status = Status.UNKNOWN
        logger.error("Outbox message %s may have been sent, flagged for staff: %s", message.pk, error)
    elif attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        status = Status.UNKNOWN if maybe_delivered else Status.FAILED
        logger.error("Outbox message %s failed %s times, flagged for staff: %s", message.pk, attempts, error)
    else:
        status = Status.QUEUED
    next_at = now
    if status == Status.QUEUED:
        next_at = now + backoff(attempts, connection_failure=outcome_unknown or isinstance(exc, CONNECTION_FAILURES))
        logger.warning("Outbox message %s failed (attempt %s), retry at %s: %s", message.pk, attempts, next_at, error)
    recorded = OutboxMessage.objects.filter(pk=message.pk, status=Status.SENDING, claim_token=token).update(
        status=status, next_attempt_at=next_at, last_error=error, maybe_delivered=maybe_delivered, claimed_until=None
    )
    if recorded and status == Status.QUEUED:
        enqueue(message.pk, countdown=(next_at - now).total_seconds())
    return status if recorded else None


class Requeued(NamedTuple):
    queued: int  # waiting messages handed to the workers again
    retaken: int  # run-out claims handed to the workers to take again
    unknown: int  # run-out claims of emails that may have arrived, flagged for staff
    failed: int  # run-out claims out of attempts, flagged for staff


def requeue_waiting(*, now=None, limit=1000):
    """The periodic job (every OUTBOX_REQUEUE_EVERY_SECONDS). Selection:
    - queued messages whose time came OUTBOX_REQUEUE_AFTER_SECONDS ago or more (their task was lost, or
      the broker was down): handed to the workers again;
    - claims that ran out (the worker died): taken again where _retakeable says so; an email of any
      other kind that had been handed to the mail server becomes unknown; one out of attempts is flagged
      (unknown if it may have arrived, failed if not)."""
    now = now or clock.now()
    cutoff = now - timedelta(seconds=settings.OUTBOX_REQUEUE_AFTER_SECONDS)
    waiting = list(
        OutboxMessage.objects.filter(status=Status.QUEUED, next_attempt_at__lte=cutoff)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    ran_out = OutboxMessage.objects.filter(status=Status.SENDING, claimed_until__lt=now)
    retaken = list(ran_out.filter(_retakeable(now)).values_list("pk", flat=True)[:limit])
    # Each UPDATE repeats the selection, so a worker that records its message meanwhile wins.
    may_have_arrived = Q(channel=Channel.EMAIL) & (Q(handed_over_at__isnull=False) | Q(maybe_delivered=True))
    unknown = ran_out.filter(~_retakeable(now), may_have_arrived).update(
        status=Status.UNKNOWN,
        maybe_delivered=True,
        claimed_until=None,
        last_error="The worker stopped after handing it to the mail server, before the server's answer was "
        "recorded. Check whether it arrived before sending it again.",
    )
    failed = (
        ran_out.filter(~_retakeable(now))
        .exclude(may_have_arrived)
        .update(
            status=Status.FAILED,
            claimed_until=None,
            last_error=f"The worker stopped before sending it, {settings.OUTBOX_MAX_ATTEMPTS} times.",
        )
    )
    for message_id in waiting + retaken:
        enqueue(message_id)
    return Requeued(len(waiting), len(retaken), unknown, failed)
