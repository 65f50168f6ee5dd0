"""One function per message the billing app sends: its kind, subject and context.

The kind is the template's name: kind "payment_reminder" is templates/emails/billing/payment_reminder.txt
and .html, and for a customer who takes letters only templates/letters/billing/payment_reminder.html
(portal.outbox.send_to_customer picks). Every function is called inside the transaction of the change it
reports, so the message is saved with it or not at all.
"""

from django.conf import settings

from portal import outbox
from portal.formats import day_text, gbp

# Reminders, final notices, suspension and restoration
#
# Ofcom: measures to obtain payment must be proportionate, with due warning. Every one of these says what
# is owed, on which invoice, and how to pay quoting the invoice number (Code, Billing: "payments can be
# made via cheque or online to account and sort code on invoice. Please include an invoice number");
# the final notice names the date in words. The wording stays plain and calm: a reminder is not a threat.


def _ladder_message(invoice, kind, *, subject, context, now):
    return outbox.send_to_customer(
        invoice.customer,
        kind=kind,
        template=f"billing/{kind}",
        subject=subject,
        context={"invoice": invoice, "pay": settings.BILLING_COMPANY, **context},
        concerning=invoice,
        now=now,
    )


def payment_reminder(invoice, *, ordinal, now):
    """The first or second reminder (`ordinal`: "first", "second") of an overdue invoice."""
    return _ladder_message(
        invoice,
        "payment_reminder",
        subject=f"Reminder: invoice {invoice.number} is overdue ({gbp(invoice.outstanding)} to pay)",
        context={"ordinal": ordinal},
        now=now,
    )


def final_notice(invoice, *, suspend_after, now):
    """The last step before suspension: services are suspended only after `suspend_after` (a date)."""
    return _ladder_message(
        invoice,
        "final_notice",
        subject=f"Final notice: invoice {invoice.number}, please pay by {day_text(suspend_after)}",
        context={"suspend_after": suspend_after},
        now=now,
    )


def services_suspended(suspension, *, services, now):
    invoice = suspension.invoice
    return _ladder_message(
        invoice,
        "services_suspended",
        subject=f"Your services are suspended: invoice {invoice.number} is unpaid",
        context={"suspension": suspension, "services": services},
        now=now,
    )


def services_restored(suspension, *, services, reason, paid, now):
    """`paid`: restored because nothing is overdue any more; otherwise staff restored them for `reason`."""
    invoice = suspension.invoice
    return _ladder_message(
        invoice,
        "services_restored",
        subject="Your services are restored",
        context={"suspension": suspension, "services": services, "reason": reason, "paid": paid},
        now=now,
    )
