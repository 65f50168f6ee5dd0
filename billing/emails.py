"""One function per message billing sends: its kind, subject and context.

The kind is the template's name: kind "invoice_issued" is templates/emails/billing/invoice_issued.txt and
.html, and for a customer who takes letters templates/letters/billing/invoice_issued.html.
portal.outbox.send_to_customer decides email or letter from the customer's details. Every function is
called inside the transaction of the change it reports, so the message is saved with it or not at all.
"""

from portal import outbox


def _to_customer(customer, kind, *, subject, context, concerning, enclosures=(), now):
    return outbox.send_to_customer(
        customer,
        kind=kind,
        template=f"billing/{kind}",
        subject=subject,
        context=context,
        concerning=concerning,
        enclosures=enclosures,
        now=now,
    )


# Invoices and credit notes


def _stored_pdf(document):
    """The document's stored PDF, attached to the email or enclosed with the letter; read at send time."""
    return outbox.Attachment(filename=f"{document.number}.pdf", stored_name=document.pdf.name)


def invoice_issued(invoice, *, now):
    """Code (Billing): "We will invoice via email"; posted for customers who take letters."""
    from billing.documents import how_to_pay

    return _to_customer(
        invoice.customer,
        "invoice_issued",
        subject=f"Your invoice {invoice.number} from 121 Communications",
        context={"invoice": invoice, "pay": how_to_pay(invoice.number)},
        concerning=invoice,
        enclosures=[_stored_pdf(invoice)],
        now=now,
    )


def credit_note_issued(credit_note, *, now):
    return _to_customer(
        credit_note.customer,
        "credit_note_issued",
        subject=f"Credit note {credit_note.number} for invoice {credit_note.invoice.number}",
        context={"credit_note": credit_note, "invoice": credit_note.invoice},
        concerning=credit_note,
        enclosures=[_stored_pdf(credit_note)],
        now=now,
    )
