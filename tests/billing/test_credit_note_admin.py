"""Accounts staff correct an issued invoice from its admin page with a credit note; nobody else can."""

from datetime import date
from decimal import Decimal
from unittest import mock

import pytest
from django.urls import reverse

from billing.models import CreditNote, InvoiceStatus
from billing.services.issuing import invoice_issue_for_period
from tests.billing.run_helpers import held, issue_time, media  # noqa: F401  (fixture)
from tests.helpers import shows, visible_text

JAN = date(2027, 1, 1)


@pytest.fixture(autouse=True)
def in_january(media):
    with mock.patch("portal.clock.today", return_value=date(2027, 1, 5)):
        yield


@pytest.fixture
def invoice(alice, on_commit):
    held(alice, start=date(2026, 6, 1))  # 25.00 + 5.00 VAT = 30.00
    with on_commit():
        return invoice_issue_for_period(customer=alice, period=JAN, now=issue_time(JAN))


def credit_url(invoice):
    return reverse("admin:billing_invoice_credit", args=[invoice.pk])


def test_accounts_issue_a_credit_note_from_the_invoice_page(client, ann, invoice, on_commit):
    client.force_login(ann)
    page = client.get(reverse("admin:billing_invoice_change", args=[invoice.pk]))
    assert shows(page, "Issue a credit note")

    with on_commit():
        response = client.post(credit_url(invoice), {"amount": "10.00", "reason": "The line was down for a week."})

    note = CreditNote.objects.get()
    assert response.status_code == 302
    assert (note.invoice, note.net, note.vat, note.total) == (
        invoice,
        Decimal("10.00"),
        Decimal("2.00"),
        Decimal("12.00"),
    )
    assert note.issued_by == ann and note.reason == "The line was down for a week."
    invoice.refresh_from_db()
    assert invoice.outstanding == Decimal("18.00")
    assert shows(client.get(response["Location"]), f"Credit note {note.number} issued against {invoice.number}")


def test_more_than_the_invoice_can_take_is_refused_on_the_form(client, ann, invoice):
    client.force_login(ann)

    response = client.post(credit_url(invoice), {"amount": "40.00", "reason": "Goodwill."})

    assert response.status_code == 400
    assert "can be credited £30.00 at most" in visible_text(response)
    assert not CreditNote.objects.exists()
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.OPEN and invoice.outstanding == Decimal("30.00")


def test_a_reason_is_needed(client, ann, invoice):
    client.force_login(ann)

    response = client.post(credit_url(invoice), {"amount": "5.00", "reason": "   "})

    assert response.status_code == 400 and not CreditNote.objects.exists()


@pytest.mark.parametrize("who", ["sam", "eric"])
def test_customer_services_and_engineers_cannot_issue_one(client, request, invoice, who):
    client.force_login(request.getfixturevalue(who))

    assert client.get(credit_url(invoice)).status_code == 403
    assert client.post(credit_url(invoice), {"amount": "5.00", "reason": "Goodwill."}).status_code == 403
    assert not CreditNote.objects.exists()


def test_an_unknown_invoice_is_404(client, ann, db):
    client.force_login(ann)

    assert client.get(reverse("admin:billing_invoice_credit", args=[999999])).status_code == 404
