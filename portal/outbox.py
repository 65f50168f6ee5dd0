"""The outbox: every email and letter the portal must send is first a row, then a worker sends it.

How a message travels:
1. A service writes an OutboxMessage inside its own transaction (email() or letter() below).
2. After commit, a Celery task is queued for it. If the broker is down, the row simply waits.
3. The task claims the row with a guarded UPDATE (queued -> sending). A duplicated or retried task
   finds nothing to claim and does nothing: nothing is sent twice.
4. Emails are handed to the mail backend; letters are rendered to PDF and wait in the print queue
   until staff post them.
5. A failure is recorded (attempts, last_error) and retried with backoff; after OUTBOX_MAX_ATTEMPTS
   the message is marked failed for staff. A periodic job queues again whatever has waited too long.
"""

import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from email.utils import formataddr, make_msgid
from functools import partial

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string

from portal import clock
from portal.company import COMPANY
from portal.models import Channel, OutboxAttachment, OutboxMessage, Status
from portal.pdf import html_to_pdf
from portal.workflow import Refused

logger = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=1)


class Unreachable(Refused):
    """Neither the way asked for nor the other can reach this person (no email address, no postal address):
    a refusal whose message tells staff what to add, never a 500."""


# What other apps want to know when a message of a kind has gone (an email handed to the mail server,
# a letter posted): for instance a complaint becomes acknowledged when its acknowledgement has gone.
_sent_hooks = {}


def on_sent(kind):
    """Register func(message) to run after a message of `kind` is sent or posted. It must be safe to
    run twice: apps also reconcile in their periodic jobs in case a hook failed."""

    def register(func):
        _sent_hooks.setdefault(kind, []).append(func)
        return func

    return register


# Secrets a message must carry but the outbox must not keep (a password reset link): the stored body
# holds a placeholder, and the worker fills it in only in the copy it hands to the mail server.
_fillers = {}


def fill_at_send(kind):
    """Register func(message) -> {placeholder: value} for messages of `kind`."""

    def register(func):
        _fillers[kind] = func
        return func

    return register


def _filled(message, text):
    for placeholder, value in (_fillers[message.kind](message) if message.kind in _fillers else {}).items():
        text = text.replace(placeholder, value)
    return text


def _run_sent_hooks(message_id):
    message = OutboxMessage.objects.get(pk=message_id)
    for hook in _sent_hooks.get(message.kind, []):
        try:
            hook(message)
        except Exception:  # the message has gone: never let a follow-up failure send it again
            logger.exception("After-send step for outbox message %s (%s) failed", message_id, message.kind)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes | None = None
    html: str = ""  # rendered to PDF by the worker when content is None
    mimetype: str = "application/pdf"


def _concerning(obj):
    if obj is None:
        return {}
    return {"concerning_type": ContentType.objects.get_for_model(obj), "concerning_id": obj.pk}


def _queue_after_commit(message):
    transaction.on_commit(partial(enqueue, message.pk))


def enqueue(message_id, countdown=None):
    """Hand a message to the workers. Never raises: with the broker down the row stays queued."""
    from portal.tasks import outbox_send

    try:
        outbox_send.apply_async((message_id,), countdown=countdown)
    except Exception as exc:  # the broker is unreachable; outbox_requeue will pick the row up
        logger.warning("Outbox message %s stays queued: broker unavailable (%s)", message_id, exc)
        return False
    return True


def _attach(message, attachments):
    OutboxAttachment.objects.bulk_create(
        OutboxAttachment(
            message=message, filename=a.filename, mimetype=a.mimetype, content=a.content, source_html=a.html
        )
        for a in attachments
    )


def new_message_id():
    """A Message-ID of our own domain (MESSAGE_ID_DOMAIN), unique to one outbox row."""
    return make_msgid(idstring="portal", domain=settings.MESSAGE_ID_DOMAIN)


def email(
    *,
    kind,
    to_email,
    to_name,
    template,
    subject,
    context,
    customer=None,
    concerning=None,
    due_at=None,
    attachments=(),
    in_reply_to="",
    references=(),
    now=None,
):
    """Queue an email built from templates/emails/<template>.txt and .html. `in_reply_to` (and the thread's
    `references`) when it answers a customer's email, so it threads in their mail program."""
    if not to_email:
        raise Unreachable(f"Cannot email {to_name}: no email address.")
    now = now or clock.now()
    context = {"company": COMPANY, **context, "to_name": to_name, "subject": subject}
    message = OutboxMessage.objects.create(
        channel=Channel.EMAIL,
        kind=kind,
        customer=customer,
        to_name=to_name,
        to_email=to_email,
        subject=subject,
        message_id=new_message_id(),
        in_reply_to=in_reply_to,
        references=" ".join(references),
        body_text=render_to_string(f"emails/{template}.txt", context),
        body_html=render_to_string(f"emails/{template}.html", context),
        due_at=due_at,
        created_at=now,
        next_attempt_at=now,
        **_concerning(concerning),
    )
    _attach(message, attachments)
    _queue_after_commit(message)
    return message


def render_letter(template, *, context, subject, to_name, address_lines, now=None):
    """The HTML of a letter from templates/letters/<template>.html, ready for the PDF renderer."""
    context = {
        "company": COMPANY,
        "date": now or clock.now(),
        **context,
        "to_name": to_name,
        "address_lines": [line for line in address_lines if line],
        "subject": subject,
    }
    return render_to_string(f"letters/{template}.html", context)


def letter(
    *, kind, to_name, address_lines, template, subject, context, customer=None, concerning=None, due_at=None, now=None
):
    """Queue a letter built from templates/letters/<template>.html; a worker renders the PDF."""
    address_lines = [line for line in address_lines if line]
    if len(address_lines) < 2:
        raise Unreachable(f"Cannot write to {to_name}: no postal address.")
    now = now or clock.now()
    message = OutboxMessage.objects.create(
        channel=Channel.LETTER,
        kind=kind,
        customer=customer,
        to_name=to_name,
        postal_address="\n".join(address_lines),
        subject=subject,
        body_html=render_letter(
            template, context=context, subject=subject, to_name=to_name, address_lines=address_lines, now=now
        ),
        due_at=due_at,
        created_at=now,
        next_attempt_at=now,
        **_concerning(concerning),
    )
    _queue_after_commit(message)
    return message


def has_postal_address(customer):
    return bool(customer.address.strip() and customer.postcode.strip())


def envelope(customer):
    """How a letter to a customer is addressed: (to_name, address_lines). The one owner of that rule:
    the person's name, then the company (the first of the address lines), then the address and postcode."""
    return customer.full_name, customer.postal_lines[1:]


def letter_html_for(customer, template, *, context, subject, now=None):
    """A letter to the customer rendered as HTML (for a PDF attached to an email, a deadlock letter)."""
    to_name, address_lines = envelope(customer)
    return render_letter(
        template,
        context={**context, "customer": customer},
        subject=subject,
        to_name=to_name,
        address_lines=address_lines,
        now=now,
    )


def send_to_customer(
    customer, *, kind, template, subject, context, concerning=None, due_at=None, attachments=(), by_post=None, now=None
):
    """Email the customer, or write to them when they take letters only or asked for post.

    When the chosen way is impossible (a letter, but the address was removed since; an email, but no
    address) the other is used, so that the customer still hears from us; with neither, Unreachable."""
    by_post = customer.writes_by_post if by_post is None else by_post
    has_address = has_postal_address(customer)
    if by_post and not has_address and customer.email:
        by_post = False
    elif not by_post and not customer.email and has_address:
        by_post = True
    context = {**context, "customer": customer}
    if by_post:
        to_name, address_lines = envelope(customer)
        return letter(
            kind=kind,
            to_name=to_name,
            address_lines=address_lines,
            template=template,
            subject=subject,
            context=context,
            customer=customer,
            concerning=concerning,
            due_at=due_at,
            now=now,
        )
    return email(
        kind=kind,
        to_email=customer.email,
        to_name=customer.display_name,
        template=template,
        subject=subject,
        context=context,
        customer=customer,
        concerning=concerning,
        due_at=due_at,
        attachments=attachments,
        now=now,
    )


def email_staff(*, group, kind, template, subject, context, concerning=None, now=None):
    """Email every active member of a staff group (or STAFF_ALERT_EMAIL when the group has nobody
    with an email address). Returns the messages queued."""
    from django.contrib.auth import get_user_model

    members = get_user_model().objects.filter(is_active=True, is_staff=True, groups__name=group).exclude(email="")
    recipients = [(m.full_name or m.username, m.email) for m in members.order_by("pk")]
    recipients = recipients or [(group, settings.STAFF_ALERT_EMAIL)]
    return [
        email(
            kind=kind,
            to_email=address,
            to_name=name,
            template=template,
            subject=subject,
            context={**context, "group": group},
            concerning=concerning,
            now=now,
        )
        for name, address in recipients
    ]


def messages_concerning(obj):
    return OutboxMessage.objects.filter(**_concerning(obj))


# --- The worker's side -------------------------------------------------------------------------


def claim(message_id, *, now):
    """Take the message for sending. Only one caller can win: the UPDATE is guarded by status."""
    return (
        OutboxMessage.objects.filter(pk=message_id, status=Status.QUEUED, next_attempt_at__lte=now).update(
            status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
        == 1
    )


def deliver(message_id, *, now=None):
    """Send one message if it is still waiting. Returns the status it ended in, or None if not ours."""
    now = now or clock.now()
    if not claim(message_id, now=now):
        return None
    message = OutboxMessage.objects.get(pk=message_id)
    try:
        if message.channel == Channel.EMAIL:
            _send_email(message)
            done = Status.SENT
        else:
            _print_letter(message)
            done = Status.TO_PRINT
    except Exception as exc:
        return _record_failure(message, exc, now=clock.now())
    finished = clock.now()
    OutboxMessage.objects.filter(pk=message_id, status=Status.SENDING).update(
        status=done, sent_at=finished if done == Status.SENT else None, last_error=""
    )
    logger.info("Outbox message %s (%s, %s) %s", message_id, message.kind, message.channel, done)
    if done == Status.SENT:
        _run_sent_hooks(message_id)
    return done


def _rendered_attachments(message):
    for attachment in message.attachments.all():
        if attachment.content is None:
            attachment.content = html_to_pdf(attachment.source_html)
            attachment.save(update_fields=["content"])
        yield attachment


_HEADER_BREAKS = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def header_value(value):
    """A value fit for an email header: every line break or other control character (and the spaces
    around it) becomes one space. Forms refuse such values (portal.validators.validate_single_line),
    but a row written another way must still send: Django refuses a header with a line break, and the
    message would fail on every attempt until it is flagged."""
    return _HEADER_BREAKS.sub(" ", str(value)).strip()


def _headers(message):
    headers = {"X-Portal-Message": str(message.pk)}
    if message.message_id:
        headers["Message-ID"] = message.message_id
    if message.in_reply_to:
        headers["In-Reply-To"] = header_value(message.in_reply_to)
    if message.references or message.in_reply_to:
        headers["References"] = header_value(message.references or message.in_reply_to)
    return headers


def _send_email(message):
    mail = EmailMultiAlternatives(
        subject=header_value(message.subject),
        body=_filled(message, message.body_text),
        from_email=settings.DEFAULT_FROM_EMAIL,
        # Quoted properly: a business name such as "Dev Patel, Patel Plumbing Ltd" has a comma.
        to=[formataddr((header_value(message.to_name), header_value(message.to_email).replace(" ", "")))],
        reply_to=[settings.REPLY_TO_EMAIL],
        headers=_headers(message),
    )
    if message.body_html:
        mail.attach_alternative(_filled(message, message.body_html), "text/html")
    for attachment in _rendered_attachments(message):
        mail.attach(attachment.filename, bytes(attachment.content), attachment.mimetype)
    mail.send(fail_silently=False)


def _print_letter(message):
    """A letter is "sent" to the print queue as a PDF; staff post it and mark it posted."""
    pdf = html_to_pdf(message.body_html)
    message.attachments.filter(filename="letter.pdf").delete()
    OutboxAttachment.objects.create(message=message, filename="letter.pdf", content=pdf)


def backoff(attempts):
    """2 minutes after the first failure, then 4, 8, ... up to an hour."""
    return min(timedelta(minutes=2 ** max(attempts, 1)), MAX_BACKOFF)


def _record_failure(message, exc, *, now):
    attempts = message.attempts
    error = f"{type(exc).__name__}: {exc}"[:2000]
    if attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        status, next_at = Status.FAILED, now
        logger.error("Outbox message %s failed %s times, flagged for staff: %s", message.pk, attempts, error)
    else:
        status, next_at = Status.QUEUED, now + backoff(attempts)
        logger.warning("Outbox message %s failed (attempt %s), retry at %s: %s", message.pk, attempts, next_at, error)
    OutboxMessage.objects.filter(pk=message.pk, status=Status.SENDING).update(
        status=status, next_attempt_at=next_at, last_error=error
    )
    if status == Status.QUEUED:
        enqueue(message.pk, countdown=(next_at - now).total_seconds())
    return status


def requeue_waiting(*, now=None, limit=1000):
    """Queue again every queued message whose time came OUTBOX_REQUEUE_AFTER_SECONDS ago or more,
    and flag messages stuck in "sending" (a worker died mid-send) for staff.

    Returns (requeued, stuck) counts.
    """
    now = now or clock.now()
    cutoff = now - timedelta(seconds=settings.OUTBOX_REQUEUE_AFTER_SECONDS)
    waiting = list(
        OutboxMessage.objects.filter(status=Status.QUEUED, next_attempt_at__lte=cutoff)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for message_id in waiting:
        enqueue(message_id)
    stuck_before = now - timedelta(seconds=settings.OUTBOX_STUCK_AFTER_SECONDS)
    stuck = OutboxMessage.objects.filter(status=Status.SENDING, claimed_at__lt=stuck_before)
    # A letter is only a PDF for the print queue: making it again is harmless. An email may already
    # have left, so staff decide whether to send it again rather than risk a duplicate.
    stuck_letters = list(stuck.filter(channel=Channel.LETTER).values_list("pk", flat=True))
    letters = OutboxMessage.objects.filter(pk__in=stuck_letters, status=Status.SENDING).update(
        status=Status.QUEUED, next_attempt_at=now
    )
    for message_id in stuck_letters:
        enqueue(message_id)
    emails = stuck.filter(channel=Channel.EMAIL).update(
        status=Status.FAILED,
        last_error="The worker stopped while sending. Check whether it arrived before sending it again.",
    )
    return len(waiting), letters + emails


@transaction.atomic
def retry_now(*, message, now=None):
    """Staff send a failed message again."""
    now = now or clock.now()
    updated = OutboxMessage.objects.filter(pk=message.pk, status__in=[Status.FAILED, Status.QUEUED]).update(
        status=Status.QUEUED, next_attempt_at=now, attempts=0
    )
    if updated:
        transaction.on_commit(partial(enqueue, message.pk))
    return bool(updated)


@transaction.atomic
def mark_posted(*, message, by, now=None):
    """Staff have printed and posted a letter from the print queue."""
    posted = (
        OutboxMessage.objects.filter(pk=message.pk, channel=Channel.LETTER, status=Status.TO_PRINT).update(
            status=Status.POSTED, sent_at=now or clock.now(), posted_by=by
        )
        == 1
    )
    if posted:
        transaction.on_commit(partial(_run_sent_hooks, message.pk))
    return posted


def cancel(*, message):
    """Stop a message that is no longer needed, if it has not gone yet. Returns True if stopped."""
    return (
        OutboxMessage.objects.filter(pk=message.pk, status__in=[Status.QUEUED, Status.FAILED, Status.TO_PRINT]).update(
            status=Status.CANCELLED
        )
        == 1
    )


def letter_pdf(message):
    attachment = message.attachments.filter(filename="letter.pdf").first()
    return bytes(attachment.content) if attachment and attachment.content is not None else None
