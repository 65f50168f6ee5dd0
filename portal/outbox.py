"""The outbox: every email and letter the portal must send is first a row, then a worker sends it.

How a message travels:
1. A service writes an OutboxMessage inside its own transaction (email() or letter() below), with the
   Message-ID it keeps on every attempt.
2. After commit, a Celery task is queued for it. If the broker is down, the row simply waits.
3. The worker claims the row as a lease and sends it (portal/delivery.py): emails to the mail server,
   marked sent the moment the server accepts them; letters rendered to PDF for the print queue, where
   staff post them. A duplicated task finds nothing to claim; a worker that dies leaves a claim that runs
   out, and the message is taken again.
4. A failure is retried with backoff; a message that cannot go is flagged for staff: failed (it has not
   gone, safe to send again) or unknown (it may have arrived). A periodic job queues again whatever has
   waited too long.
"""

import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from email.utils import make_msgid
from functools import partial

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import InterfaceError, OperationalError, transaction
from django.db import connection as db_connection
from django.template.loader import render_to_string

from portal import clock
from portal.company import COMPANY
from portal.models import Channel, OutboxAttachment, OutboxMessage, Status
from portal.workflow import Refused

logger = logging.getLogger(__name__)


class Unreachable(Refused):
    """Neither the way asked for nor the other can reach this person (no email address, no postal address):
    a refusal whose message tells staff what to add, never a 500."""


# What other apps want to know when a message of a kind has gone (an email accepted by the mail server,
# a letter posted): for instance a complaint becomes acknowledged when its acknowledgement has gone.
_sent_hooks = {}


# What each kind of message is, in words staff read in the outbox and the print queue ("Complaint
# acknowledgement", not "complaint_ack"). Each app names its own kinds in its emails.py.
_kind_labels = {}


def name_kinds(labels):
    """Register {kind: words} for the staff lists."""
    _kind_labels.update(labels)


def kind_label(kind):
    """A message kind in words; one nobody named reads as its code with spaces ("fault repair alert")."""
    return _kind_labels.get(kind) or kind.replace("_", " ").capitalize()


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


def filled_in(message, text):
    """The text as the worker hands it over: the placeholders of fill_at_send filled in."""
    for placeholder, value in (_fillers[message.kind](message) if message.kind in _fillers else {}).items():
        text = text.replace(placeholder, value)
    return text


def _run_sent_hooks(message_id):
    message = OutboxMessage.objects.get(pk=message_id)
    for hook in _sent_hooks.get(message.kind, []):
        try:
            with transaction.atomic():  # a failing step undoes only itself
                hook(message)
        except Exception:  # the message has gone: never let a follow-up failure send it again
            logger.exception("After-send step for outbox message %s (%s) failed", message_id, message.kind)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes | None = None
    html: str = ""  # rendered to PDF by the worker when content is None
    mimetype: str = "application/pdf"
    # A file already kept through Django's storage API (an invoice's PDF): the worker reads it when it sends,
    # so a run of thousands of invoices does not copy every PDF into the database.
    stored_name: str = ""


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
            message=message,
            filename=a.filename,
            mimetype=a.mimetype,
            content=a.content,
            source_html=a.html,
            stored_name=a.stored_name,
        )
        for a in attachments
    )


# What a customer's page never shows of a message it links (when and how it went is enough): the email itself
# and what the mail server said.
_BODY_FIELDS = ("body_text", "body_html", "server_reply", "last_error")


def without_bodies(queryset, *relations):
    """`queryset` with the messages it select_related through `relations` fetched without their bodies."""
    return queryset.defer(*(f"{relation}__{name}" for relation in relations for name in _BODY_FIELDS))


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
    *,
    kind,
    to_name,
    address_lines,
    template,
    subject,
    context,
    customer=None,
    concerning=None,
    due_at=None,
    enclosures=(),
    now=None,
):
    """Queue a letter built from templates/letters/<template>.html; a worker renders the PDF. `enclosures` are
    files printed and posted with it (stored Attachments: an invoice's PDF), listed in the print queue."""
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
    _attach(message, enclosures)
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
    customer,
    *,
    kind,
    template,
    subject,
    context,
    concerning=None,
    due_at=None,
    attachments=(),
    enclosures=(),
    by_post=None,
    answering=None,
    now=None,
):
    """Email the customer, or write to them when they take letters only or asked for post. `answering` is
    the customer's email this answers (portal.models.InboundMessage): the email threads under it.
    `attachments` go with an email only; `enclosures` (an invoice's stored PDF) go with either: attached to
    the email, or printed and posted with the letter.

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
            enclosures=enclosures,
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
        attachments=(*attachments, *enclosures),
        in_reply_to=answering.message_id if answering is not None else "",
        references=thread_of(answering),
        now=now,
    )


def thread_of(inbound):
    """The References of an answer to a customer's email: their thread, then their email itself."""
    if inbound is None or not inbound.message_id:
        return ()
    return (*inbound.references.split(), inbound.message_id)


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


# --- Delivery: at least once, with one identity ---------------------------------------------------
#
# A claim is a lease (a token, held until claimed_until):
# a worker that dies mid-send leaves a claim that runs out by itself, and the message is taken again,
# by the broker's redelivery of the task or by the periodic job, and sent with the same Message-ID.
# The one moment that cannot be made safe is between handing an email to the mail server and recording
# its answer: a worker that dies there leaves a message that may have arrived. What happens then
# depends on the message:
#
# - PROMISED kinds, the messages the Code promises (acknowledgements, confirmations, the ADR route,
#   invoices) and every letter: a rare duplicate, with the same Message-ID so that mail programs can
#   tell, is better than a loss, so they are taken again by themselves.
# - Every other email becomes "unknown" for staff, who check before sending it again.

# Code: "We will acknowledge all complaints ... within 24 working hours", "confirm all new orders by
# email", the written acknowledgement of a cancellation with its date, deadlock letters and the route to
# the ADR scheme, a copy of the Code on request, invoices by email (and the credit notes that correct them).
PROMISED_KINDS = frozenset(
    {
        "complaint_ack",
        "complaint_deadlock",
        "complaint_adr",
        "fault_ack",
        "order_received",
        "cancellation_received",
        "code_copy",
        "invoice",
        "credit_note",
        "invoice_issued",
        "credit_note_issued",
    }
)


def is_promised(message):
    """Whether a message is taken again by itself when its outcome is unknown (see above)."""
    return message.channel == Channel.LETTER or message.kind in PROMISED_KINDS


# While the server has a message and its row does not say so, a worker that dies sends it again: the
# record is retried for this long (a database restarting) before the worker gives up.
RECORD_SENT_FOR = timedelta(seconds=30)


def record_sent(message_id, *, at, reply=""):
    """The mail server has accepted the email (or staff confirm that an "unknown" one arrived): mark it
    sent, whatever attempt or state it is in, and run the after-send steps (a complaint becomes
    acknowledged) in the same transaction. Returns whether this call marked it."""
    deadline = time.monotonic() + RECORD_SENT_FOR.total_seconds()
    while True:
        try:
            with transaction.atomic():
                marked = OutboxMessage.objects.filter(
                    pk=message_id, status__in=[Status.QUEUED, Status.SENDING, Status.FAILED, Status.UNKNOWN]
                ).update(status=Status.SENT, sent_at=at, server_reply=reply[:500], claimed_until=None, last_error="")
                if marked:
                    _run_sent_hooks(message_id)
            return bool(marked)
        except (OperationalError, InterfaceError):
            if transaction.get_connection().in_atomic_block or time.monotonic() > deadline:
                raise
            logger.warning("Outbox message %s was accepted; recording it waits for the database", message_id)
            db_connection.close()
            time.sleep(0.5)


# --- Staff ---------------------------------------------------------------------------------------


@transaction.atomic
def retry_now(*, message, now=None):
    """Staff send a failed message again (or a waiting one at once). Not an unknown one: it may have
    arrived (send_unknown_again, once staff know it did not)."""
    now = now or clock.now()
    updated = OutboxMessage.objects.filter(pk=message.pk, status__in=[Status.FAILED, Status.QUEUED]).update(
        status=Status.QUEUED, next_attempt_at=now, attempts=0
    )
    if updated:
        transaction.on_commit(partial(enqueue, message.pk))
    return bool(updated)


@transaction.atomic
def send_unknown_again(*, message, now=None):
    """Staff checked that an "unknown" email did not arrive: it is sent again, with the same Message-ID."""
    now = now or clock.now()
    updated = OutboxMessage.objects.filter(pk=message.pk, status=Status.UNKNOWN).update(
        status=Status.QUEUED, next_attempt_at=now, attempts=0, maybe_delivered=False
    )
    if updated:
        transaction.on_commit(partial(enqueue, message.pk))
    return bool(updated)


def confirm_arrived(*, message, by, now=None):
    """Staff checked that an "unknown" email did arrive: it is sent, as of when it was handed over, and
    what follows a sent message follows (a complaint becomes acknowledged)."""
    if message.status != Status.UNKNOWN:
        return False
    at = message.handed_over_at or message.claimed_at or now or clock.now()
    return record_sent(message.pk, at=at, reply=f"Arrived, as {by.full_name or by.username} checked.")


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
    """Stop a message that is no longer needed, if it has not gone yet (or may not have: an unknown one is
    not sent again). Returns True if stopped."""
    return (
        OutboxMessage.objects.filter(
            pk=message.pk, status__in=[Status.QUEUED, Status.FAILED, Status.UNKNOWN, Status.TO_PRINT]
        ).update(status=Status.CANCELLED)
        == 1
    )


def letter_pdf(message):
    attachment = message.attachments.filter(filename="letter.pdf").first()
    return attachment.read() if attachment and attachment.available else None


def enclosures_of(message):
    """The files posted with a letter besides the letter itself (an invoice's PDF)."""
    return [a for a in message.attachments.all() if a.filename != "letter.pdf"]
