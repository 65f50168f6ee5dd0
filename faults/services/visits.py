"""Engineer visits: times offered by staff, accepted by the customer, their outcome, and charges.

Code (Fault Repair): "Should an engineer need to visit your premises we will agree this with you" (a
visit is booked only when the customer accepts a time staff offered), "engineers only attend to faults
in normal working hours" (faults/slots.py), and "We reserve the right to charge for any abortive work or
visit arising from faults over which we have no control" (the customer is told the amount before
accepting; a chargeable outcome makes one pending charge that billing puts on the next invoice).
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction

from faults import emails
from faults.models import (
    CHARGEABLE_OUTCOMES,
    ChargeStatus,
    EventKind,
    Location,
    Outcome,
    SlotStatus,
    Status,
    VisitCharge,
    VisitSlot,
)
from faults.services._common import event, link, lock, move, staff_wrote, sync
from faults.slots import slot_text, validate
from portal import clock, customer_messages, policy
from portal.formats import gbp, price_text
from portal.money import PENNY, vat_rate
from portal.workflow import Refused, required_text


def visit_charge_amount():
    """Code: "We reserve the right to charge for any abortive work or visit"; excluding VAT (a policy value)."""
    return Decimal(policy.value("ABORTIVE_VISIT_CHARGE")).quantize(PENNY, rounding=ROUND_HALF_UP)


def _slot_label(slot):
    return slot_text(slot.date, slot.window)


NO_AMOUNT = (
    "We could not tell which charge you were shown, so the visit is not booked. Please read the charge "
    "on this page and accept again."
)


def _amount(value):
    """The amount the customer was shown, as a finite Decimal; anything else is refused."""
    if value is None or isinstance(value, float) or str(value).strip() == "":
        raise Refused(NO_AMOUNT, field="amount_shown")
    try:
        shown = Decimal(str(value).strip())
    except InvalidOperation:
        raise Refused(NO_AMOUNT, field="amount_shown") from None
    if not shown.is_finite():
        raise Refused(NO_AMOUNT, field="amount_shown")
    return shown


@transaction.atomic
def visit_slots_offer(*, fault, slots, by, now=None):
    """Offer the customer one or more visit times, each a (date, window) pair inside office hours."""
    now = now or clock.now()
    locked = lock(fault)
    if locked.status != Status.INVESTIGATING:
        raise Refused(
            f"Visit times are offered while a fault is being investigated; this one is "
            f"{locked.get_status_display().lower()}."
        )
    if not slots:
        raise Refused("Offer at least one visit time.")
    taken = set(locked.slots.filter(status__in=[SlotStatus.OFFERED, SlotStatus.ACCEPTED]).values_list("date", "window"))
    created = []
    for day, window in slots:
        start_at, end_at = validate(day, window, now=now)
        if (day, window) in taken:
            raise Refused(f"{slot_text(day, window)} is already offered.")
        taken.add((day, window))
        created.append(
            VisitSlot.objects.create(
                fault=locked, date=day, window=window, start_at=start_at, end_at=end_at, offered_by=by, offered_at=now
            )
        )
    message = staff_wrote(locked, emails.fault_slots(locked, slots=created, charge_amount=visit_charge_amount()), by=by)
    listed = "; ".join(_slot_label(s) for s in created)
    event(
        locked,
        EventKind.SLOTS_OFFERED,
        f"We offered these times for an engineer visit: {listed}.",
        by=by,
        at=now,
        message=message,
    )
    return created


@transaction.atomic
def visit_slot_accept(*, slot, customer, charge_understood, amount_shown, now=None):
    """The customer accepts one offered time: the visit is booked and the other times are withdrawn.

    Code: "We reserve the right to charge for any abortive work or visit". The customer must have ticked
    that they understand the charge, and `amount_shown` (required, always) is the amount excluding VAT
    the page showed them: it must be today's charge, and it is what any charge for this visit will be.
    A request without it (a page that lost its hidden field, a hand-made request) books nothing.
    """
    now = now or clock.now()
    if slot.fault.customer_id != customer.pk:
        raise Refused("This is not your fault report.")
    if not charge_understood:
        raise Refused(
            "Please tick the box to say you understand the charge before accepting a visit.", field="charge_understood"
        )
    shown = _amount(amount_shown)
    fault = lock(slot.fault)
    slot = VisitSlot.objects.select_for_update().get(pk=slot.pk, fault=fault)
    if slot.status != SlotStatus.OFFERED:
        raise Refused(f"{_slot_label(slot)} is no longer offered. Please choose another time, or send us a message.")
    if fault.status != Status.INVESTIGATING:
        raise Refused(
            f"A visit can be booked while we investigate a fault; this one is {fault.get_status_display().lower()}."
        )
    amount = visit_charge_amount()
    if shown != amount:
        raise Refused(
            "The charge for an abortive visit has changed since you opened this page. "
            "Please read it again before accepting."
        )
    try:
        validate(slot.date, slot.window, now=now)  # still inside office hours, on a working day, ahead
    except Refused as refusal:
        raise Refused(f"{refusal.message} Please send us a message and we will offer another time.") from None

    slot.status = SlotStatus.ACCEPTED
    slot.accepted_at = now
    slot.accepted_by = customer
    slot.charge_warning_shown_amount = amount
    slot.save(update_fields=["status", "accepted_at", "accepted_by", "charge_warning_shown_amount"])
    fault.slots.filter(status=SlotStatus.OFFERED).exclude(pk=slot.pk).update(status=SlotStatus.WITHDRAWN)
    move(fault, Status.VISIT_BOOKED, by=customer, at=now)
    charge = price_text(amount)
    message = emails.fault_visit_booked(fault, slot=slot)
    event(
        fault,
        EventKind.VISIT_BOOKED,
        f"Engineer visit booked for {_slot_label(slot)}. You accepted that an abortive visit, or a visit for "
        f"a fault not on our network, may be charged {charge}.",
        by=customer,
        at=now,
        message=message,
    )
    return slot


@transaction.atomic
def visit_slots_decline(*, fault, customer, note="", now=None):
    """None of the times offered suit the customer: they are all declined (off the customer's page, free
    to be offered again), the timeline says so with the customer's note, and the engineers are asked for
    other times by the customer-message path: the fault waits for us and the Engineers group is emailed
    (portal/customer_messages.py)."""
    now = now or clock.now()
    if fault.customer_id != customer.pk:
        raise Refused("This is not your fault report.")
    note = (note or "").strip()
    locked = lock(fault)
    offered = list(locked.slots.select_for_update().filter(status=SlotStatus.OFFERED).order_by("start_at", "id"))
    if locked.status != Status.INVESTIGATING or not offered:
        # A second click, or staff changed the times meanwhile: say what the page now shows.
        raise Refused(
            "There are no visit times waiting for your answer now. If you need a different time, send us a message."
        )
    VisitSlot.objects.filter(pk__in=[s.pk for s in offered]).update(status=SlotStatus.DECLINED)
    listed = "; ".join(_slot_label(s) for s in offered)
    text = f"None of the times offered suit you: {listed}. We will offer other times."
    if note:
        text += f"\nYour note: {note}"
    event(locked, EventKind.SLOTS_DECLINED, text, by=customer, at=now, via=customer_messages.Via.PORTAL)
    customer_messages.received(locked, at=now)
    emails.fault_slots_declined(locked, slots=offered, note=note, now=now)
    sync(fault, locked, "customer_waiting_since")
    return offered


def booked_visit(fault):
    """The visit the customer accepted whose outcome is not yet recorded, or None."""
    return fault.slots.filter(status=SlotStatus.ACCEPTED, outcome="").first()


@transaction.atomic
def visit_record_outcome(*, visit, outcome, by, notes="", now=None):
    """The engineer records what the visit found; a chargeable outcome makes one pending charge.

    fixed -> resolved; fault in customer equipment -> located there and not our fault; no fault found or
    no access -> back to investigating. Recorded once: a second attempt is refused, and the charge's
    OneToOne with the visit stops a second charge even if two requests race past that check.
    """
    if outcome not in Outcome.values:
        raise Refused("Choose what the visit found.", field="outcome")
    now = now or clock.now()
    given = visit
    fault = lock(visit.fault)
    visit = VisitSlot.objects.select_for_update().get(pk=visit.pk, fault=fault)
    if visit.outcome:
        raise Refused(f"The outcome of this visit is already recorded: {visit.get_outcome_display().lower()}.")
    if visit.status != SlotStatus.ACCEPTED:
        raise Refused("Only a booked visit (a time the customer accepted) has an outcome.")
    if now < visit.start_at:
        raise Refused(
            f"The visit ({_slot_label(visit)}) has not started yet: record its outcome after the engineer has been."
        )
    notes = (notes or "").strip()
    visit.outcome, visit.outcome_notes, visit.outcome_at, visit.outcome_by = outcome, notes, now, by
    visit.save(update_fields=["outcome", "outcome_notes", "outcome_at", "outcome_by"])

    text = f"Engineer visit on {_slot_label(visit)}: {visit.get_outcome_display().lower()}."
    outcome_event = event(fault, EventKind.OUTCOME, text + (f"\n{notes}" if notes else ""), by=by, at=now)
    if outcome == Outcome.FIXED:
        move(fault, Status.RESOLVED, by=by, at=now)
    elif outcome == Outcome.CUSTOMER_EQUIPMENT:
        fault.location = Location.CUSTOMER_EQUIPMENT
        fault.save(update_fields=["location"])
        event(
            fault,
            EventKind.LOCATION,
            f"Where the fault lies: {fault.get_location_display()} (found at the engineer's visit).",
            by=by,
            at=now,
        )
        move(fault, Status.NOT_OUR_FAULT, by=by, at=now)
    else:
        move(fault, Status.INVESTIGATING, by=by, at=now)
    told = emails.fault_outcome(fault, slot=visit, notes=notes, chargeable=outcome in CHARGEABLE_OUTCOMES)
    link(outcome_event, staff_wrote(fault, told, by=by))
    charge = _charge(fault, visit, by=by, now=now) if outcome in CHARGEABLE_OUTCOMES else None
    sync(given, visit, "outcome", "outcome_notes", "outcome_at", "outcome_by")
    sync(given.fault, fault, "status", "location", "resolved_at")
    return visit, charge


def _charge(fault, visit, *, by, now):
    """One pending one-off charge for an abortive visit, at the amount the customer saw when accepting."""
    amount = visit.charge_warning_shown_amount
    if amount is None:
        amount = visit_charge_amount()
    charge = VisitCharge.objects.create(
        visit=visit,
        customer=fault.customer,
        fault=fault,
        amount=amount,
        vat_rate=vat_rate(),
        description=f"Engineer visit {_slot_label(visit)} ({fault.reference}): {visit.get_outcome_display().lower()}",
        created_at=now,
    )
    text = f"A charge of {price_text(charge.amount, rate=charge.vat_rate)} for the visit will be on your next invoice."
    message = staff_wrote(fault, emails.fault_charge(fault, charge=charge), by=by)
    event(fault, EventKind.CHARGE, text, by=by, at=now, message=message)
    return charge


def _lock_charge(charge):
    return (
        VisitCharge.objects.select_for_update(of=("self",)).select_related("fault__customer", "visit").get(pk=charge.pk)
    )


@transaction.atomic
def visit_charge_waive(*, charge, by, reason, now=None):
    """Staff waive a pending charge, with a reason the customer is told. It then never reaches an invoice."""
    reason = required_text(reason, "Give the reason for waiving the charge: the customer is told it.", field="reason")
    now = now or clock.now()
    locked = _lock_charge(charge)
    if locked.status != ChargeStatus.PENDING:
        raise Refused(f"Only a pending charge can be waived; this one is {locked.get_status_display().lower()}.")
    locked.status, locked.waived_reason, locked.waived_by, locked.waived_at = ChargeStatus.WAIVED, reason, by, now
    locked.save(update_fields=["status", "waived_reason", "waived_by", "waived_at"])
    fault = locked.fault
    message = staff_wrote(fault, emails.fault_charge_waived(fault, charge=locked), by=by)
    event(
        fault,
        EventKind.CHARGE_WAIVED,
        f"We waived the charge of {gbp(locked.amount)} + VAT for the visit: {reason}",
        by=by,
        at=now,
        message=message,
    )
    sync(charge, locked, "status", "waived_reason", "waived_by", "waived_at")
    return locked


@transaction.atomic
def visit_charge_mark_invoiced(*, charge, invoice_reference, now=None):
    """Billing has put a pending charge on an invoice. A waived charge never reaches an invoice, and a
    charge goes on one invoice only: both are refused."""
    invoice_reference = required_text(
        invoice_reference, "Give the invoice the charge is on.", field="invoice_reference"
    )
    now = now or clock.now()
    locked = _lock_charge(charge)
    if locked.status == ChargeStatus.WAIVED:
        raise Refused("This charge was waived: it never goes on an invoice.")
    if locked.status == ChargeStatus.INVOICED:
        raise Refused(f"This charge is already on invoice {locked.invoice_reference}.")
    locked.status, locked.invoice_reference, locked.invoiced_at = ChargeStatus.INVOICED, invoice_reference, now
    locked.save(update_fields=["status", "invoice_reference", "invoiced_at"])
    event(
        locked.fault,
        EventKind.CHARGE_INVOICED,
        f"The charge of {gbp(locked.amount)} + VAT for the visit is on invoice {invoice_reference}.",
        at=now,
    )
    sync(charge, locked, "status", "invoice_reference", "invoiced_at")
    return locked
