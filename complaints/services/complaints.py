"""A complaint from receipt to closing: opened, acknowledged, moved along its workflow, reopened, written
about by the customer and by us. Every change leaves an event on its timeline.

Code of Practice: complaints are acknowledged "within 24 working hours" (24 office hours from receipt).
"""

from django.db import transaction

from complaints import emails
from complaints.models import Channel, Complaint, EventKind, ReplyBy, Status
from complaints.selectors import can_reopen
from complaints.services._common import event, move, reopen_refusal, staff_wrote
from complaints.services.deadlock import adr_from
from portal import clock, customer_messages, outbox, policy, staff_time
from portal.office_hours import add_office_hours
from portal.workflow import InvalidTransition, Refused, required_text

BY_HAND = {Channel.PHONE, Channel.IN_PERSON}  # a contact that can be acknowledged there and then


def validate_complaint(
    *,
    customer,
    channel=Channel.PORTAL,
    reply_by=None,
    received_at=None,
    service=None,
    acknowledged_by_hand=False,
    now=None,
):
    """Refuse a complaint the rules do not allow; returns how we reply (the customer's usual way when
    `reply_by` is not given). The customer's form and the staff record form call this too, so each sees
    the same refusal on the field it concerns: in the customer's words for a complaint made in the portal
    ("you"), in staff's for one they record ("this customer")."""
    now = now or clock.now()
    own = channel == Channel.PORTAL
    if service is not None and service.customer_id != customer.pk:
        raise Refused(
            "That service is not on your account." if own else "That service is on another customer's account.",
            field="service",
        )
    if received_at is not None:
        problem = staff_time.received_problem(received_at, now=now)
        if problem:
            raise Refused(problem, field="received_at")
    if acknowledged_by_hand and channel not in BY_HAND:
        raise Refused("Only a phone call or a visit can be acknowledged there and then.", field="acknowledged_by_hand")
    if reply_by is None:
        reply_by = ReplyBy.EMAIL if customer.email and not customer.writes_by_post else ReplyBy.LETTER
    if reply_by == ReplyBy.EMAIL and not customer.email:
        raise Refused(
            "We have no email address for you: choose a letter, or add an email address in your details."
            if own
            else "This customer has no email address: reply by letter.",
            field="reply_by",
        )
    by_letter = reply_by == ReplyBy.LETTER or channel == Channel.LETTER or not customer.email
    if by_letter and not outbox.has_postal_address(customer):
        raise Refused(
            "We have no postal address for you: choose email, or add your address in your details."
            if own
            else "This customer has no postal address: add it to their details first.",
            field="reply_by",
        )
    return reply_by


@transaction.atomic
def complaint_open(
    *,
    customer,
    category,
    what_happened,
    desired_outcome="",
    channel=Channel.PORTAL,
    reply_by=None,
    received_at=None,
    recorded_by=None,
    acknowledged_by_hand=False,
    service=None,
    email=None,
    now=None,
):
    """Record a complaint and, unless staff acknowledged it during the contact, queue its acknowledgement.
    `email` is the stored email it came in (portal.models.InboundMessage), linked from its first event."""
    now = now or clock.now()
    received_at = received_at or now
    if channel != Channel.PORTAL and recorded_by is None:
        raise Refused(
            "A complaint received by phone, email, letter or in person is recorded by staff.", field="channel"
        )
    reply_by = validate_complaint(
        customer=customer,
        channel=channel,
        reply_by=reply_by,
        received_at=received_at,
        service=service,
        acknowledged_by_hand=acknowledged_by_hand,
        now=now,
    )
    complaint = Complaint.objects.create(
        customer=customer,
        service=service,
        category=category,
        what_happened=what_happened,
        desired_outcome=desired_outcome,
        channel=channel,
        reply_by=reply_by,
        received_at=received_at,
        recorded_by=recorded_by,
        ack_due_at=add_office_hours(received_at, policy.value("COMPLAINT_ACK_OFFICE_HOURS")),
        adr_from=adr_from(received_at),
    )
    event(
        complaint,
        EventKind.RECEIVED,
        f"Complaint received by {complaint.get_channel_display().lower()}.",
        by=recorded_by or customer,
        at=received_at,
        email=email,
    )
    if acknowledged_by_hand:
        complaint_acknowledge_by_hand(complaint=complaint, by=recorded_by, at=received_at, now=now)
    else:
        complaint.ack_message = emails.complaint_ack(complaint, email=email, now=now)
        complaint.save(update_fields=["ack_message"])
    return complaint


@transaction.atomic
def complaint_acknowledged_by_message(*, message):
    """The acknowledgement email has gone, or its letter was posted: the complaint is acknowledged.

    Runs from the outbox after sending (complaints/apps.py), and again from the periodic job; only the
    first run acts.
    """
    complaint = Complaint.objects.select_for_update().filter(ack_message=message, status=Status.RECEIVED).first()
    if complaint is None:
        return None
    how = "by email" if message.channel == "email" else "by letter"
    move(complaint, Status.ACKNOWLEDGED, by=None, at=message.sent_at, text=f"We acknowledged your complaint {how}.")
    return complaint


@transaction.atomic
def complaint_acknowledge_by_hand(*, complaint, by, at=None, now=None):
    """Staff acknowledged the complaint during the call or visit: no automatic acknowledgement follows."""
    if by is None or not by.is_staff:
        raise Refused("Only staff record an acknowledgement given by hand.")
    at = at or now or clock.now()
    if complaint.ack_message_id and not outbox.cancel(message=complaint.ack_message):
        raise Refused("The acknowledgement has already gone to the customer.")
    Complaint.objects.filter(pk=complaint.pk).update(ack_by_hand=by)
    complaint.ack_by_hand = by
    move(complaint, Status.ACKNOWLEDGED, by=by, at=at, text=f"Acknowledged in person by {by.full_name}.")
    return complaint


@transaction.atomic
def complaint_set_status(*, complaint, to, by, note="", now=None):
    """Staff move a complaint on (investigating, resolved, closed); deadlock has its own service."""
    if to == Status.DEADLOCKED:
        raise InvalidTransition("Issue a deadlock letter to deadlock a complaint.", field="to")
    if to == Status.ACKNOWLEDGED:
        raise InvalidTransition("A complaint is acknowledged by its acknowledgement, or by hand.", field="to")
    now = now or clock.now()
    if to == Status.INVESTIGATING and complaint.status == Status.RESOLVED:
        return complaint_reopen(complaint=complaint, by=by, reason=note, now=now)
    moved = move(complaint, to, by=by, text=note, at=now)
    if to == Status.RESOLVED:
        emails.complaint_status(moved, note=note, now=now)
        staff_wrote(moved, by)
        complaint.customer_waiting_since = moved.customer_waiting_since
    return moved


@transaction.atomic
def complaint_reopen(*, complaint, by, reason="", now=None):
    """Code-side promise: a resolved complaint may be reopened by the customer or staff within 28 days."""
    now = now or clock.now()
    locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if locked.status != Status.RESOLVED:
        raise InvalidTransition("Only a resolved complaint can be reopened.")
    if not can_reopen(locked, now=now):
        raise reopen_refusal()
    reason = (reason or "").strip()
    moved = move(locked, Status.INVESTIGATING, by=by, at=now, text=f"Reopened{': ' + reason if reason else ''}.")
    reopened = event(moved, EventKind.REOPENED, reason, by=by, at=now)
    if by is not None and not by.is_staff:
        # The customer says it is not resolved after all: that waits for our answer like a message.
        customer_messages.received(moved, at=now)
        emails.complaint_reopened(moved, reopened, now=now)
    complaint.status = moved.status
    complaint.customer_waiting_since = moved.customer_waiting_since
    return moved


@transaction.atomic
def complaint_add_customer_message(
    *, complaint, customer, text, received_at, via=customer_messages.Via.PORTAL, email=None, now=None
):
    """A customer's message on their complaint, however it reached us: through the portal, or (for the
    mailbox reader and staff typing in a letter) an email or letter matched to this complaint, with
    `received_at` the time it reached us and `via` how.

    The message goes on the timeline, the complaint waits for our answer, and its owner (or, with no
    owner, customer services) is emailed, once per message (portal/customer_messages.py). An emailed
    message links its stored `email` from the event."""
    now = now or clock.now()
    if complaint.customer_id != customer.pk:
        raise Refused("This is not your complaint.")
    text = required_text(text, "Write your message first.", field="text")
    try:
        customer_messages.check_arrival(received_at=received_at, via=via, now=now, case_since=complaint.received_at)
    except customer_messages.ArrivalRefused as refusal:
        raise Refused(str(refusal), field="received_at") from None
    locked = Complaint.objects.select_for_update(of=("self",)).select_related("customer", "owner").get(pk=complaint.pk)
    if locked.status == Status.CLOSED:
        raise Refused("This complaint is closed. Please make a new complaint.")
    # The timeline event says how the message reached us, which only this path knows.
    message = event(locked, EventKind.CUSTOMER_MESSAGE, text, by=customer, at=received_at, via=via, email=email)
    customer_messages.received(locked, at=received_at)
    emails.complaint_customer_message(locked, message, now=now)
    complaint.customer_waiting_since = locked.customer_waiting_since
    return message


@transaction.atomic
def complaint_reply(*, complaint, by, text, now=None):
    """A reply the customer sees on the timeline and receives by email or letter."""
    now = now or clock.now()
    text = required_text(text, "Write the reply first.", field="text")
    message = emails.complaint_reply(complaint, reply=text, now=now)
    staff_wrote(complaint, by)
    return event(complaint, EventKind.REPLY, text, by=by, at=now, message=message)


@transaction.atomic
def complaint_add_note(*, complaint, by, text, now=None):
    now = now or clock.now()
    text = required_text(text, "Write the note first.", field="text")
    return event(complaint, EventKind.NOTE, text, by=by, internal=True, at=now)


@transaction.atomic
def complaint_assign(*, complaint, owner, by, now=None):
    now = now or clock.now()
    if owner is not None and not owner.is_staff:
        raise Refused("Only a member of staff can own a complaint.", field="owner")
    Complaint.objects.filter(pk=complaint.pk).update(owner=owner)
    complaint.owner = owner
    text = f"Owner: {owner.full_name}." if owner else "Owner removed."
    return event(complaint, EventKind.OWNER, text, by=by, internal=True, at=now)
