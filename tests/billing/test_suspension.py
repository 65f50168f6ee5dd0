"""Suspension and restoration: what is suspended, what is restored, and who is told."""

from datetime import date

import pytest
from django.urls import reverse

from billing.models import InvoiceStatus, Suspension, SuspensionStatus
from billing.services import dunning
from billing.services.payments import payment_record
from billing.tasks_dunning import reminder_ladder
from orders.models import Service, ServiceStatus
from portal import clock
from tests.billing.ladder_helpers import days_late, holds, messages, move_clock, service_events, statuses
from tests.billing.ledger_helpers import issued_invoice
from tests.helpers import visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def at(monkeypatch):
    return lambda moment: move_clock(monkeypatch, moment)


def to_proposed(at, on_commit):
    for n in (21, 29):
        at(days_late(n))
        with on_commit():
            reminder_ladder()
    return Suspension.objects.get()


def pay(customer, amount, invoice=None):
    return payment_record(
        customer=customer,
        method="cheque",
        received_on=clock.today(),
        amount=amount,
        allocations=[(invoice, amount)] if invoice else None,
    )


def test_only_active_services_are_suspended_and_only_those_restored(alice, ann, at, on_commit):
    invoice = issued_invoice(alice, "60.00", issue_date=date(2027, 1, 1))
    fttc, pstn, hosting = holds(alice, "fttc", "pstn", "shared-hosting")
    # The hosting is being cancelled (as orders.services.cancellation_request leaves it): it is not
    # suspended, as nothing but its withdrawal may move it.
    Service.objects.filter(pk=hosting.pk).update(status=ServiceStatus.CANCELLING)
    suspension = to_proposed(at, on_commit)
    with on_commit():
        dunning.suspension_confirm(suspension=suspension, by=ann)
    assert statuses([fttc, pstn, hosting]) == [
        ServiceStatus.SUSPENDED,
        ServiceStatus.SUSPENDED,
        ServiceStatus.CANCELLING,
    ]
    assert set(Suspension.objects.get().services.all()) == {fttc, pstn}

    with on_commit():
        pay(alice, "60.00", invoice)
    assert statuses([fttc, pstn, hosting]) == [ServiceStatus.ACTIVE, ServiceStatus.ACTIVE, ServiceStatus.CANCELLING]
    assert service_events(hosting, "resumed") == []


def test_paying_one_invoice_restores_nothing_while_another_is_overdue(alice, ann, at, on_commit):
    first = issued_invoice(alice, "60.00", issue_date=date(2027, 1, 1))
    second = issued_invoice(alice, "45.00", issue_date=date(2027, 1, 2))
    [fttc] = holds(alice, "fttc")
    suspension = to_proposed(at, on_commit)
    assert suspension.invoice == first
    with on_commit():
        dunning.suspension_confirm(suspension=suspension, by=ann)

    with on_commit():
        pay(alice, "60.00", first)
    assert statuses([fttc]) == [ServiceStatus.SUSPENDED]
    with on_commit():
        pay(alice, "45.00", second)
    assert statuses([fttc]) == [ServiceStatus.ACTIVE]
    assert len(messages("services_restored", alice)) == 1


def test_a_payment_on_an_account_with_nothing_suspended_does_not_look_for_overdue_invoices(
    alice, bob, django_assert_num_queries
):
    # Every line a bank statement pays goes through here: its cost is the import's cost per line.
    issued_invoice(bob, "45.00", issue_date=date(2026, 10, 1))  # overdue, on another account
    invoice = issued_invoice(alice, "60.00", issue_date=date(2026, 10, 1))
    [fttc] = holds(alice, "fttc")
    # savepoint, payment, invoice locked, allocation, invoice updated, its timeline, suspension looked up, release
    with django_assert_num_queries(8) as captured:
        pay(alice, "60.00", invoice)
    assert not any('"due_date" <' in query["sql"] for query in captured.captured_queries)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID and statuses([fttc]) == [ServiceStatus.ACTIVE]


def test_a_payment_before_staff_confirm_cancels_the_proposal(alice, at, on_commit):
    invoice = issued_invoice(alice, "60.00", issue_date=date(2027, 1, 1))
    [fttc] = holds(alice, "fttc")
    suspension = to_proposed(at, on_commit)
    with on_commit():
        pay(alice, "60.00", invoice)
    suspension.refresh_from_db()
    assert suspension.status == SuspensionStatus.CANCELLED
    assert statuses([fttc]) == [ServiceStatus.ACTIVE]
    assert not messages("services_suspended", alice) and not messages("services_restored", alice)


def test_accounts_staff_may_restore_services_before_payment(client, alice, ann, at, on_commit):
    """A payment plan agreed after suspension: staff lift it with a reason, and the customer is told."""
    issued_invoice(alice, "60.00", issue_date=date(2027, 1, 1))
    [fttc] = holds(alice, "fttc")
    suspension = to_proposed(at, on_commit)
    with on_commit():
        dunning.suspension_confirm(suspension=suspension, by=ann)
    client.force_login(ann)
    with on_commit():
        response = client.post(
            reverse("admin:billing_suspension_action", args=[suspension.pk, "restore"]),
            {"reason": "Payment plan agreed on the phone"},
            follow=True,
        )
    assert "Restore the services: done." in visible_text(response)
    assert statuses([fttc]) == [ServiceStatus.ACTIVE]
    assert service_events(fttc, "resumed") == ["Service restored: Payment plan agreed on the phone."]
    [restored] = messages("services_restored", alice)
    assert "We have restored these services" in restored.body_text
    assert "Payment plan agreed on the phone." in restored.body_text


def test_no_suspension_is_proposed_for_an_account_with_no_active_service(alice, at, on_commit):
    issued_invoice(alice, "60.00", issue_date=date(2027, 1, 1))
    for n in (21, 29):
        at(days_late(n))
        with on_commit():
            reminder_ladder()
    assert not Suspension.objects.exists()


def test_the_suspension_list_shows_what_waits_for_staff(client, alice, ann, at, on_commit):
    issued_invoice(alice, "60.00", issue_date=date(2027, 1, 1))
    holds(alice, "fttc")
    to_proposed(at, on_commit)
    client.force_login(ann)
    page = visible_text(client.get(reverse("admin:billing_suspension_changelist"), {"status": "proposed"}))
    assert "alice, invoice INV-" in page and "Waiting for staff to confirm" in page
