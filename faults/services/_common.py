"""What every fault service shares: the timeline event, the lock, the checked status move, and what staff
writing to the customer means. Refusals are portal.workflow's Refused (InvalidTransition for a move)."""

from django.db import transaction

from faults.models import STAMPS, TRANSITIONS, WORDS, Fault, FaultEvent, Status
from portal import customer_messages
from portal.workflow import check_move


def event(fault, kind, text="", *, at, by=None, internal=False, message=None, via="", email=None):
    return FaultEvent.objects.create(
        fault=fault, kind=kind, text=text, by=by, internal=internal, at=at, message=message, via=via, email=email
    )


def staff_wrote(fault, message, *, by):
    """`by` (the member of staff whose action sent `message`, if any) has written to the customer: that
    answers them, so the fault no longer waits for us (portal/customer_messages.py). Returns the message."""
    if by is not None and by.is_staff:
        customer_messages.answered(fault)
    return message


def lock(fault):
    """The fault's row, locked until the transaction ends, so two members of staff (or a customer and an
    engineer) cannot both act on the state they read."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock() needs a transaction")
    return Fault.objects.select_for_update(of=("self",)).select_related("customer", "service__product").get(pk=fault.pk)


def check_status_move(fault, to):
    """Refuse a status move TRANSITIONS does not allow: "A fault that is reported cannot become resolved."."""
    check_move(TRANSITIONS, fault.status, to, what="A fault", words=WORDS)


def move(fault, to, *, by, at, note=""):
    """Change a locked fault's status along TRANSITIONS only, stamping what STAMPS says (when our work
    ended, when it closed). Returns the status event (the caller links the message it sends about it)."""
    check_status_move(fault, to)
    old = fault.get_status_display()
    fault.status = to
    fields = ["status"]
    for stamp in STAMPS.get(to, ()):
        if getattr(fault, stamp) is None:
            setattr(fault, stamp, at)
            fields.append(stamp)
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
