"""When we cannot resolve a complaint, and when the customer may go to the ADR scheme without us.

Code (Dispute resolution): a complaint we cannot resolve gets a "deadlock" letter naming the ADR scheme;
after three months (a policy value) the customer may go to the ADR scheme directly, and we tell them so
by letter. The scheme the letters name is the one current scheme, which staff replace in one swap.
"""

import logging
from datetime import timedelta

from django.db import transaction

from complaints import emails
from complaints.models import OPEN_STATUSES, AdrScheme, Complaint, EventKind, Status
from complaints.selectors import adr_scheme_current
from complaints.services._common import event, move
from portal import clock, customer_messages, dates, outbox, policy
from portal.office_hours import london, london_time
from portal.workflow import Refused, required_text

logger = logging.getLogger(__name__)


def add_months(moment, months):
    """The same London wall-clock time `months` later, on the last day of the month if it is shorter."""
    local = london(moment)
    return london_time(dates.add_months(local.date(), months), local.time())


def adr_from(received_at):
    """From when the customer may go to the ADR scheme directly: fixed at receipt from the policy then in force."""
    weeks = policy.value("ADR_AFTER_WEEKS")
    if weeks:
        # Wall-clock weeks in London, so a clock change in between moves neither the day nor the hour.
        local = london(received_at)
        return london_time(local.date() + timedelta(weeks=weeks), local.time())
    return add_months(received_at, policy.value("ADR_AFTER_MONTHS"))


@transaction.atomic
def adr_scheme_make_current(*, scheme, now=None):
    """Make `scheme` the one deadlock and ADR letters name, in place of the scheme current until now.

    There is always exactly one current scheme: this swap is the only way a scheme stops being current
    (staff cannot untick it or delete it, complaints/admin.py). Every scheme row is locked first, so two
    members of staff swapping at once end with one current scheme, the one whose swap came last; the
    old one is turned off before the new one is turned on (the unique constraint allows one at a time).
    """
    now = now or clock.now()
    list(AdrScheme.objects.select_for_update().order_by("pk").values_list("pk", flat=True))
    AdrScheme.objects.exclude(pk=scheme.pk).filter(is_current=True).update(is_current=False, updated_at=now)
    AdrScheme.objects.filter(pk=scheme.pk).update(is_current=True, updated_at=now)
    scheme.is_current, scheme.updated_at = True, now
    return scheme


@transaction.atomic
def complaint_issue_deadlock(*, complaint, by, final_position, by_email=True, by_post=False, now=None):
    """We cannot resolve it: write the deadlock letter (PDF) naming the ADR scheme, email and/or post it."""
    now = now or clock.now()
    final_position = required_text(
        final_position, "Write our final position: it is the heart of the deadlock letter.", field="final_position"
    )
    scheme = adr_scheme_current()
    if scheme is None:
        raise Refused("No current ADR scheme is set up: add its details first.")
    customer = complaint.customer
    if by_email and not customer.email:
        raise Refused("We have no email address for this customer: post the letter instead.", field="by_email")
    if not (by_email or by_post):
        raise Refused("Choose to email the letter, post it, or both.")
    if by_post and not outbox.has_postal_address(customer):
        raise Refused("We have no postal address for this customer: email the letter instead.", field="by_post")
    locked = move(
        complaint,
        Status.DEADLOCKED,
        by=by,
        at=now,
        text="We could not resolve your complaint and sent you a deadlock letter.",
    )
    Complaint.objects.filter(pk=locked.pk).update(deadlock_position=final_position)
    locked.deadlock_position = complaint.deadlock_position = final_position
    sent = emails.complaint_deadlock(locked, scheme=scheme, by_email=by_email, by_post=by_post, now=now)
    event(locked, EventKind.DEADLOCK, final_position, by=by, at=now, message=sent[0])
    customer_messages.answered(locked)  # our final position answers whatever the customer last wrote
    complaint.customer_waiting_since = None
    return locked


def complaint_raise_adr_letter(*, complaint_id, now=None):
    """Tell the customer they may now go to the ADR scheme directly. Exactly once per complaint: the
    guarded UPDATE below wins for one caller only, even when two runs of the job race (PostgreSQL
    re-checks the WHERE clause after waiting for the other transaction's row lock)."""
    now = now or clock.now()
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
        message = emails.complaint_adr(complaint, now=now)
        event(
            complaint,
            EventKind.ADR_LETTER,
            "It is more than the time set out in our Code since you first complained: you may now take "
            "your complaint to the ADR scheme directly. We sent you its details.",
            at=now,
            message=message,
        )
        return complaint
