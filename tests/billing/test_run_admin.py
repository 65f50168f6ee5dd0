"""The Accounts team starts a run in the admin, watches its progress and failures, and adds one-off charges;
other staff groups cannot."""

from datetime import date
from decimal import Decimal
from unittest import mock

import pytest
from django.urls import reverse

from billing.models import AccountCharge, BillingRun, ChargeStatus, Invoice, RunFailure
from billing.services import runs
from tests.billing.run_helpers import held, issue_time, media  # noqa: F401  (fixture)
from tests.helpers import shows

JAN = date(2027, 1, 1)


@pytest.fixture(autouse=True)
def in_january(media):
    with (
        mock.patch("portal.clock.today", return_value=JAN),
        mock.patch("portal.clock.now", return_value=issue_time(JAN)),
    ):
        yield


def test_accounts_start_a_run_and_see_its_progress_and_failures(client, ann, alice, bob, on_commit):
    held(alice, start=date(2026, 6, 1))
    held(bob, start=date(2026, 6, 1))
    client.force_login(ann)
    real = runs.invoice_issue_for_period

    def failing_for_bob(*, customer, **kwargs):
        if customer == bob:
            raise ValueError("no address")
        return real(customer=customer, **kwargs)

    with mock.patch("billing.services.runs.invoice_issue_for_period", side_effect=failing_for_bob), on_commit():
        response = client.post(
            reverse("admin:billing_billingrun_record"), {"period": "2027-01", "customer": ""}, follow=True
        )
    run = BillingRun.objects.get()
    assert shows(response, "Billing run January 2027 started")
    page = client.get(reverse("admin:billing_billingrun_change", args=[run.pk]))
    assert shows(page, "2 of 2") and shows(page, "Finished with failures") and shows(page, "ValueError: no address")
    listing = client.get(reverse("admin:billing_billingrun_changelist"))
    assert shows(listing, "2 of 2")
    assert list(Invoice.objects.values_list("account_username", flat=True)) == ["alice"]
    assert RunFailure.objects.get().customer == bob


def test_a_bad_month_is_refused_on_the_form_and_starts_nothing(client, ann):
    client.force_login(ann)
    response = client.post(reverse("admin:billing_billingrun_record"), {"period": "13/2027", "customer": ""})
    assert response.status_code == 200 and shows(response, "is not a month: give it as YYYY-MM")
    response = client.post(reverse("admin:billing_billingrun_record"), {"period": "2027-01", "customer": "nobody"})
    assert shows(response, "No customer has the account username “nobody”")
    assert not BillingRun.objects.exists()


def test_accounts_add_a_one_off_credit_for_the_next_invoice(client, ann, alice):
    client.force_login(ann)
    response = client.post(
        reverse("admin:billing_accountcharge_record"),
        {"customer": "alice", "description": "Goodwill credit", "amount": "-10.00"},
        follow=True,
    )
    charge = AccountCharge.objects.get()
    assert (charge.customer, charge.amount, charge.status, charge.created_by) == (
        alice,
        Decimal("-10.00"),
        ChargeStatus.PENDING,
        ann,
    )
    assert shows(response, "the next invoice of alice carries it")
    refused = client.post(
        reverse("admin:billing_accountcharge_record"), {"customer": "alice", "description": "Oops", "amount": "0"}
    )
    assert shows(refused, "The amount cannot be £0.00") and AccountCharge.objects.count() == 1


def test_a_waiting_charge_can_be_cancelled_but_not_one_on_an_invoice(client, ann, alice):
    waiting = AccountCharge.objects.create(customer=alice, description="Router", amount="40.00", vat_rate="0.200")
    billed = AccountCharge.objects.create(
        customer=alice, description="Cable", amount="5.00", vat_rate="0.200", status=ChargeStatus.INVOICED
    )
    client.force_login(ann)
    client.post(
        reverse("admin:billing_accountcharge_changelist"),
        {"action": "cancel_charges", "_selected_action": [waiting.pk, billed.pk]},
    )
    waiting.refresh_from_db()
    billed.refresh_from_db()
    assert (waiting.status, billed.status) == (ChargeStatus.CANCELLED, ChargeStatus.INVOICED)


@pytest.mark.parametrize("who", ["sam", "eric"])
def test_other_staff_cannot_start_runs_or_add_charges(client, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("admin:billing_billingrun_record")).status_code == 403
    assert (
        client.post(
            reverse("admin:billing_accountcharge_record"), {"customer": "x", "description": "x", "amount": "1"}
        ).status_code
        == 403
    )
    assert not BillingRun.objects.exists() and not AccountCharge.objects.exists()


def test_the_run_and_charge_lists_cost_the_same_queries_with_1_and_50_rows(client, ann, alice):
    from tests.helpers import queries_for_get

    client.force_login(ann)

    def add(count):
        for n in range(count):
            run = BillingRun.objects.create(
                period=JAN, customer=alice, status="done", accounts_total=1, accounts_done=1
            )
            RunFailure.objects.create(run=run, customer=alice, error=f"failure {n}")
            AccountCharge.objects.create(
                customer=alice, description=f"Charge {n}", amount="1.00", vat_rate="0.200", created_by=ann
            )

    add(1)
    runs_one = queries_for_get(client, reverse("admin:billing_billingrun_changelist"))
    charges_one = queries_for_get(client, reverse("admin:billing_accountcharge_changelist"))
    add(49)
    assert queries_for_get(client, reverse("admin:billing_billingrun_changelist")) == runs_one
    assert queries_for_get(client, reverse("admin:billing_accountcharge_changelist")) == charges_one
