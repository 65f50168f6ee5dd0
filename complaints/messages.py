"""Messages to staff when a customer writes about a complaint: one function per kind, each with
templates/emails/complaints/<template>.txt and .html, called inside the transaction of the change it
reports. Who is told is portal/customer_messages.py's rule: the complaint's owner, else customer services.
"""

from accounts.groups import CUSTOMER_SERVICES
from portal import customer_messages


def _who(complaint):
    customer = complaint.customer
    return f"{customer.full_name} ({customer.username})"


def staff_customer_message(complaint, event, *, now):
    """The customer added a message to their complaint (in the portal, or by email or letter)."""
    return customer_messages.alert(
        case=complaint, owner=complaint.owner, group=CUSTOMER_SERVICES, kind="complaint_customer_message",
        template="complaints/staff_customer_message",
        subject=f"Customer replied on complaint {complaint.reference}: {_who(complaint)}",
        context={"complaint": complaint, "event": event}, now=now,
    )


def staff_reopened(complaint, event, *, now):
    """The customer reopened their resolved complaint: it is not resolved for them."""
    return customer_messages.alert(
        case=complaint, owner=complaint.owner, group=CUSTOMER_SERVICES, kind="complaint_reopened",
        template="complaints/staff_reopened",
        subject=f"Complaint {complaint.reference} reopened by the customer: {_who(complaint)}",
        context={"complaint": complaint, "event": event}, now=now,
    )
