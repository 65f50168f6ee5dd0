"""Every change to a complaint goes through these functions; each leaves an event on its timeline.

Code of Practice: complaints are acknowledged "within 24 working hours" (24 office hours from receipt);
a complaint we cannot resolve gets a "deadlock" letter naming the ADR scheme; after three months (a
policy value) the customer may go to the ADR scheme directly, and we tell them so by letter.
"""

import logging
from datetime import timedelta
from datetime import timezone as dt_timezone

from django.db import transaction
from django.utils import timezone

from complaints.selectors import adr_scheme_current
from complaints.models import (
    OPEN_STATUSES,
    TRANSITIONS,
    AdrScheme,
    Channel,
    Complaint,
    ComplaintEvent,
    EventKind,
    ReplyBy,
    Status,
)
from accounts.groups import CUSTOMER_SERVICES
from complaints import messages as complaint_messages
from portal import customer_messages
from portal import dates as portal_dates
from portal import outbox
from portal import policy as policy_values
from portal import sla
from portal.office_hours import add_office_hours, london

logger = logging.getLogger(__name__)

# Words for refusals staff read: "A complaint that is deadlocked cannot be investigated."
PLAIN = {Status.RECEIVED: "received but not yet acknowledged", Status.ACKNOWLEDGED: "acknowledged",
         Status.INVESTIGATING: "being investigated", Status.RESOLVED: "resolved", Status.DEADLOCKED: "deadlocked",
         Status.CLOSED: "closed"}
BECOME = {Status.RECEIVED: "go back to received", Status.ACKNOWLEDGED: "be acknowledged",
          Status.INVESTIGATING: "be investigated", Status.RESOLVED: "be resolved", Status.DEADLOCKED: "be deadlocked",
          Status.CLOSED: "be closed"}


class ComplaintError(Exception):
    """A request the complaint's state does not allow; the message is for the user."""


class InvalidTransition(ComplaintError):
    pass


def add_months(moment, months):
    """The same London wall-clock time `months` later, on the last day of the month if it is shorter."""
    local = london(moment)
    day = portal_dates.add_months(local.date(), months)
    return local.replace(year=day.year, month=day.month, day=day.day).astimezone(dt_timezone.utc)


def adr_from(received_at):
    weeks = policy_values.value("ADR_AFTER_WEEKS")
    if weeks:
        # Wall-clock weeks in London (aware datetime arithmetic keeps the zone), so a clock change in
        # between moves neither the day nor the hour.
        return (london(received_at) + timedelta(weeks=weeks)).astimezone(dt_timezone.utc)
    return add_months(received_at, policy_values.value("ADR_AFTER_MONTHS"))


@transaction.atomic
def adr_scheme_make_current(*, scheme, now=None):
    """Make `scheme` the one deadlock and ADR letters name, in place of the scheme current until now.

    There is always exactly one current scheme: this swap is the only way a scheme stops being current
    (staff cannot untick it or delete it, complaints/admin.py). Every scheme row is locked first, so two
    members of staff swapping at once end with one current scheme, the one whose swap came last; the
    old one is turned off before the new one is turned on (the unique constraint allows one at a time).
    """
    now = now or timezone.now()
    list(AdrScheme.objects.select_for_update().order_by("pk").values_list("pk", flat=True))
    AdrScheme.objects.exclude(pk=scheme.pk).filter(is_current=True).update(is_current=False, updated_at=now)
    AdrScheme.objects.filter(pk=scheme.pk).update(is_current=True, updated_at=now)
    scheme.is_current, scheme.updated_at = True, now
    return scheme


def _event(complaint, kind, text="", *, by=None, internal=False, at=None, message=None):
    return ComplaintEvent.objects.create(complaint=complaint, kind=kind, text=text, by=by, internal=internal,
                                         at=at or timezone.now(), message=message)


def _has_postal_address(customer):
    return bool(customer.address.strip() and customer.postcode.strip())


def _by_post(complaint):
    # Code: acknowledge "by letter or email"; by letter when they have no email, asked for letters,
    # or wrote to us by letter.
    customer = complaint.customer
    return not customer.email or complaint.reply_by == ReplyBy.LETTER or complaint.channel == Channel.LETTER


def _write(complaint, *, kind, template, subject, context=None, now=None, due_at=None, attachments=(), by=None):
    """Email or write to the customer. `by`: the member of staff writing, if a person does; what they
    write answers the customer, so the complaint no longer waits for us (portal/customer_messages.py)."""
    try:
        message = _send(complaint, kind=kind, template=template, subject=subject, context=context, now=now,
                        due_at=due_at, attachments=attachments)
    except outbox.Unreachable as error:  # neither an email nor a postal address: staff must find one first
        raise ComplaintError(f"We cannot write to this customer: {error} Add their email or postal address.")
    if by is not None and by.is_staff:
        customer_messages.answered(complaint)
    return message


def _send(complaint, *, kind, template, subject, context, now, due_at, attachments):
    return outbox.send_to_customer(
        complaint.customer, kind=kind, template=template, subject=f"{subject} ({complaint.reference})",
        context={"complaint": complaint, "scheme": adr_scheme_current(), **(context or {})},
        concerning=complaint, due_at=due_at, by_post=_by_post(complaint),
        attachments=[] if _by_post(complaint) else attachments, now=now,
    )


@transaction.atomic
def complaint_open(*, customer, category, what_happened, desired_outcome="", channel=Channel.PORTAL,
                   reply_by=None, received_at=None, recorded_by=None, acknowledged_by_hand=False, service=None,
                   now=None):
    """Record a complaint and, unless staff acknowledged it during the contact, queue its acknowledgement."""
    now = now or timezone.now()
    if service is not None and service.customer_id != customer.pk:
        raise ComplaintError("That service is not on this customer's account.")
    received_at = received_at or now
    if received_at > now + timedelta(minutes=1):
        raise ComplaintError("The time the complaint was received cannot be in the future.")
    if channel != Channel.PORTAL and recorded_by is None:
        raise ComplaintError("A complaint received by phone, email, letter or in person is recorded by staff.")
    if reply_by is None:
        reply_by = ReplyBy.EMAIL if customer.email and not customer.writes_by_post else ReplyBy.LETTER
    if reply_by == ReplyBy.EMAIL and not customer.email:
        raise ComplaintError("We have no email address for this customer: we will reply by letter.")
    if (reply_by == ReplyBy.LETTER or channel == Channel.LETTER or not customer.email) \
            and not _has_postal_address(customer):
        raise ComplaintError("We have no postal address for this customer, so we cannot reply by letter: "
                             "add the address first, or reply by email.")
    complaint = Complaint.objects.create(
        customer=customer, service=service, category=category, what_happened=what_happened,
        desired_outcome=desired_outcome,
        channel=channel, reply_by=reply_by, received_at=received_at, recorded_by=recorded_by,
        ack_due_at=add_office_hours(received_at, policy_values.value("COMPLAINT_ACK_OFFICE_HOURS")),
        adr_from=adr_from(received_at),
    )
    _event(complaint, EventKind.RECEIVED, f"Complaint received by {complaint.get_channel_display().lower()}.",
           by=recorded_by or customer, at=received_at)
    if acknowledged_by_hand:
        complaint_acknowledge_by_hand(complaint=complaint, by=recorded_by, at=received_at, now=now)
    else:
        complaint.ack_message = _write(complaint, kind="complaint_ack", template="complaints/acknowledgement",
                                       subject="We have received your complaint", now=now,
                                       due_at=complaint.ack_due_at)
        complaint.save(update_fields=["ack_message"])
    return complaint


def _move(complaint, to, *, by, text="", at=None, internal=False):
    """Change status along TRANSITIONS only; the row is locked so two staff cannot race."""
    locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if to not in TRANSITIONS[locked.status]:
        raise InvalidTransition(f"A complaint that is {PLAIN[locked.status]} cannot {BECOME[to]}.")
    if locked.status == Status.RESOLVED and to == Status.INVESTIGATING and not complaint_can_reopen(locked, now=at):
        limit = policy_values.value("COMPLAINT_REOPEN_DAYS")
        raise ComplaintError(f"A complaint can be reopened within {limit} days of being resolved; "
                             "please make a new complaint.")
    at = at or timezone.now()
    old = locked.get_status_display()
    locked.status = to
    stamps = {Status.ACKNOWLEDGED: "acknowledged_at", Status.RESOLVED: "resolved_at",
              Status.DEADLOCKED: "deadlocked_at", Status.CLOSED: "closed_at"}
    fields = ["status"]
    if to in stamps:
        setattr(locked, stamps[to], at)
        fields.append(stamps[to])
    locked.save(update_fields=fields)
    _event(locked, EventKind.STATUS, text or f"{old} → {locked.get_status_display()}.", by=by, at=at,
           internal=internal)
    if to == Status.CLOSED:
        customer_messages.answered(locked)  # a closed complaint waits for nothing
        fields.append("customer_waiting_since")
    complaint.__dict__.update({f: getattr(locked, f) for f in fields})
    return locked


@transaction.atomic
def complaint_acknowledged_by_message(*, message):
    """The acknowledgement email has gone, or its letter was posted: the complaint is acknowledged.

    Runs from the outbox after sending, and again from the periodic job; only the first run acts.
    """
    complaint = Complaint.objects.select_for_update().filter(ack_message=message, status=Status.RECEIVED).first()
    if complaint is None:
        return None
    how = "by email" if message.channel == "email" else "by letter"
    _move(complaint, Status.ACKNOWLEDGED, by=None, at=message.sent_at,
          text=f"We acknowledged your complaint {how}.")
    return complaint


outbox.on_sent("complaint_ack")(lambda message: complaint_acknowledged_by_message(message=message))


@transaction.atomic
def complaint_acknowledge_by_hand(*, complaint, by, at=None, now=None):
    """Staff acknowledged the complaint during the call or visit: no automatic acknowledgement follows."""
    if by is None or not by.is_staff:
        raise ComplaintError("Only staff record an acknowledgement given by hand.")
    at = at or now or timezone.now()
    if complaint.ack_message_id and not outbox.cancel(message=complaint.ack_message):
        raise ComplaintError("The acknowledgement has already gone to the customer.")
    Complaint.objects.filter(pk=complaint.pk).update(ack_by_hand=by)
    complaint.ack_by_hand = by
    _move(complaint, Status.ACKNOWLEDGED, by=by, at=at, text=f"Acknowledged in person by {by.full_name}.")
    return complaint


@transaction.atomic
def complaint_set_status(*, complaint, to, by, note=""):
    """Staff move a complaint on (investigating, resolved, closed); deadlock has its own service."""
    if to == Status.DEADLOCKED:
        raise InvalidTransition("Issue a deadlock letter to deadlock a complaint.")
    if to == Status.ACKNOWLEDGED:
        raise InvalidTransition("A complaint is acknowledged by its acknowledgement, or by hand.")
    if to == Status.INVESTIGATING and complaint.status == Status.RESOLVED:
        return complaint_reopen(complaint=complaint, by=by, reason=note)
    moved = _move(complaint, to, by=by, text=note)
    if to == Status.RESOLVED:
        _write(moved, kind="complaint_status", template="complaints/status", subject="Your complaint is resolved",
               context={"note": note}, by=by)
        complaint.customer_waiting_since = moved.customer_waiting_since
    return moved


def complaint_can_reopen(complaint, *, now=None):
    if complaint.status != Status.RESOLVED or complaint.resolved_at is None:
        return False
    limit = timedelta(days=policy_values.value("COMPLAINT_REOPEN_DAYS"))
    return (now or timezone.now()) <= complaint.resolved_at + limit


@transaction.atomic
def complaint_reopen(*, complaint, by, reason="", now=None):
    """Code-side promise: a resolved complaint may be reopened by the customer or staff within 28 days."""
    now = now or timezone.now()
    locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if locked.status != Status.RESOLVED:
        raise InvalidTransition("Only a resolved complaint can be reopened.")
    limit = policy_values.value("COMPLAINT_REOPEN_DAYS")
    if now > locked.resolved_at + timedelta(days=limit):
        raise ComplaintError(f"A complaint can be reopened within {limit} days of being resolved; "
                             "please make a new complaint.")
    reason = (reason or "").strip()
    moved = _move(locked, Status.INVESTIGATING, by=by, at=now,
                  text=f"Reopened{': ' + reason if reason else ''}.")
    event = _event(moved, EventKind.REOPENED, reason, by=by, at=now)
    if by is not None and not by.is_staff:
        # The customer says it is not resolved after all: that waits for our answer like a message.
        customer_messages.received(moved, at=now)
        complaint_messages.staff_reopened(moved, event, now=now)
    complaint.status = moved.status
    complaint.customer_waiting_since = moved.customer_waiting_since
    return moved


@transaction.atomic
def complaint_add_customer_message(*, complaint, customer, text, received_at, via=customer_messages.Via.PORTAL,
                                   now=None):
    """A customer's message on their complaint, however it reached us: through the portal, or (for the
    mailbox reader and staff typing in a letter) an email or letter matched to this complaint, with
    `received_at` the time it reached us and `via` how.

    The message goes on the timeline, the complaint waits for our answer, and its owner (or, with no
    owner, customer services) is emailed, once per message (portal/customer_messages.py)."""
    now = now or timezone.now()
    if complaint.customer_id != customer.pk:
        raise ComplaintError("This is not your complaint.")
    text = (text or "").strip()
    if not text:
        raise ComplaintError("Write your message first.")
    try:
        customer_messages.check_arrival(received_at=received_at, via=via, now=now,
                                        case_since=complaint.received_at)
    except customer_messages.ArrivalRefused as refusal:
        raise ComplaintError(str(refusal)) from None
    locked = Complaint.objects.select_for_update(of=("self",)).select_related("customer", "owner").get(
        pk=complaint.pk)
    if locked.status == Status.CLOSED:
        raise ComplaintError("This complaint is closed. Please make a new complaint.")
    # The timeline event says how the message reached us, which only this path knows.
    event = ComplaintEvent.objects.create(complaint=locked, kind=EventKind.CUSTOMER_MESSAGE, text=text, by=customer,
                                          at=received_at, via=via)
    customer_messages.received(locked, at=received_at)
    complaint_messages.staff_customer_message(locked, event, now=now)
    complaint.customer_waiting_since = locked.customer_waiting_since
    return event


@transaction.atomic
def complaint_reply(*, complaint, by, text):
    """A reply the customer sees on the timeline and receives by email or letter."""
    if not text.strip():
        raise ComplaintError("Write the reply first.")
    message = _write(complaint, kind="complaint_reply", template="complaints/reply",
                     subject="A reply about your complaint", context={"reply": text.strip(), "by": by}, by=by)
    return _event(complaint, EventKind.REPLY, text.strip(), by=by, message=message)


@transaction.atomic
def complaint_add_note(*, complaint, by, text):
    if not text.strip():
        raise ComplaintError("Write the note first.")
    return _event(complaint, EventKind.NOTE, text.strip(), by=by, internal=True)


@transaction.atomic
def complaint_assign(*, complaint, owner, by):
    if owner is not None and not owner.is_staff:
        raise ComplaintError("Only a member of staff can own a complaint.")
    Complaint.objects.filter(pk=complaint.pk).update(owner=owner)
    complaint.owner = owner
    text = f"Owner: {owner.full_name}." if owner else "Owner removed."
    return _event(complaint, EventKind.OWNER, text, by=by, internal=True)


@transaction.atomic
def complaint_issue_deadlock(*, complaint, by, final_position, by_email=True, by_post=False, now=None):
    """We cannot resolve it: write the deadlock letter (PDF) naming the ADR scheme, email and/or post it."""
    now = now or timezone.now()
    if not final_position.strip():
        raise ComplaintError("Write our final position: it is the heart of the deadlock letter.")
    scheme = adr_scheme_current()
    if scheme is None:
        raise ComplaintError("No current ADR scheme is set up: add its details first.")
    customer = complaint.customer
    if by_email and not customer.email:
        raise ComplaintError("We have no email address for this customer: post the letter instead.")
    if not (by_email or by_post):
        raise ComplaintError("Choose to email the letter, post it, or both.")
    if by_post and not _has_postal_address(customer):
        raise ComplaintError("We have no postal address for this customer: email the letter instead.")
    locked = _move(complaint, Status.DEADLOCKED, by=by, at=now,
                   text="We could not resolve your complaint and sent you a deadlock letter.")
    Complaint.objects.filter(pk=locked.pk).update(deadlock_position=final_position.strip())
    locked.deadlock_position = complaint.deadlock_position = final_position.strip()
    context = {"complaint": locked, "scheme": scheme, "customer": customer, "final_position": locked.deadlock_position}
    subject = f"Our final position on your complaint ({locked.reference})"
    messages = []
    if by_email:
        letter_html = outbox.render_letter("complaints/deadlock", context=context, subject=subject,
                                           to_name=customer.full_name, address_lines=customer.postal_lines[1:],
                                           now=now)
        messages.append(outbox.email(
            kind="complaint_deadlock", to_email=customer.email, to_name=customer.display_name,
            template="complaints/deadlock", subject=subject, context=context, customer=customer,
            concerning=locked, now=now,
            attachments=[outbox.Attachment(filename=f"deadlock-letter-{locked.reference}.pdf", html=letter_html)],
        ))
    if by_post:
        messages.append(outbox.send_to_customer(customer, kind="complaint_deadlock", template="complaints/deadlock",
                                                subject=subject, context=context, concerning=locked, by_post=True,
                                                now=now))
    _event(locked, EventKind.DEADLOCK, locked.deadlock_position, by=by, at=now, message=messages[0])
    customer_messages.answered(locked)  # our final position answers whatever the customer last wrote
    complaint.customer_waiting_since = None
    return locked


def complaint_raise_adr_letter(*, complaint_id, now=None):
    """Tell the customer they may now go to the ADR scheme directly. Exactly once per complaint: the
    guarded UPDATE below wins for one caller only, even when two runs of the job race (PostgreSQL
    re-checks the WHERE clause after waiting for the other transaction's row lock)."""
    now = now or timezone.now()
    if adr_scheme_current() is None:
        # A letter naming no scheme helps nobody; it goes as soon as staff mark a scheme current.
        logger.error("No current ADR scheme: the ADR letter for complaint %s waits", complaint_id)
        return None
    with transaction.atomic():
        won = Complaint.objects.filter(
            pk=complaint_id, adr_letter_at__isnull=True, status__in=OPEN_STATUSES, adr_from__lte=now
        ).update(adr_letter_at=now)
        if not won:
            return None
        complaint = Complaint.objects.select_related("customer").get(pk=complaint_id)
        message = _write(complaint, kind="complaint_adr", template="complaints/adr",
                         subject="You may now take your complaint to the ADR scheme", now=now)
        _event(complaint, EventKind.ADR_LETTER,
               "It is more than the time set out in our Code since you first complained: you may now take "
               "your complaint to the ADR scheme directly. We sent you its details.", at=now, message=message)
        return complaint


@transaction.atomic
def complaints_alert_unacknowledged(*, now=None):
    """Alert customer services about complaints not yet acknowledged whose acknowledgement is newly at
    risk (due within COMPLAINT_AT_RISK_OFFICE_HOURS office hours) or overdue: one email to the group
    listing them and an internal event on each, once per complaint and level."""
    now = now or timezone.now()
    hours = policy_values.value("COMPLAINT_AT_RISK_OFFICE_HOURS")
    newly = sla.claim_alerts(
        Complaint.objects.filter(status=Status.RECEIVED).select_related("customer"),
        due_field="ack_due_at", done_field="acknowledged_at", level_field="ack_alert_level",
        at_risk_office_hours=hours, now=now,
        record=lambda complaint, level: _event(
            complaint, EventKind.ALERT, f"Customer services alerted: acknowledgement {sla.LABELS[level].lower()}.",
            internal=True, at=now),
    )
    if newly[sla.AT_RISK] or newly[sla.OVERDUE]:
        outbox.email_staff(
            group=CUSTOMER_SERVICES, kind="complaint_ack_alert", template="complaints/staff_alert",
            subject=f"Complaints to acknowledge: {len(newly[sla.OVERDUE])} overdue, "
                    f"{len(newly[sla.AT_RISK])} at risk",
            context={"overdue": newly[sla.OVERDUE], "at_risk": newly[sla.AT_RISK], "hours": hours}, now=now,
        )
    return newly
