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


# Invoices and credit notes
#
# Code (Billing): "We will invoice via email"; customers who take letters have them posted. The PDF is the
# stored file, attached to the email (read from storage at send time) or enclosed with a covering letter.


def _stored_pdf(document):
    """The document's stored PDF, attached to the email or enclosed with the letter; read at send time."""
    return outbox.Attachment(filename=f"{document.number}.pdf", stored_name=document.pdf.name)


def _document_message(customer, kind, *, subject, context, concerning, document, now):
    return outbox.send_to_customer(
        customer,
        kind=kind,
        template=f"billing/{kind}",
        subject=subject,
        context=context,
        concerning=concerning,
        enclosures=[_stored_pdf(document)],
        now=now,
    )


def invoice_issued(invoice, *, now):
    from billing.documents import how_to_pay

    return _document_message(
        invoice.customer,
        "invoice_issued",
        subject=f"Your invoice {invoice.number} from 121 Communications",
        context={"invoice": invoice, "pay": how_to_pay(invoice.number)},
        concerning=invoice,
        document=invoice,
        now=now,
    )


def credit_note_issued(credit_note, *, now):
    return _document_message(
        credit_note.customer,
        "credit_note_issued",
        subject=f"Credit note {credit_note.number} for invoice {credit_note.invoice.number}",
        context={"credit_note": credit_note, "invoice": credit_note.invoice},
        concerning=credit_note,
        document=credit_note,
        now=now,
    )
