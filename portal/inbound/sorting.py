"""Sort a stored email, once: a robot's is kept aside, a customer's reply joins its case, the rest waits in
triage with an automatic receipt.

Sorting takes the row with a lock and acts only while it is still "new", in one transaction with what
it does (the message on the case's timeline, the alert to its owner, the receipt), so a second sorter, a
retried task or a poller run twice changes nothing more.

The rules, in order:
1. A robot's email (an out-of-office note, a bounce, a mailing list: parsing.py says which headers) is
   kept for staff, never answered and never put on a timeline.
2. A reply to one of our emails (In-Reply-To/References naming a Message-ID we sent), or an email quoting
   a case's reference in its subject (CMP-000123, FLT-000123, ORD-000123), joins that case as the
   customer's message, by the case app's own path (portal/customer_messages.py), only if the sender's
   address is the case's customer's. Anyone else quoting it (a forged or mistyped reference) goes to
   triage, with a note saying so. A reply to our receipt for an email that has since become a case joins
   that case the same way; one to a receipt for an email still in triage waits with it, unanswered.
3. Everything else waits in triage, linked to the customer whose address sent it (if any), and gets one
   automatic receipt at once, at any hour, quoting its reference and when the office next opens.
"""

import logging
import re
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models.functions import Lower

from portal import clock, emails
from portal.inbound import registry
from portal.models import InboundMessage, InboundStatus, OutboxMessage
from portal.workflow import Refused

logger = logging.getLogger(__name__)

_OWN_REFERENCE = re.compile(r"\bEML[-\s]?0*(\d{1,9})\b", re.IGNORECASE)
_QUOTE_HEADER = re.compile(r"^(On .{0,200}wrote:|-+\s*Original Message\s*-+)\s*$", re.IGNORECASE)


def known_customer(address):
    """The customer whose email address this is (one at most: addresses are unique, whatever their case)."""
    if not address:
        return None
    # Lower(email) on addresses that are not blank, as the unique index on them is built (accounts.User):
    # an index lookup, however many customers there are.
    users = get_user_model().objects.alias(lower_email=Lower("email")).exclude(email="")
    return users.filter(is_staff=False, is_active=True, lower_email=address.lower()).order_by("pk").first()


def words_for_timeline(message):
    """What goes on the case's timeline: the email's text without the quoted copy of our own email at its
    end (the original, whole, stays linked from the event); an email of attachments only says so."""
    lines = message.text.strip().splitlines()
    end = len(lines)
    while end and (lines[end - 1].startswith(">") or not lines[end - 1].strip()):
        end -= 1
    if end < len(lines) and end and _QUOTE_HEADER.match(lines[end - 1].strip()):
        end -= 1
    text = "\n".join(lines[:end]).strip() or message.text.strip()
    if not text:
        names = ", ".join(a.filename or a.content_type for a in message.attachments.all())
        text = f"(An email with no text{': ' + names if names else ''}.)"
    return text


def _case_of_thread(message):
    """(case kind, case) of the case our email that this one answers was about; or (None, earlier email)
    when it answers one of our receipts for an email still waiting; or (None, None)."""
    ids = [i for i in [*message.in_reply_to.split(), *reversed(message.references.split())] if i]
    if not ids:
        return None, None
    ours = (
        OutboxMessage.objects.filter(message_id__in=ids, concerning_type__isnull=False)
        .select_related("concerning_type")
        .order_by("-created_at", "-pk")
    )
    for sent in ours:
        about = sent.concerning
        if isinstance(about, InboundMessage):
            if about.case is not None and registry.kind_for(about.case):
                return registry.kind_for(about.case), about.case
            return None, about
        kind = registry.kind_for(about) if about is not None else None
        if kind is not None:
            return kind, about
    return None, None


def _case_of_subject(message):
    for kind, pk in registry.references_in(message.subject):
        case = kind.find(pk)
        if case is not None:
            return kind, case
        message.note = _noted(message, f"The subject quotes {kind.prefix}-{pk:06d}, which does not exist.")
    return None, None


def _earlier_email(message):
    match = _OWN_REFERENCE.search(message.subject)
    if not match:
        return None
    return InboundMessage.objects.filter(pk=int(match.group(1)), from_address=message.from_address).first()


def _noted(message, line):
    return "\n".join(filter(None, [message.note, line]))


def _set_case(message, case):
    message.case_type = ContentType.objects.get_for_model(case)
    message.case_id = case.pk
    message.case_reference = case.reference


def _may_send_receipt(message, now):
    """A receipt goes to a person's address, never to our own (a loop with ourselves) or a colleague's, and at most
    INBOUND_RECEIPTS_PER_SENDER_PER_HOUR times an hour to one address: a robot that hides its headers
    cannot keep two mailboxes answering each other."""
    address = message.from_address
    ours = {settings.REPLY_TO_EMAIL.lower(), settings.STAFF_ALERT_EMAIL.lower()}
    ours.add(settings.DEFAULT_FROM_EMAIL.rsplit("<", 1)[-1].strip("> ").lower())
    if not address or address in ours:
        return False
    if get_user_model().objects.filter(is_staff=True, email__iexact=address).exists():
        return False  # a colleague answering one of our alerts from their mail program
    recent = OutboxMessage.objects.filter(
        kind="inbound_receipt", to_email__iexact=address, created_at__gte=now - timedelta(hours=1)
    ).count()
    return recent < settings.INBOUND_RECEIPTS_PER_SENDER_PER_HOUR


def _join(message, kind, case, customer, now):
    """Put the email on its case by the app's own path; True if it joined. A refusal (a closed complaint)
    leaves it for triage, with the reason noted."""
    try:
        with transaction.atomic():
            kind.add_message(
                case,
                customer=customer,
                text=words_for_timeline(message),
                received_at=message.received_at,
                email=message,
                now=now,
            )
    except Refused as refused:
        message.note = _noted(message, f"Not added to {case.reference}: {refused.message}")
        return False
    _set_case(message, case)
    return True


def _decide(message, now):
    if message.robot_reason:
        return InboundStatus.ROBOT
    customer = known_customer(message.from_address)
    message.customer = customer
    kind, case = _case_of_thread(message)
    if kind is None and isinstance(case, InboundMessage):
        message.follows = case
        return InboundStatus.TRIAGE  # a follow-up to an email still waiting: no second receipt
    if kind is None:
        earlier = _earlier_email(message)
        if earlier is not None:
            message.follows = earlier
            if earlier.case is not None and registry.kind_for(earlier.case):
                kind, case = registry.kind_for(earlier.case), earlier.case
            else:
                return InboundStatus.TRIAGE
    if kind is None:
        kind, case = _case_of_subject(message)
    if kind is not None:
        if customer is not None and kind.is_customers_address(case, message.from_address):
            if _join(message, kind, case, customer, now):
                return InboundStatus.JOINED
        else:
            message.note = _noted(
                message,
                f"Refers to {case.reference}, but the sender is not that customer's email address: not added to it.",
            )
    if message.follows_id is None and _may_send_receipt(message, now):
        message.receipt = emails.inbound_receipt(message, now=now)
    return InboundStatus.TRIAGE


def sort(message_id, *, now=None):
    """Sort one stored email if it is still new. Returns the status it ended in, or None when it was not
    (or no longer) new. Never raises for a bad email: an unexpected failure flags it for staff."""
    now = now or clock.now()
    try:
        with transaction.atomic():
            message = InboundMessage.objects.select_for_update().filter(pk=message_id, status=InboundStatus.NEW).first()
            if message is None:
                return None
            message.status = _decide(message, now)
            message.save()
    except Exception as exc:
        logger.exception("Inbound email %s could not be sorted; flagged for staff", message_id)
        InboundMessage.objects.filter(pk=message_id, status=InboundStatus.NEW).update(
            status=InboundStatus.FLAGGED, note=f"Sorting failed ({type(exc).__name__}: {exc})"[:2000]
        )
        return InboundStatus.FLAGGED
    logger.info("Inbound email %s sorted: %s", message.reference, message.status)
    return message.status


def sort_waiting(*, now=None, limit=1000):
    """Sort what was stored but not yet sorted (a poller stopped between the two). Returns the count."""
    pending = InboundMessage.objects.filter(status=InboundStatus.NEW).order_by("pk").values_list("pk", flat=True)
    return sum(1 for pk in list(pending[:limit]) if sort(pk, now=now) is not None)


__all__ = ["known_customer", "sort", "sort_waiting", "words_for_timeline"]
