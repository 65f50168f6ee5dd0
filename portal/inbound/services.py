"""What customer services do with an email waiting in triage (the admin's triage list): link it to the
customer who sent it, turn it into a case (the conversions the apps register), or mark it dealt with. A
robot's email or one that could not be read can be taken back into triage by hand.

Each takes the email's row with a lock and checks its status first, so two members of staff acting on
the same email at once cannot make two cases of it: the second is refused and told what the first did.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from portal import clock
from portal.inbound import registry
from portal.models import InboundMessage, InboundStatus
from portal.workflow import Refused


def _lock(message):
    return InboundMessage.objects.select_for_update().get(pk=message.pk)


def _refuse_unless_waiting(message):
    if message.status == InboundStatus.TRIAGE:
        return
    if message.status == InboundStatus.CONVERTED:
        raise Refused(f"{message.reference} has already been turned into {message.case_reference}.")
    raise Refused(f"{message.reference} is not waiting in triage ({message.get_status_display().lower()}).")


def _done(message, *, status, by, now, fields=()):
    message.status, message.handled_by, message.handled_at = status, by, now
    message.save(update_fields=["status", "handled_by", "handled_at", *fields])


@transaction.atomic
def inbound_link_customer(*, message, customer, by, now=None):
    """Staff found who sent an email from an address we do not know: it is linked to that customer."""
    if customer is None or customer.is_staff:
        raise Refused("Choose a customer.", field="customer")
    locked = _lock(message)
    _refuse_unless_waiting(locked)
    locked.customer = customer
    locked.save(update_fields=["customer"])
    message.customer = customer
    return locked


@transaction.atomic
def inbound_convert(*, message, conversion, by, data, now=None):
    """Turn a waiting email into a case with one of the registered conversions, keeping the email's own
    received time for every deadline (the app's service gets it as the time the case reached us)."""
    now = now or clock.now()
    locked = _lock(message)
    _refuse_unless_waiting(locked)
    if locked.customer_id is None:
        raise Refused("Link this email to the customer who sent it first.")
    case = registry.conversions()[conversion].run(locked, by, data, now)
    locked.case_type = ContentType.objects.get_for_model(case)
    locked.case_id, locked.case_reference = case.pk, case.reference
    _done(locked, status=InboundStatus.CONVERTED, by=by, now=now, fields=["case_type", "case_id", "case_reference"])
    return case


@transaction.atomic
def inbound_dismiss(*, message, by, reason, now=None):
    """Nothing to do for the customer (a thank-you, spam): kept, with why, and out of the waiting list."""
    reason = (reason or "").strip()
    if not reason:
        raise Refused("Say why no case is needed.", field="reason")
    now = now or clock.now()
    locked = _lock(message)
    _refuse_unless_waiting(locked)
    locked.note = "\n".join(filter(None, [locked.note, f"Dealt with, no case: {reason}"]))
    _done(locked, status=InboundStatus.DISMISSED, by=by, now=now, fields=["note"])
    return locked


@transaction.atomic
def inbound_to_triage(*, message, by, now=None):
    """A robot's email that was a person's after all, or an unreadable one staff have read in its raw form:
    into triage, to be handled like any other. No receipt is sent now: a person decides what to answer."""
    now = now or clock.now()
    locked = _lock(message)
    if locked.status not in (InboundStatus.ROBOT, InboundStatus.FLAGGED):
        raise Refused(f"{locked.reference} is not an automatic or unreadable email.")
    _done(locked, status=InboundStatus.TRIAGE, by=by, now=now)
    return locked
