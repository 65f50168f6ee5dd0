"""Two runs racing on PostgreSQL: every account invoiced once, numbers unique and 1..N with no gap, even when
some issues roll back after taking a number (real transactions, one connection per thread)."""

import threading
from datetime import date
from unittest import mock

import pytest
from django.db import connection

from billing import numbering
from billing.models import BillingRun, Invoice
from billing.services import runs
from billing.services.payments import credit_apply as real_credit_apply
from tests.billing.run_helpers import held, issue_time
from tests.factories import CustomerFactory

JAN = date(2027, 1, 1)
ACCOUNTS = 24


def race(workers):
    barrier = threading.Barrier(len(workers))
    errors = []

    def go(work):
        try:
            barrier.wait()
            work()
        except Exception as exc:  # reported by the test, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=go, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors


@pytest.mark.django_db(transaction=True)
def test_two_runs_racing_give_every_account_one_invoice_numbered_without_gaps():
    customers = [CustomerFactory() for _ in range(ACCOUNTS)]
    for customer in customers:
        held(customer, start=date(2026, 6, 1))
    first, second = (BillingRun.objects.create(period=JAN, status="running", accounts_total=ACCOUNTS) for _ in range(2))
    failed = []
    lock = threading.Lock()

    def sometimes_failing(*, invoice, now=None):
        # A few issues fail after their number was taken, inside the issuing transaction: the rollback must
        # give the number back, and the other run take it.
        with lock:
            if invoice.number.endswith(("5", "0")) and len(failed) < 3:
                failed.append(invoice.number)
                raise RuntimeError("the connection dropped")
        return real_credit_apply(invoice=invoice, now=now)

    def do(run, order):
        for customer in order:
            runs.run_account(run_id=run.pk, customer_id=customer.pk, now=issue_time(JAN))

    with (
        mock.patch("billing.tasks.enqueue_render_invoice"),
        mock.patch("billing.services.issuing.credit_apply", side_effect=sometimes_failing),
    ):
        # The same accounts, one run from each end, so they meet in the middle; each account is issued in its
        # own transaction (runs.run_account) and the invoice's atomic block is the one that takes the number.
        race([lambda: do(first, customers), lambda: do(second, list(reversed(customers)))])
        # What failed is tried again, as staff would after reading the run's failures.
        for customer in customers:
            runs.run_account(run_id=first.pk, customer_id=customer.pk, now=issue_time(JAN))

    assert failed, "the test must have rolled back some issues after their numbers were taken"
    invoices = list(Invoice.objects.values_list("customer_id", "number"))
    assert sorted(c for c, _ in invoices) == sorted(c.pk for c in customers)  # each account exactly once
    numbers = sorted(int(number.removeprefix("INV-")) for _, number in invoices)
    assert numbers == list(range(1, ACCOUNTS + 1))


def test_numbers_fit_a_bank_reference(settings):
    assert numbering.format_number("INV-", 123) == "INV-000123"
    assert numbering.format_number("CRN-", 45) == "CRN-000045"
    with pytest.raises(Exception, match="bank reference"):
        numbering.format_number("inv/", 1)
    with pytest.raises(Exception, match="bank reference"):
        numbering.format_number("INVOICE-NUMBER-", 1)
