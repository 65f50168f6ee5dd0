"""Billing in the customer's data export (Data Protection: everything we hold about them): their issued
invoices with lines and timelines, credit notes with lines, and payments with where each was set.

Drafts are left out: a draft is a run's working copy, never sent, and becomes the issued invoice (or is
discarded) within the run itself.
"""

from django.db.models import Prefetch

from billing import selectors
from billing.models import Allocation, CreditNote, InvoiceEvent, Payment
from portal.data_export import exporter


def _lines(lines):
    return [
        {
            "description": line.description,
            "period_start": getattr(line, "period_start", None),
            "period_end": getattr(line, "period_end", None),
            "quantity": line.quantity,
            "unit_price_excluding_vat": line.unit_price,
            "vat_rate": line.vat_rate,
            "net": line.net,
        }
        for line in lines
    ]


@exporter("invoices")
def invoices(customer):
    rows = (
        selectors.issued_invoices(customer=customer)
        .prefetch_related("lines", Prefetch("events", queryset=InvoiceEvent.objects.select_related("by")))
        .order_by("issue_date", "id")
    )
    return [
        {
            "number": i.number,
            "issue_date": i.issue_date,
            "tax_point": i.tax_point,
            "due_date": i.due_date,
            "period": i.period,
            "name": i.customer_name,
            "address": i.customer_address,
            "account_username": i.account_username,
            "net": i.net,
            "vat": i.vat,
            "total": i.total,
            "balance_brought_forward": i.balance_brought_forward,
            "left_to_pay": i.outstanding,
            "status": selectors.invoice_state(i)[1],
            "lines": _lines(i.lines.all()),
            "events": [
                {
                    "at": e.at,
                    "what": e.get_kind_display(),
                    "text": e.text,
                    "by": e.by.full_name if e.by else "121 Communications",
                    "staff_note": e.internal,
                }
                for e in i.events.all()
            ],
        }
        for i in rows
    ]


@exporter("credit_notes")
def credit_notes(customer):
    rows = (
        CreditNote.objects.filter(customer=customer)
        .select_related("invoice")
        .prefetch_related("lines", Prefetch("allocations", queryset=Allocation.objects.select_related("invoice")))
        .order_by("issue_date", "id")
    )
    return [
        {
            "number": c.number,
            "corrects_invoice": c.invoice.number,
            "issue_date": c.issue_date,
            "reason": c.reason,
            "name": c.customer_name,
            "address": c.customer_address,
            "net": c.net,
            "vat": c.vat,
            "total": c.total,
            "lines": _lines(c.lines.all()),
            "set_against": [{"invoice": a.invoice.number, "amount": a.amount, "at": a.at} for a in c.allocations.all()],
        }
        for c in rows
    ]


@exporter("payments")
def payments(customer):
    rows = (
        Payment.objects.filter(customer=customer)
        .prefetch_related(Prefetch("allocations", queryset=Allocation.objects.select_related("invoice")))
        .order_by("received_on", "id")
    )
    return [
        {
            "received_on": p.received_on,
            "method": p.get_method_display(),
            "amount": p.amount,
            "reference": p.reference,
            "recorded_at": p.recorded_at,
            "credit_left_on_the_account": p.unallocated,
            "set_against": [{"invoice": a.invoice.number, "amount": a.amount, "at": a.at} for a in p.allocations.all()],
        }
        for p in rows
    ]
