"""What the complaints services share: the timeline event, and the one way a complaint changes status."""

from complaints.models import STAMPS, TRANSITIONS, WORDS, Complaint, ComplaintEvent, EventKind, Status
from complaints.selectors import can_reopen
from portal import clock, customer_messages, policy
from portal.workflow import Refused, check_move


def event(complaint, kind, text="", *, by=None, internal=False, at=None, message=None, via="", email=None):
    return ComplaintEvent.objects.create(
        complaint=complaint,
        kind=kind,
        text=text,
        by=by,
        internal=internal,
        at=at or clock.now(),
        message=message,
        via=via,
        email=email,
    )


def reopen_refusal():
    return Refused(
        f"A complaint can be reopened within {policy.value('COMPLAINT_REOPEN_DAYS')} days of being "
        "resolved; please make a new complaint."
    )


def move(complaint, to, *, by, text="", at=None, internal=False):
    """Change status along TRANSITIONS only; the row is locked so two staff cannot race. Run inside a
    transaction. Returns the locked row; `complaint` is brought up to date too."""
    locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
    check_move(TRANSITIONS, locked.status, to, what="A complaint", words=WORDS)
    at = at or clock.now()
    if locked.status == Status.RESOLVED and to == Status.INVESTIGATING and not can_reopen(locked, now=at):
        raise reopen_refusal()
    old = locked.get_status_display()
    locked.status = to
    fields = ["status"]
    if to in STAMPS:
        setattr(locked, STAMPS[to], at)
        fields.append(STAMPS[to])
    locked.save(update_fields=fields)
    event(locked, EventKind.STATUS, text or f"{old} → {locked.get_status_display()}.", by=by, at=at, internal=internal)
    if to == Status.CLOSED:
        customer_messages.answered(locked)  # a closed complaint waits for nothing
        fields.append("customer_waiting_since")
    complaint.__dict__.update({f: getattr(locked, f) for f in fields})
    return locked


def staff_wrote(complaint, by):
    """A member of staff wrote to the customer: that answers them, so the complaint no longer waits for
    us (portal/customer_messages.py). A message the portal sends by itself answers nothing."""
    if by is not None and by.is_staff:
        customer_messages.answered(complaint)
