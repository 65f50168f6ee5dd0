"""A customer's data export (Data Protection) holds her invoices, credit notes and payments with where each
payment went, and nobody else's."""

import json
from datetime import date
from unittest import mock

import pytest
from django.urls import reverse

from billing.models import Invoice, InvoiceEvent, InvoiceEventKind, InvoiceStatus
from billing.services.payments import payment_record
from tests.billing.page_helpers import credit_note, invoice_with_lines

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def late_january():
    with mock.patch("portal.clock.today", return_value=date(2027, 1, 20)):
        yield


def download(client, customer):
    client.force_login(customer)
    response = client.post(reverse("accounts:export_download"))
    assert response.status_code == 200
    return json.loads(response.content)


def test_alices_export_holds_her_invoices_credit_notes_and_payments(client, alice, bob, ann):
    invoice = invoice_with_lines(alice, [("50.00", "0.200")], issue_date=date(2027, 1, 1))
    InvoiceEvent.objects.create(invoice=invoice, kind=InvoiceEventKind.NOTE, text="Rang to ask", internal=True, by=ann)
    note = credit_note(invoice, "5.00")
    payment_record(
        customer=alice,
        method="transfer",
        received_on=date(2027, 1, 9),
        amount="70.00",
        reference="INV-9000",
        allocations=[(invoice, "54.00")],
    )
    draft = invoice_with_lines(alice, [("1.00", "0.200")], number="INV-DRAFT2")
    Invoice.objects.filter(pk=draft.pk).update(status=InvoiceStatus.DRAFT)
    bobs = invoice_with_lines(bob, [("99.00", "0.200")])

    data = download(client, alice)

    [exported] = data["invoices"]
    assert exported["number"] == invoice.number
    assert (exported["total"], exported["vat"], exported["left_to_pay"], exported["status"]) == (
        "60.00",
        "10.00",
        "6.00",
        "Overdue",  # due on 15 January
    )
    assert exported["lines"][0]["description"] == "Charge 1" and exported["lines"][0]["vat_rate"] == "0.200"
    events = {(e["what"], e["text"], e["by"], e["staff_note"]) for e in exported["events"]}
    assert ("Note", "Rang to ask", "Ann Accounts", True) in events
    assert any(e["what"] == "Payment received" for e in exported["events"])
    [credit] = data["credit_notes"]
    assert (credit["number"], credit["corrects_invoice"], credit["total"]) == (note.number, invoice.number, "6.00")
    [payment] = data["payments"]
    assert (payment["amount"], payment["method"], payment["credit_left_on_the_account"]) == (
        "70.00",
        "Bank transfer",
        "16.00",
    )
    assert payment["set_against"] == [
        {"invoice": invoice.number, "amount": "54.00", "at": payment["set_against"][0]["at"]}
    ]
    text = json.dumps(data)
    assert "INV-DRAFT2" not in text
    assert bobs.number not in text
