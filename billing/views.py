"""The customer's invoice pages: their invoices and credit notes with what is left to pay, the balance and
how to pay, and the kept PDF of each.

Every URL with an id goes through billing/access.py, filtered by the logged-in customer: another
customer's invoice or credit note answers 404, PDF included. Staff work on invoices in the admin.
"""

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from billing import access, selectors
from portal import clock

# An old account has years of monthly invoices: a page at a time keeps the page one indexed query.
PER_PAGE = 25


@access.customer_pages
@require_safe
def invoice_list(request):
    customer = request.user
    today = clock.today()
    invoices = Paginator(access.invoices_for(customer), PER_PAGE).get_page(request.GET.get("page"))
    credit_notes = Paginator(access.credit_notes_for(customer), PER_PAGE).get_page(request.GET.get("credits"))
    summary = selectors.account_summary(customer)
    rows = [(invoice, *selectors.invoice_state(invoice, today=today)) for invoice in invoices]
    return render(
        request,
        "billing/invoice_list.html",
        {
            "invoices": invoices,
            "rows": rows,
            "credit_notes": credit_notes,
            "summary": summary,
            "credit": -summary.balance,
            "payee": settings.BILLING_COMPANY,
        },
    )


def _not_ready(request, document, what):
    return render(request, "billing/pdf_not_ready.html", {"document": document, "what": what})


@access.customer_pages
@require_safe
def invoice_pdf(request, pk):
    invoice = access.invoice_for(request.user, pk)
    return access.stored_pdf(invoice) or _not_ready(request, invoice, "invoice")


@access.customer_pages
@require_safe
def credit_note_pdf(request, pk):
    credit_note = access.credit_note_for(request.user, pk)
    return access.stored_pdf(credit_note) or _not_ready(request, credit_note, "credit note")
