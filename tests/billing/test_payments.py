"""Payments by cheque or transfer set against invoices; what is left over is credit on the account."""

from datetime import date
from decimal import Decimal
from unittest import mock

import pytest

from billing import selectors
from billing.models import Allocation, InvoiceStatus, Payment
from billing.services.payments import credit_apply, payment_record
from portal.workflow import Refused
from tests.billing.ledger_helpers import issued_invoice

pytestmark = pytest.mark.django_db

RECEIVED = date(2027, 1, 10)


@pytest.fixture(autouse=True)
def january():
    with mock.patch("portal.clock.today", return_value=date(2027, 1, 20)):
        yield


def pay(customer, amount, allocations=None, **kw):
    return payment_record(
        customer=customer,
        method=kw.pop("method", "transfer"),
        received_on=kw.pop("received_on", RECEIVED),
        amount=amount,
        reference=kw.pop("reference", "INV-9000"),
        allocations=allocations,
        **kw,
    )


def test_a_part_payment_leaves_the_rest_due(alice):
    invoice = issued_invoice(alice, "60.00")
    pay(alice, "25.00", [(invoice, "25.00")])
    invoice.refresh_from_db()
    assert invoice.outstanding == Decimal("35.00") and invoice.status == InvoiceStatus.OPEN
    assert selectors.invoice_state(invoice, today=date(2027, 1, 5))[1] == "Part paid"
    assert selectors.account_balance(alice) == Decimal("35.00")


def test_paying_in_full_marks_the_invoice_paid(alice):
    invoice = issued_invoice(alice, "60.00")
    pay(alice, "60.00")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID and invoice.outstanding == 0
    assert invoice.events.get().text.endswith("Paid in full.")


def test_one_payment_pays_several_invoices_oldest_first(alice):
    older = issued_invoice(alice, "30.00", issue_date=date(2026, 12, 1))
    newer = issued_invoice(alice, "30.00")
    pay(alice, "45.00")
    older.refresh_from_db()
    newer.refresh_from_db()
    assert (older.status, newer.outstanding) == (InvoiceStatus.PAID, Decimal("15.00"))


def test_an_overpayment_becomes_credit_used_by_the_next_invoice(alice):
    first = issued_invoice(alice, "60.00")
    payment = pay(alice, "100.00")
    assert payment.unallocated == Decimal("40.00")
    assert selectors.account_balance(alice) == Decimal("-40.00")
    assert selectors.account_credit(alice) == Decimal("40.00")
    first.refresh_from_db()
    assert first.status == InvoiceStatus.PAID

    second = issued_invoice(alice, "60.00", issue_date=date(2027, 2, 1))
    assert credit_apply(invoice=second) == Decimal("40.00")
    second.refresh_from_db()
    payment.refresh_from_db()
    assert second.outstanding == Decimal("20.00") and payment.unallocated == 0
    assert selectors.account_balance(alice) == Decimal("20.00")


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "more than £0.00"),
        ("-5", "more than £0.00"),
        ("12.345", "pounds and pence"),
        ("lots", "a sum of money"),
        ("INV-000123", "a sum of money"),
        ("99999999", "check it"),
    ],
)
def test_an_impossible_amount_is_refused_and_records_nothing(alice, amount, message):
    invoice = issued_invoice(alice, "60.00")
    with pytest.raises(Refused, match=message):
        pay(alice, amount)
    invoice.refresh_from_db()
    assert invoice.outstanding == Decimal("60.00")
    assert not Payment.objects.exists() and not Allocation.objects.exists()


def test_more_than_an_invoice_owes_is_refused_whole(alice):
    invoice = issued_invoice(alice, "60.00")
    with pytest.raises(Refused, match="only £60.00 left to pay"):
        pay(alice, "80.00", [(invoice, "80.00")])
    assert not Payment.objects.exists()


def test_another_customers_invoice_is_refused(alice, bob):
    bobs = issued_invoice(bob, "60.00")
    with pytest.raises(Refused, match="not this customer's"):
        pay(alice, "60.00", [(bobs, "60.00")])
    bobs.refresh_from_db()
    assert bobs.outstanding == Decimal("60.00") and not Payment.objects.exists()


def test_a_payment_in_the_future_is_refused(alice):
    with pytest.raises(Refused, match="future"):
        pay(alice, "10.00", received_on=date(2027, 2, 1))


def test_the_next_due_date_and_amount_are_the_oldest_open_invoice(alice):
    issued_invoice(alice, "30.00", issue_date=date(2026, 12, 1))
    issued_invoice(alice, "60.00")
    summary = selectors.account_summary(alice)
    assert summary.next_due_date == date(2026, 12, 15) and summary.next_due_amount == Decimal("30.00")
    assert summary.balance == Decimal("90.00")
    assert selectors.invoice_state(selectors.open_invoices(customer=alice).first())[1] == "Overdue"
