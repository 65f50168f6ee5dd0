"""Issuing an account's month: numbered at issue, due in PAYMENT_DAYS, the customer as invoiced, the balance
brought forward, account credit used, abortive visits and one-off charges billed once."""

from datetime import date
from decimal import Decimal
from unittest import mock

import pytest

from billing.models import AccountCharge, ChargeStatus, Invoice, InvoiceEventKind, InvoiceStatus, LineKind
from billing.services.issuing import invoice_issue_for_period
from billing.services.payments import payment_record
from faults.models import ChargeStatus as VisitChargeStatus
from faults.models import VisitCharge
from tests.billing.ledger_helpers import issued_invoice
from tests.billing.run_helpers import held, issue_time
from tests.faults.helpers import report

JAN = date(2027, 1, 1)


@pytest.fixture(autouse=True)
def in_january():
    with mock.patch("portal.clock.today", return_value=date(2027, 1, 1)):
        yield


def issue(customer, period=JAN):
    return invoice_issue_for_period(customer=customer, period=period, now=issue_time(period))


def test_an_invoice_is_numbered_and_dated_when_it_is_issued(alice, settings):
    settings.BILLING = {**settings.BILLING, "PAYMENT_DAYS": 14}
    held(alice, start=date(2026, 6, 1))
    invoice = issue(alice)
    assert invoice.number == "INV-000001" and invoice.status == InvoiceStatus.OPEN
    assert (invoice.issue_date, invoice.tax_point, invoice.due_date) == (JAN, JAN, date(2027, 1, 15))
    assert (invoice.net, invoice.vat, invoice.total, invoice.outstanding) == (
        Decimal("25.00"),
        Decimal("5.00"),
        Decimal("30.00"),
        Decimal("30.00"),
    )
    assert (invoice.customer_name, invoice.account_username) == ("Alice Archer", "alice")
    assert invoice.customer_address.splitlines() == [
        "12 Orchard Way",
        "Boughton Monchelsea",
        "Maidstone",
        "Kent",
        "ME17 4AA",
    ]
    assert [e.kind for e in invoice.events.all()] == [InvoiceEventKind.ISSUED]


def test_numbers_follow_one_another_with_no_gap(alice, bob, carol):
    for customer in (alice, bob, carol):
        held(customer, start=date(2026, 6, 1))
    assert [issue(c).number for c in (alice, bob, carol)] == ["INV-000001", "INV-000002", "INV-000003"]


def test_an_account_with_nothing_to_bill_gets_no_invoice_and_takes_no_number(alice, bob):
    held(bob, start=date(2026, 6, 1))
    assert issue(alice) is None
    assert issue(bob).number == "INV-000001"


def test_a_second_issue_for_the_same_month_makes_no_second_invoice(alice):
    held(alice, start=date(2026, 6, 1))
    first = issue(alice)
    assert issue(alice) is None
    assert list(Invoice.objects.values_list("number", flat=True)) == [first.number]


def test_the_balance_brought_forward_is_what_was_owed_before(alice):
    issued_invoice(alice, "48.00", issue_date=date(2026, 12, 1), number="INV-000900")
    held(alice, start=date(2026, 6, 1))
    invoice = issue(alice)
    assert invoice.balance_brought_forward == Decimal("48.00")


def test_credit_on_the_account_is_used_by_the_new_invoice(alice):
    payment = payment_record(
        customer=alice, method="transfer", received_on=date(2026, 12, 20), amount="10.00", allocations=[]
    )
    held(alice, start=date(2026, 6, 1))
    invoice = issue(alice)
    invoice.refresh_from_db()
    payment.refresh_from_db()
    assert (invoice.outstanding, payment.unallocated) == (Decimal("20.00"), Decimal("0.00"))
    assert invoice.balance_brought_forward == Decimal("-10.00")


def test_abortive_visits_and_accounts_charges_are_billed_once_with_the_invoice(alice, ann):
    service = held(alice, start=date(2026, 6, 1))
    fault = report(alice, service, at=issue_time(date(2026, 12, 1)))
    visit_charge = VisitCharge.objects.create(
        visit=fault.slots.create(
            date=date(2026, 12, 2),
            window="morning",
            start_at=issue_time(date(2026, 12, 2)),
            end_at=issue_time(date(2026, 12, 2)),
            offered_at=issue_time(date(2026, 12, 1)),
        ),
        customer=alice,
        fault=fault,
        amount=Decimal("85.00"),
        vat_rate=Decimal("0.200"),
        description="Abortive engineer visit",
    )
    charge = AccountCharge.objects.create(customer=alice, description="Static IP", amount="5.00", vat_rate="0.200")
    invoice = issue(alice)
    kinds = [(ln.kind, ln.net) for ln in invoice.lines.all()]
    assert kinds == [
        (LineKind.SERVICE, Decimal("25.00")),
        (LineKind.VISIT, Decimal("85.00")),
        (LineKind.CHARGE, Decimal("5.00")),
    ]
    assert invoice.total == Decimal("138.00")
    visit_charge.refresh_from_db()
    charge.refresh_from_db()
    assert (visit_charge.status, visit_charge.invoice_reference) == (VisitChargeStatus.INVOICED, invoice.number)
    assert charge.status == ChargeStatus.INVOICED
    february = invoice_issue_for_period(customer=alice, period=date(2027, 2, 1), now=issue_time(date(2027, 2, 1)))
    assert [ln.kind for ln in february.lines.all()] == [LineKind.SERVICE]


def test_a_failure_part_way_leaves_no_invoice_no_number_and_the_charges_pending(alice, bob):
    held(alice, start=date(2026, 6, 1))
    held(bob, start=date(2026, 6, 1))
    charge = AccountCharge.objects.create(customer=alice, description="Static IP", amount="5.00", vat_rate="0.200")
    failing = mock.patch("billing.services.issuing.credit_apply", side_effect=RuntimeError("database went away"))
    with failing, pytest.raises(RuntimeError):
        issue(alice)
    charge.refresh_from_db()
    assert charge.status == ChargeStatus.PENDING and not Invoice.objects.exists()
    assert issue(bob).number == "INV-000001"  # the number alice's failed invoice took was given back
