"""One function per message the faults app sends: its kind, subject and templates.

The kind is the template's name: a message to the customer has templates/emails/faults/<kind>.txt and
.html, and templates/letters/faults/<kind>.html for a customer who takes letters only; a message to staff
goes to the Engineers group (a fault has no owner: portal/customer_messages.py). Every function is called
inside the transaction of the change it reports, so the message is saved with it or not at all.
"""

from accounts.groups import ENGINEERS
from portal import customer_messages, outbox

# The kinds of this module's messages in words, for the outbox and the print queue.
outbox.name_kinds(
    {
        "fault_ack": "Fault report acknowledgement",
        "fault_status": "Fault: status update",
        "fault_location": "Fault: where it lies",
        "fault_reply": "Fault: our reply",
        "fault_repair_target": "Fault: new repair target",
        "fault_slots": "Fault: visit times offered",
        "fault_visit_booked": "Fault: visit booked",
        "fault_outcome": "Fault: visit outcome",
        "fault_charge": "Fault: visit charge",
        "fault_charge_waived": "Fault: visit charge waived",
        "fault_customer_message": "Fault: customer's message received",
        "fault_slots_declined": "Fault: visit times declined",
        "fault_repair_alert": "Alert: repair target at risk",
    }
)


def _to_customer(fault, kind, subject, **context):
    """Email the customer about their fault, or write to them if they take letters only (the outbox's
    rule: portal.outbox.send_to_customer). The subject ends with the fault's reference.

    The outbox keeps its own clock (no `now` passed): a message may go as soon as it is written, even
    when the fault's time came from a phone call typed in later or a test's moved clock."""
    return outbox.send_to_customer(
        fault.customer,
        kind=kind,
        template=f"faults/{kind}",
        subject=f"{subject} ({fault.reference})",
        context={"fault": fault, **context},
        concerning=fault,
    )


# --- To the customer -------------------------------------------------------------------------------


def fault_ack(fault, *, next_at_work, checks):
    """Code (Fault Repair): a fault reported at any hour is acknowledged at once, with its reference."""
    return _to_customer(fault, "fault_ack", "We have your fault report", next_at_work=next_at_work, checks=checks)


def fault_status(fault, *, note, cancelled_visit):
    return _to_customer(
        fault,
        "fault_status",
        f"Your fault is now: {fault.get_status_display().lower()}",
        note=note,
        cancelled_visit=cancelled_visit,
    )


def fault_location(fault, *, note):
    return _to_customer(fault, "fault_location", "Where the fault lies", note=note)


def fault_reply(fault, *, reply):
    return _to_customer(fault, "fault_reply", "A message about your fault", reply=reply)


def fault_repair_target(fault, *, old_due_at, reason):
    return _to_customer(
        fault, "fault_repair_target", "Your fault's repair target", old_due_at=old_due_at, reason=reason
    )


def fault_slots(fault, *, slots, charge_amount):
    """The visit times offered, with the charge for an abortive visit the customer accepts with one."""
    return _to_customer(
        fault, "fault_slots", "An engineer visit: please choose a time", slots=slots, charge_amount=charge_amount
    )


def fault_visit_booked(fault, *, slot):
    return _to_customer(fault, "fault_visit_booked", "Your engineer visit is booked", slot=slot)


def fault_outcome(fault, *, slot, notes, chargeable):
    return _to_customer(
        fault, "fault_outcome", "What the engineer's visit found", slot=slot, notes=notes, chargeable=chargeable
    )


def fault_charge(fault, *, charge):
    return _to_customer(fault, "fault_charge", "A charge for the engineer's visit", charge=charge)


def fault_charge_waived(fault, *, charge):
    return _to_customer(fault, "fault_charge_waived", "We have waived the charge", charge=charge)


# --- To the engineers ------------------------------------------------------------------------------


def _who(fault):
    customer = fault.customer
    return f"{customer.full_name} ({customer.username})"


def fault_customer_message(fault, event, *, now):
    """The customer added information to their fault (in the portal, or by email or letter)."""
    return customer_messages.alert(
        case=fault,
        owner=None,
        group=ENGINEERS,
        kind="fault_customer_message",
        template="faults/fault_customer_message",
        subject=f"Customer replied on fault {fault.reference}: {_who(fault)}",
        context={"fault": fault, "event": event},
        now=now,
    )


def fault_slots_declined(fault, *, slots, note, now):
    """None of the visit times offered suit the customer: engineers should offer others."""
    return customer_messages.alert(
        case=fault,
        owner=None,
        group=ENGINEERS,
        kind="fault_slots_declined",
        template="faults/fault_slots_declined",
        subject=f"Visit times declined on fault {fault.reference}: {_who(fault)} asks for others",
        context={"fault": fault, "slots": slots, "note": note},
        now=now,
    )


def fault_repair_alert(*, overdue, at_risk, hours):
    """Faults whose repair target is newly at risk (within `hours` office hours) or overdue."""
    return outbox.email_staff(
        group=ENGINEERS,
        kind="fault_repair_alert",
        template="faults/fault_repair_alert",
        subject=f"Fault repair targets: {len(overdue)} overdue, {len(at_risk)} at risk",
        context={"overdue": overdue, "at_risk": at_risk, "hours": hours},
    )
