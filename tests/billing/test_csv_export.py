"""The CSV for the accounting package: every invoice, credit note and payment in a date range, with what
Making Tax Digital keeps per document (one row per VAT rate), streamed as it is written."""

import csv
import io
from datetime import date
from decimal import Decimal
from unittest import mock

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from billing.models import Invoice, InvoiceStatus
from billing.services.payments import payment_record
from tests.billing.page_helpers import credit_note, invoice_with_lines
from tests.factories import CustomerFactory
from tests.helpers import shows

pytestmark = pytest.mark.django_db

URL = reverse("admin:billing_invoice_csv")


@pytest.fixture(autouse=True)
def february():
    with mock.patch("portal.clock.today", return_value=date(2027, 2, 20)):
        yield


def download(client, start, end):
    response = client.get(URL, {"start": start, "end": end})
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_an_invoice_with_two_vat_rates_has_a_row_per_rate_adding_up_to_the_invoice(client, ann, alice):
    invoice = invoice_with_lines(
        alice, [("25.00", "0.200"), ("10.01", "0.200"), ("8.00", "0.000")], issue_date=date(2027, 1, 1)
    )
    client.force_login(ann)

    rows = download(client, "2027-01-01", "2027-01-31")

    assert [(r["Type"], r["Number"], r["Tax point"], r["Net"], r["VAT rate"], r["VAT"], r["Gross"]) for r in rows] == [
        ("Invoice", invoice.number, "2027-01-01", "8.00", "0%", "0.00", "8.00"),
        ("Invoice", invoice.number, "2027-01-01", "35.01", "20%", "7.00", "42.01"),
    ]
    assert rows[0]["Customer account"] == "alice" and rows[0]["Customer name"] == "Alice Archer"
    assert sum(Decimal(r["VAT"]) for r in rows) == invoice.vat
    assert sum(Decimal(r["Gross"]) for r in rows) == invoice.total


def test_credit_notes_quote_their_invoice_and_payments_the_invoices_they_paid(client, ann, alice):
    invoice = invoice_with_lines(alice, [("50.00", "0.200")], issue_date=date(2027, 1, 1))
    note = credit_note(invoice, "10.00", issue_date=date(2027, 1, 5))
    payment_record(
        customer=alice,
        method="cheque",
        received_on=date(2027, 1, 9),
        amount="48.00",
        reference="INV 9001 thanks",
        allocations=[(invoice, "48.00")],
    )
    client.force_login(ann)

    rows = download(client, "2027-01-01", "2027-01-31")

    [credit] = [r for r in rows if r["Type"] == "Credit note"]
    assert (
        credit["Number"],
        credit["Tax point"],
        credit["Net"],
        credit["VAT rate"],
        credit["VAT"],
        credit["Gross"],
    ) == (
        note.number,
        "2027-01-05",
        "10.00",
        "20%",
        "2.00",
        "12.00",
    )
    assert credit["Relates to"] == invoice.number
    [paid] = [r for r in rows if r["Type"] == "Payment"]
    assert (paid["Tax point"], paid["Gross"], paid["Relates to"], paid["Payment method"]) == (
        "2027-01-09",
        "48.00",
        invoice.number,
        "Cheque",
    )
    assert paid["Payment reference"] == "INV 9001 thanks"


def test_only_documents_in_the_range_and_never_drafts(client, ann, alice):
    before = invoice_with_lines(alice, [("10.00", "0.200")], issue_date=date(2026, 12, 31))
    first = invoice_with_lines(alice, [("10.00", "0.200")], issue_date=date(2027, 1, 1))
    last = invoice_with_lines(alice, [("10.00", "0.200")], issue_date=date(2027, 1, 31))
    after = invoice_with_lines(alice, [("10.00", "0.200")], issue_date=date(2027, 2, 1))
    draft = invoice_with_lines(alice, [("10.00", "0.200")], issue_date=date(2027, 1, 15))
    Invoice.objects.filter(pk=draft.pk).update(status=InvoiceStatus.DRAFT)
    client.force_login(ann)

    numbers = {r["Number"] for r in download(client, "2027-01-01", "2027-01-31")}

    assert numbers == {first.number, last.number}
    assert not numbers & {before.number, after.number, draft.number}


def test_a_customer_name_cannot_become_a_spreadsheet_formula(client, ann):
    mallory = CustomerFactory(username="mallory", full_name='=HYPERLINK("http://evil.example","Click")')
    invoice_with_lines(mallory, [("10.00", "0.200")], issue_date=date(2027, 1, 3))
    client.force_login(ann)

    [row] = download(client, "2027-01-01", "2027-01-31")

    assert row["Customer name"].startswith("'=")


def test_the_range_is_asked_for_and_bad_dates_are_refused_with_a_message(client, ann):
    client.force_login(ann)

    page = client.get(URL)
    backwards = client.get(URL, {"start": "2027-02-01", "end": "2027-01-01"})
    nonsense = client.get(URL, {"start": "soon", "end": ""})

    assert page.status_code == 200 and shows(page, "Download the CSV")
    assert backwards.status_code == 400
    assert shows(backwards, "The end date is before the start date: swap them round.")
    assert nonsense.status_code == 400
    assert shows(nonsense, "Enter a valid date.") and shows(nonsense, "This field is required.")


def test_the_changelist_links_the_export(client, ann):
    client.force_login(ann)

    assert URL in client.get(reverse("admin:billing_invoice_changelist")).content.decode()


def test_a_long_range_is_written_in_batches_with_the_same_rows(client, ann, alice, monkeypatch):
    from billing import csv_export

    made = [invoice_with_lines(alice, [("10.00", "0.200")], issue_date=date(2027, 1, 1 + i)) for i in range(7)]
    monkeypatch.setattr(csv_export, "BATCH", 3)
    client.force_login(ann)

    rows = download(client, "2027-01-01", "2027-01-31")

    assert [r["Number"] for r in rows] == [i.number for i in made]
