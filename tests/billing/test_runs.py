"""Billing runs: every account of the month, progress counted, one account's failure recorded while the
others go on, the same month twice makes no second invoice, the periodic job and the command line."""

from datetime import date
from io import StringIO
from unittest import mock

import pytest
from django.core.management import CommandError, call_command

from billing.models import BillingRun, Invoice, RunStatus
from billing.services import runs
from billing.tasks import billing_run_due
from tests.billing.run_helpers import held, issue_time, media  # noqa: F401  (fixture)
from tests.factories import CustomerFactory

JAN = date(2027, 1, 1)


@pytest.fixture(autouse=True)
def in_january(media):
    with (
        mock.patch("portal.clock.today", return_value=JAN),
        mock.patch("portal.clock.now", return_value=issue_time(JAN)),
    ):
        yield


def start(on_commit, **kwargs):
    with on_commit():
        run = runs.run_create(period=JAN, **kwargs)
    run.refresh_from_db()
    return run


def test_a_run_invoices_every_account_with_something_to_bill_and_shows_its_progress(alice, bob, carol, sam, on_commit):
    for customer in (alice, bob, carol):
        held(customer, start=date(2026, 6, 1))
    run = start(on_commit, by=sam)
    assert (run.status, run.accounts_done, run.accounts_total, run.invoices_issued, run.failures) == (
        RunStatus.DONE,
        3,
        3,
        3,
        0,
    )
    assert sorted(Invoice.objects.filter(run=run).values_list("account_username", flat=True)) == [
        "alice",
        "bob",
        "carolsbakery",
    ]
    assert all(Invoice.objects.filter(run=run).values_list("pdf", flat=True))  # rendered and stored by the worker


def test_a_failing_account_is_recorded_and_the_others_are_invoiced(alice, bob, carol, on_commit):
    for customer in (alice, bob, carol):
        held(customer, start=date(2026, 6, 1))
    real = runs.invoice_issue_for_period

    def failing_for_bob(*, customer, **kwargs):
        if customer.username == "bob":
            raise ValueError("Bob's address could not be read")
        return real(customer=customer, **kwargs)

    with mock.patch("billing.services.runs.invoice_issue_for_period", side_effect=failing_for_bob):
        run = start(on_commit)
    assert (run.status, run.accounts_done, run.invoices_issued, run.failures) == (RunStatus.DONE_WITH_FAILURES, 3, 2, 1)
    [failure] = run.failure_rows.all()
    assert failure.customer == bob and "Bob's address could not be read" in failure.error
    assert sorted(Invoice.objects.values_list("number", flat=True)) == ["INV-000001", "INV-000002"]


def test_a_second_run_for_the_same_month_makes_no_second_invoice(alice, bob, on_commit):
    for customer in (alice, bob):
        held(customer, start=date(2026, 6, 1))
    start(on_commit)
    again = start(on_commit)
    assert (again.status, again.accounts_done, again.invoices_issued) == (RunStatus.DONE, 2, 0)
    assert Invoice.objects.count() == 2


def test_staff_and_customers_with_nothing_held_are_not_billed(alice, bob, ann, on_commit):
    held(alice, start=date(2026, 6, 1))
    held(bob, start=date(2026, 6, 1), ceased_on=date(2026, 10, 1))  # withdrawn long ago
    run = start(on_commit)
    assert run.accounts_total == 1 and list(Invoice.objects.values_list("account_username", flat=True)) == ["alice"]


def test_the_periodic_job_makes_the_month_once_from_the_run_day(alice, on_commit, settings):
    settings.BILLING = {**settings.BILLING, "RUN_DAY": 1}
    held(alice, start=date(2026, 6, 1))
    with on_commit():
        billing_run_due()
    with on_commit():
        billing_run_due()
    assert BillingRun.objects.count() == 1 and Invoice.objects.count() == 1


def test_the_periodic_job_waits_for_the_run_day(alice, on_commit, settings):
    settings.BILLING = {**settings.BILLING, "RUN_DAY": 3}
    held(alice, start=date(2026, 6, 1))
    with on_commit():
        billing_run_due()
    assert not BillingRun.objects.exists()


def test_the_command_line_bills_one_customer_or_every_account(alice, bob):
    for customer in (alice, bob):
        held(customer, start=date(2026, 6, 1))
    out = StringIO()
    call_command("billing_run", "--period", "2027-01", "--customer", "alice", stdout=out)
    assert "1 of 1 accounts done, 1 invoices issued, 0 failed" in out.getvalue()
    call_command("billing_run", "--period", "2027-01", stdout=out)
    assert "2 of 2 accounts done, 1 invoices issued, 0 failed" in out.getvalue()
    assert sorted(Invoice.objects.values_list("account_username", flat=True)) == ["alice", "bob"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "January"], "is not a month: give it as YYYY-MM"),
        (["--period", "2027-01", "--customer", "nobody"], "No customer has the account username"),
    ],
)
def test_the_command_line_refuses_bad_input_and_bills_nothing(alice, args, message):
    held(alice, start=date(2026, 6, 1))
    with pytest.raises(CommandError, match=message):
        call_command("billing_run", *args, stdout=StringIO())
    assert not Invoice.objects.exists() and not BillingRun.objects.exists()


def test_a_run_of_many_accounts_goes_in_chunks(db, on_commit, monkeypatch):
    monkeypatch.setattr(runs, "CHUNK", 2)
    for _ in range(5):
        held(CustomerFactory(), start=date(2026, 6, 1))
    run = start(on_commit)
    assert (run.accounts_done, run.invoices_issued) == (5, 5)
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == [f"INV-00000{n}" for n in range(1, 6)]


def test_the_demo_issues_last_and_this_months_invoices_with_their_pdfs(alice, carol, ann):
    from billing.demo import demo_invoices
    from portal.models import Channel, OutboxMessage
    from tests.helpers import ldn

    held(alice, start=date(2026, 8, 1))
    held(carol, "isdn2", start=date(2026, 6, 1))
    run = demo_invoices({"alice": alice, "carolsbakery": carol}, {"ann": ann}, ldn(2027, 1, 12, 10, 0))
    invoices = {i.account_username: i for i in Invoice.objects.filter(run=run)}
    assert set(invoices) == {"alice", "carolsbakery"} and all(i.pdf for i in invoices.values())
    assert {i.issue_date for i in invoices.values()} == {JAN}
    # Last month's too, so the demo has invoices overdue for the reminder ladder.
    assert set(Invoice.objects.exclude(run=run).values_list("account_username", "issue_date")) == {
        ("alice", date(2026, 12, 1)),
        ("carolsbakery", date(2026, 12, 1)),
    }
    assert set(OutboxMessage.objects.values_list("customer__username", "channel", "status")) == {
        ("alice", Channel.EMAIL, "sent"),
        ("carolsbakery", Channel.LETTER, "posted"),
    }  # sent when issued, so nothing old waits in the outbox when the portal starts
