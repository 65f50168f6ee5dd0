"""Messages to staff when a customer writes about a fault: one function per kind, each with
templates/emails/faults/<template>.txt and .html, called inside the transaction of the change it reports.
A fault has no owner: the Engineers group is told (portal/customer_messages.py).
"""

from accounts.groups import ENGINEERS
from portal import customer_messages


def _who(fault):
    customer = fault.customer
    return f"{customer.full_name} ({customer.username})"


def staff_customer_message(fault, event, *, now):
    """The customer added information to their fault (in the portal, or by email or letter)."""
    return customer_messages.alert(
        case=fault, owner=None, group=ENGINEERS, kind="fault_customer_message",
        template="faults/staff_customer_message",
        subject=f"Customer replied on fault {fault.reference}: {_who(fault)}",
        context={"fault": fault, "event": event}, now=now,
    )


def staff_slots_declined(fault, event, *, slots, note, now):
    """None of the visit times offered suit the customer: engineers should offer others."""
    return customer_messages.alert(
        case=fault, owner=None, group=ENGINEERS, kind="fault_slots_declined",
        template="faults/staff_slots_declined",
        subject=f"Visit times declined on fault {fault.reference}: {_who(fault)} asks for others",
        context={"fault": fault, "event": event, "slots": slots, "note": note}, now=now,
    )
