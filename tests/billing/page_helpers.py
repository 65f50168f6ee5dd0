"""What the tests of the invoice pages, the admin and the exports need: issued invoices with lines at one or
two VAT rates, credit notes, a run, and a small real PDF kept through Django's storage API."""

from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from itertools import count

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from billing.models import BillingRun, CreditNote, CreditNoteLine, Invoice, InvoiceLine, InvoiceStatus, LineKind
from portal.pdf import html_to_pdf
from tests.billing.ledger_helpers import issued_invoice

PENNY = Decimal("0.01")
_credit_numbers = count(500)


@pytest.fixture
def media(settings, tmp_path):
    """Kept files (the PDFs) go to this test's own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def small_pdf(*words):
    """A real one-page PDF whose text reads `words` (pdftotext gets them back)."""
    return html_to_pdf("<html><body><h1>" + " ".join(words) + "</h1></body></html>")


def attach_pdf(document, pdf=None):
    """Keep a PDF for an invoice or credit note, as the worker does once it is rendered."""
    pdf = pdf if pdf is not None else small_pdf(document.number, document.customer_name)
    document.pdf.save(f"{document.number}.pdf", ContentFile(pdf), save=False)
    document.pdf_rendered_at = timezone.now()
    document.save(update_fields=["pdf", "pdf_rendered_at"])
    return document


def vat_on(net, rate):
    return (Decimal(net) * Decimal(rate)).quantize(PENNY, rounding=ROUND_HALF_UP)


def invoice_with_lines(customer, lines, *, issue_date=None, run=None, status=InvoiceStatus.OPEN, **kw):
    """An issued invoice whose totals are its lines' (net, vat_rate) pairs, VAT per rate half-up."""
    lines = [(Decimal(net), Decimal(rate)) for net, rate in lines]
    by_rate = {}
    for net, rate in lines:
        by_rate[rate] = by_rate.get(rate, Decimal("0")) + net
    net = sum(by_rate.values(), Decimal("0.00"))
    vat = sum((vat_on(n, r) for r, n in by_rate.items()), Decimal("0.00"))
    invoice = issued_invoice(customer, net + vat, issue_date=issue_date, **kw)
    Invoice.objects.filter(pk=invoice.pk).update(net=net, vat=vat, run=run, status=status)
    invoice.refresh_from_db()
    for position, (line_net, rate) in enumerate(lines):
        InvoiceLine.objects.create(
            invoice=invoice,
            kind=LineKind.CHARGE,
            position=position,
            description=f"Charge {position + 1}",
            unit_price=line_net,
            vat_rate=rate,
            net=line_net,
        )
    return invoice


def credit_note(invoice, net, *, rate="0.200", issue_date=None, number=None):
    net, rate = Decimal(net), Decimal(rate)
    vat = vat_on(net, rate)
    issue_date = issue_date or invoice.issue_date
    note = CreditNote.objects.create(
        number=number or f"CRN-{next(_credit_numbers):06d}",
        invoice=invoice,
        customer=invoice.customer,
        reason="Charged for a day the line was down.",
        issued_at=timezone.make_aware(datetime.combine(issue_date, time(10))),
        issue_date=issue_date,
        customer_name=invoice.customer_name,
        account_username=invoice.account_username,
        net=net,
        vat=vat,
        total=net + vat,
    )
    CreditNoteLine.objects.create(
        credit_note=note, description="Credit for a day", unit_price=net, vat_rate=rate, net=net
    )
    return note


def billing_run(period=date(2027, 1, 1)):
    return BillingRun.objects.create(period=period, status="done")
