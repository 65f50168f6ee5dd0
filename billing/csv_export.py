"""Invoices, credit notes and payments as CSV for the accounting package, streamed as it is written.

Making Tax Digital keeps per document its number, type, tax point, customer, net, VAT rate, VAT and gross;
a document with lines at two VAT rates has one row per rate. VAT per rate is the invoice's own rule
(calculated per invoice per rate, rounded half-up to the penny), so the rows of a document add up to it.
Credit notes are written with positive amounts and the type "Credit note" (they reduce the VAT due),
quoting the invoice they correct; payments carry no VAT and list the invoices they were set against.
"""

import csv
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch, Sum
from django.http import StreamingHttpResponse

from billing.models import Allocation, CreditNote, CreditNoteLine, Invoice, InvoiceLine, InvoiceStatus, Payment

PENNY = Decimal("0.01")
BATCH = 1000

HEADER = [
    "Type",
    "Number",
    "Tax point",
    "Customer account",
    "Customer name",
    "Net",
    "VAT rate",
    "VAT",
    "Gross",
    "Relates to",
    "Payment method",
    "Payment reference",
]


class _Echo:
    """csv.writer writes into this; each row is handed straight on to the response (Django's streaming CSV)."""

    def write(self, value):
        return value


def _vat(net, rate):
    return (net * rate).quantize(PENNY, rounding=ROUND_HALF_UP)


def _percent(rate):
    return f"{(rate * 100).normalize():f}%"


def _batches(queryset):
    """The queryset a batch at a time by id: memory stays flat however long the range."""
    last = 0
    while True:
        batch = list(queryset.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not batch:
            return
        yield batch
        last = batch[-1].pk


def _text(value):
    """A customer's own words (a name, a payment reference) never start a spreadsheet formula."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _document_rows(kind, document, tax_point, rates, relates_to=""):
    """One row per VAT rate; a document without lines (none should be) as one row of its own totals."""
    who = [document.account_username, _text(document.customer_name)]
    if not rates:
        return [
            [kind, document.number, tax_point, *who, document.net, "", document.vat, document.total, relates_to, "", ""]
        ]
    rows = []
    for rate, net in sorted(rates.items()):
        vat = _vat(net, rate)
        rows.append([kind, document.number, tax_point, *who, net, _percent(rate), vat, net + vat, relates_to, "", ""])
    return rows


def _rates(line_model, parent, ids):
    sums = (
        line_model.objects.filter(**{f"{parent}_id__in": ids})
        .values_list(f"{parent}_id", "vat_rate")
        .annotate(net=Sum("net"))
        .order_by()
    )
    by_document = {}
    for document_id, rate, net in sums:
        by_document.setdefault(document_id, {})[rate] = net
    return by_document


def invoice_rows(start, end):
    issued = Invoice.objects.exclude(status=InvoiceStatus.DRAFT).filter(issue_date__gte=start, issue_date__lte=end)
    for batch in _batches(issued):
        rates = _rates(InvoiceLine, "invoice", [i.pk for i in batch])
        for invoice in batch:
            # HMRC: a monthly service billed in advance has its tax point on the issue date.
            tax_point = invoice.tax_point or invoice.issue_date
            yield from _document_rows("Invoice", invoice, tax_point, rates.get(invoice.pk))


def credit_note_rows(start, end):
    notes = CreditNote.objects.filter(issue_date__gte=start, issue_date__lte=end).select_related("invoice")
    for batch in _batches(notes):
        rates = _rates(CreditNoteLine, "credit_note", [c.pk for c in batch])
        for note in batch:
            yield from _document_rows("Credit note", note, note.issue_date, rates.get(note.pk), note.invoice.number)


def payment_rows(start, end):
    payments = (
        Payment.objects.filter(received_on__gte=start, received_on__lte=end)
        .select_related("customer")
        .prefetch_related(Prefetch("allocations", queryset=Allocation.objects.select_related("invoice")))
    )
    for batch in _batches(payments):
        for payment in batch:
            invoices = " ".join(a.invoice.number for a in payment.allocations.all())
            customer = payment.customer
            yield [
                "Payment",
                "",
                payment.received_on,
                customer.username,
                _text(customer.full_name or customer.username),
                "",
                "",
                "",
                payment.amount,
                invoices,
                payment.get_method_display(),
                _text(payment.reference),
            ]


def csv_lines(start, end):
    writer = csv.writer(_Echo())
    yield writer.writerow(HEADER)
    for rows in (invoice_rows(start, end), credit_note_rows(start, end), payment_rows(start, end)):
        for row in rows:
            yield writer.writerow(row)


def csv_response(start, end):
    response = StreamingHttpResponse(csv_lines(start, end), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="billing-{start:%Y-%m-%d}-to-{end:%Y-%m-%d}.csv"'
    return response
