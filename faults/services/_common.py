"""What every fault service shares: its errors, the timeline event and the message to the customer."""

from django.db import transaction

from faults.models import CONCLUDED_STATUSES, TRANSITIONS, Fault, FaultEvent, Status
from portal import customer_messages, outbox


class FaultError(Exception):
    """A request the fault's state does not allow; the message is for the user."""


class InvalidTransition(FaultError):
    pass


def event(fault, kind, text="", *, at, by=None, internal=False, message=None, via=""):
    return FaultEvent.objects.create(fault=fault, kind=kind, text=text, by=by, internal=internal, at=at,
                                     message=message, via=via)


def write(fault, *, kind, template, subject, context=None, by=None):
    """Email the customer about their fault, or write to them if they take letters only.

    `by`: the member of staff whose action this is, if any. Staff writing to the customer answers them,
    so the fault no longer waits for us (portal/customer_messages.py).

    The outbox keeps its own clock (no `now` passed): a message may go as soon as it is written, even
    when the fault's time came from a phone call typed in later or a test's moved clock.
    """
    message = outbox.send_to_customer(
        fault.customer, kind=kind, template=f"faults/{template}", subject=f"{subject} ({fault.reference})",
        context={"fault": fault, **(context or {})}, concerning=fault,
    )
    if by is not None and by.is_staff:
        customer_messages.answered(fault)
    return message


def lock(fault):
    """The fault's row, locked until the transaction ends, so two members of staff (or a customer and an
    engineer) cannot both act on the state they read."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock() needs a transaction")
    return Fault.objects.select_for_update(of=("self",)).select_related("customer", "service__product").get(pk=fault.pk)


def move(fault, to, *, by, at, note=""):
    """Change a locked fault's status along TRANSITIONS only, stamping when our work ended or it closed.
    Returns the status event (the caller links the message it sends about it)."""
    if to not in TRANSITIONS[fault.status]:
        raise InvalidTransition(
            f"A fault that is {fault.get_status_display().lower()} cannot become {Status(to).label.lower()}.")
    old = fault.get_status_display()
    fault.status = to
    fields = ["status"]
    if to in CONCLUDED_STATUSES and fault.resolved_at is None:
        fault.resolved_at = at  # repaired, or found not to be ours: the repair target stops here
        fields.append("resolved_at")
    if to == Status.CLOSED:
        fault.closed_at = at
        fields.append("closed_at")
    fault.save(update_fields=fields)
    if to == Status.CLOSED:
        customer_messages.answered(fault)  # a closed fault waits for nothing
    text = f"{old} → {fault.get_status_display()}." + (f"\n{note.strip()}" if note.strip() else "")
    return event(fault, "status", text, by=by, at=at)


def link(event_row, message):
    event_row.message = message
    event_row.save(update_fields=["message"])
    return event_row


def sync(target, source, *fields):
    """Copy fields from the locked copy back to the caller's object, so it sees what was saved."""
    for name in fields:
        setattr(target, name, getattr(source, name))
