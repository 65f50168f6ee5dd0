"""Accounts staff record cheques and transfers in the admin; nothing typed wrong is ever recorded."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from billing.models import Allocation, InvoiceStatus, Payment, Suspension
from billing.services.payments import payment_record
from tests.billing.ledger_helpers import issued_invoice
from tests.helpers import queries_for_get, visible_text

pytestmark = pytest.mark.django_db

RECORD = reverse("admin:billing_payment_record")
CHANGELIST = reverse("admin:billing_payment_changelist")


@pytest.fixture(autouse=True)
def february(monkeypatch):
    from portal import clock
    from tests.helpers import ldn

    monkeypatch.setattr(clock, "now", lambda: ldn(2027, 2, 3, 11, 0))


@pytest.fixture
def as_ann(client, ann):
    client.force_login(ann)
    return client


def form(**overrides):
    data = {
        "customer": "alice",
        "method": "cheque",
        "received_on": "2027-02-02",
        "amount": "100.00",
        "reference": "Cheque 000451",
        "allocations": "",
    }
    return {**data, **overrides}


def nothing_recorded():
    return not Payment.objects.exists() and not Allocation.objects.exists()


def test_accounts_record_a_cheque_against_two_invoices_with_the_rest_as_credit(as_ann, alice, ann):
    january = issued_invoice(alice, "60.00", number="INV-000123")
    february = issued_invoice(alice, "30.00", number="INV-000124", issue_date=date(2027, 2, 1))

    response = as_ann.post(RECORD, form(allocations="INV-000123 60.00\ninv 124 £25"), follow=True)

    page = visible_text(response)
    assert (
        "Payment of £100.00 from alice recorded: INV-000123 £60.00 (paid in full), "
        "INV-000124 £25.00 (£5.00 still to pay). £15.00 kept as credit on the account." in page
    )
    payment = Payment.objects.get()
    assert (payment.method, payment.received_on, payment.recorded_by) == ("cheque", date(2027, 2, 2), ann)
    assert payment.unallocated == Decimal("15.00") and payment.reference == "Cheque 000451"
    january.refresh_from_db()
    february.refresh_from_db()
    assert january.status == InvoiceStatus.PAID
    assert (february.status, february.outstanding) == (InvoiceStatus.OPEN, Decimal("5.00"))
    # The payment's page lists its allocations and offers no way to change or delete it.
    allocations = page.split("Set against invoices", 1)[1]
    assert "INV-000123" in allocations and "INV-000124" in allocations
    assert "Save" not in page and "Delete" not in page


def test_an_empty_invoice_box_pays_the_oldest_invoice_first(as_ann, alice):
    older = issued_invoice(alice, "40.00", issue_date=date(2026, 12, 1))
    newer = issued_invoice(alice, "40.00")
    as_ann.post(RECORD, form(amount="50.00", method="transfer"))
    older.refresh_from_db()
    newer.refresh_from_db()
    assert (older.outstanding, newer.outstanding) == (Decimal("0.00"), Decimal("30.00"))


def test_an_unknown_invoice_number_is_refused_and_nothing_recorded(as_ann, alice):
    issued_invoice(alice, "60.00", number="INV-000123")
    response = as_ann.post(RECORD, form(allocations="INV-000123 50.00\nINV-000999 50.00"))
    assert "Line 2: there is no invoice INV-000999: check the number." in visible_text(response)
    assert "INV-000999 50.00" in response.content.decode()  # what was typed stays on the page
    assert nothing_recorded()


def test_a_line_without_an_amount_is_refused_with_its_line_number(as_ann, alice):
    issued_invoice(alice, "60.00", number="INV-000123")
    response = as_ann.post(RECORD, form(allocations="INV-000123"))
    assert "Line 1 (“INV-000123”): give the invoice number, then the amount" in visible_text(response)
    assert nothing_recorded()


@pytest.mark.parametrize(
    "amount, message",
    [
        ("forty", "The amount received must be a sum of money, for example 42.50."),
        ("10.005", "The amount received must be in pounds and pence, for example 42.50."),
        ("0", "The amount received must be more than £0.00."),
        ("-20.00", "The amount received must be more than £0.00."),
        ("5000000", "The amount received is more than £1,000,000.00: check it."),
    ],
)
def test_an_impossible_amount_is_refused(as_ann, alice, amount, message):
    issued_invoice(alice, "60.00", number="INV-000123")
    response = as_ann.post(RECORD, form(amount=amount, allocations="INV-000123 60.00"))
    assert message in visible_text(response)
    assert nothing_recorded()


def test_an_impossible_amount_against_an_invoice_is_refused(as_ann, alice):
    issued_invoice(alice, "60.00", number="INV-000123")
    response = as_ann.post(RECORD, form(allocations="INV-000123 12.3.4"))
    assert "Line 1: The amount for invoice INV-000123 must be a sum of money" in visible_text(response)
    assert nothing_recorded()


def test_more_than_an_invoice_still_owes_is_refused(as_ann, alice):
    issued_invoice(alice, "60.00", number="INV-000123")
    response = as_ann.post(RECORD, form(allocations="INV-000123 70.00"))
    assert "Invoice INV-000123 has only £60.00 left to pay, not £70.00." in visible_text(response)
    assert nothing_recorded()


def test_more_set_against_invoices_than_was_paid_is_refused(as_ann, alice):
    issued_invoice(alice, "60.00", number="INV-000123")
    response = as_ann.post(RECORD, form(amount="50.00", allocations="INV-000123 60.00"))
    assert "The payment is £50.00 but £60.00 is set against invoices." in visible_text(response)
    assert nothing_recorded()


def test_another_customers_invoice_is_refused(as_ann, alice, bob):
    issued_invoice(bob, "60.00", number="INV-000200")
    response = as_ann.post(RECORD, form(amount="60.00", allocations="INV-000200 60.00"))
    assert "Invoice INV-000200 is not this customer's." in visible_text(response)
    assert nothing_recorded()


def test_an_unknown_account_and_a_future_date_are_refused(as_ann, alice):
    response = as_ann.post(RECORD, form(customer="alise"))
    assert "No customer has the account username “alise”: check it." in visible_text(response)
    response = as_ann.post(RECORD, form(received_on="2027-02-04"))
    assert "A payment cannot be received in the future: check the date." in visible_text(response)
    assert nothing_recorded()


def test_an_invoice_already_paid_is_refused(as_ann, alice):
    invoice = issued_invoice(alice, "60.00", number="INV-000123")
    payment_record(customer=alice, method="transfer", received_on=date(2027, 2, 1), amount="60.00")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    response = as_ann.post(RECORD, form(amount="60.00", allocations="INV-000123 60.00"))
    assert "Invoice INV-000123 has nothing left to pay." in visible_text(response)
    assert Payment.objects.count() == 1


def test_customer_services_and_engineers_cannot_record_payments(client, sam, eric, alice):
    issued_invoice(alice, "60.00", number="INV-000123")
    for who in (sam, eric):
        client.force_login(who)
        assert client.get(RECORD).status_code == 403
        assert client.post(RECORD, form(allocations="INV-000123 60.00")).status_code == 403
    assert nothing_recorded()


def test_only_the_accounts_team_sees_payments(client, sam, eric, alice):
    # Billing is the Accounts group's work (accounts/groups.py): customer services and engineers see none of it.
    payment = payment_record(customer=alice, method="cheque", received_on=date(2027, 2, 1), amount="25.00")
    for person in (sam, eric):
        client.force_login(person)
        assert client.get(CHANGELIST).status_code == 403
        assert client.get(reverse("admin:billing_payment_change", args=[payment.pk])).status_code == 403


def test_payments_are_never_changed_or_deleted_in_the_admin(as_ann, alice):
    payment = payment_record(customer=alice, method="cheque", received_on=date(2027, 2, 1), amount="25.00")
    change = reverse("admin:billing_payment_change", args=[payment.pk])
    as_ann.post(change, {"amount": "2.50", "method": "transfer"})
    assert as_ann.post(reverse("admin:billing_payment_delete", args=[payment.pk]), {"post": "yes"}).status_code == 403
    as_ann.post(CHANGELIST, {"action": "delete_selected", "_selected_action": [payment.pk], "post": "yes"})
    payment.refresh_from_db()
    assert (payment.amount, payment.method) == (Decimal("25.00"), "cheque")


def test_the_changelist_searches_by_invoice_number_and_filters_by_credit(as_ann, alice, bob):
    invoice = issued_invoice(alice, "60.00", number="INV-000123")
    payment_record(customer=alice, method="cheque", received_on=date(2027, 2, 1), amount="60.00")
    payment_record(customer=bob, method="transfer", received_on=date(2027, 2, 1), amount="15.00", allocations=[])
    found = visible_text(as_ann.get(CHANGELIST, {"q": invoice.number}))
    assert "£60.00" in found and "£15.00" not in found
    credit = visible_text(as_ann.get(CHANGELIST, {"credit": "yes"}))
    assert "£15.00" in credit and "INV-000123" not in credit


def test_payments_and_suspensions_are_found_by_the_invoice_number_however_typed(as_ann, alice, bob):
    invoice = issued_invoice(alice, "60.00", number="INV-000123")
    other = issued_invoice(bob, "40.00", number="INV-000124")
    payment_record(customer=alice, method="cheque", received_on=date(2027, 2, 1), amount="60.00", reference="CHQ 881")
    payment_record(customer=bob, method="transfer", received_on=date(2027, 2, 1), amount="40.00")
    for typed in ("inv 123", "INV123", "123"):
        found = visible_text(as_ann.get(CHANGELIST, {"q": typed}))
        assert "£60.00" in found and "£40.00" not in found, typed
    found = visible_text(as_ann.get(CHANGELIST, {"q": "chq 881"}))  # the payer's reference, as words
    assert "£60.00" in found and "£40.00" not in found
    Suspension.objects.create(customer=alice, invoice=invoice, suspend_on=date(2027, 2, 20))
    Suspension.objects.create(customer=bob, invoice=other, suspend_on=date(2027, 2, 21))
    found = visible_text(as_ann.get(reverse("admin:billing_suspension_changelist"), {"q": "inv 124"}))
    assert "INV-000124" in found and "INV-000123" not in found


def add_payments(customer, count):
    for n in range(count):
        invoice = issued_invoice(customer, "30.00")
        payment_record(
            customer=customer,
            method="transfer",
            received_on=date(2027, 1, 20),
            amount=f"{31 + n}.00",
            reference=f"Transfer {n}",
            allocations=[(invoice, "30.00")],
        )


def test_the_changelist_costs_the_same_for_1_or_50_payments(as_ann, alice):
    add_payments(alice, 1)
    as_ann.get(CHANGELIST)  # warm the session and content-type caches

    one = queries_for_get(as_ann, CHANGELIST)
    add_payments(alice, 49)
    fifty = queries_for_get(as_ann, CHANGELIST)
    response = as_ann.get(CHANGELIST)

    assert response.context["cl"].result_count == 50
    assert visible_text(response).count("£30.00") >= 50  # each row names the invoice it paid, with the amount
    assert fifty == one
    print(f"admin payment changelist: {one} queries for 1 payment, {fifty} for 50")
