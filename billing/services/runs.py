"""Billing runs: a month's invoices for every account (or one), done by the workers, one account at a time.

- A run is a row (BillingRun) that shows its progress: accounts done of total, invoices issued, failures.
  The counters are raised with F() expressions, so workers finishing accounts at the same moment never lose
  a count; the last account done finishes the run (a guarded UPDATE: only one worker does).
- Each account is issued in its own transaction (billing/services/issuing.py). An account that fails is a
  RunFailure with the reason, and the run goes on with the others.
- A second run for the same month makes no second invoice: Invoice's (customer, period) uniqueness decides,
  not this module; the second run finds those accounts already invoiced and counts them done.
"""

import logging
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Case, F, Q, Value, When

from billing.models import AccountCharge, BillingRun, ChargeStatus, RunFailure, RunStatus
from billing.services.issuing import invoice_issue_for_period
from faults import selectors as fault_selectors
from orders import selectors as order_selectors
from portal import clock
from portal.dates import add_months
from portal.office_hours import london
from portal.workflow import Refused

logger = logging.getLogger(__name__)

# Accounts per worker task: small enough that progress moves while a run is watched, large enough that
# queueing costs little against issuing.
CHUNK = 20


def parse_period(text):
    """'2027-01' -> date(2027, 1, 1); Refused with the form it should take otherwise."""
    try:
        year, month = (int(part) for part in str(text).strip().split("-"))
        return date(year, month, 1)
    except (ValueError, TypeError):
        raise Refused(f"“{text}” is not a month: give it as YYYY-MM, for example 2027-01.", field="period") from None


def accounts_to_bill(*, period, customer=None):
    """The ids of the accounts a run for `period` bills, in a fixed order: customers holding a service not
    withdrawn before last month (it may still owe days of it), or with a one-off charge or abortive visit
    waiting. Staff accounts never."""
    if customer is not None:
        return [customer.pk]
    since = add_months(period, -1)
    with_charges = AccountCharge.objects.filter(status=ChargeStatus.PENDING).values_list("customer_id", flat=True)
    customers = (
        get_user_model()
        .objects.filter(is_staff=False)
        .filter(
            Q(pk__in=order_selectors.customers_with_services(since=since))
            | Q(pk__in=with_charges)
            | Q(pk__in=fault_selectors.customers_with_charges_to_invoice())
        )
    )
    return list(customers.order_by("pk").values_list("pk", flat=True))


@transaction.atomic
def run_create(*, period, customer=None, by=None, queue=True, now=None):
    """Make a run for the month starting `period` (of one account when `customer` is given); the workers do it
    once this commits (or the caller, with `queue` off: the command line). Refused for a date that is not the first of a month or a customer who is staff."""
    now = now or clock.now()
    if period.day != 1:
        raise Refused("A billing run is for a whole month: give its first day.", field="period")
    if customer is not None and customer.is_staff:
        raise Refused("Staff accounts are not billed.", field="customer")
    run = BillingRun.objects.create(period=period, customer=customer, started_by=by, created_at=now)
    if queue:
        from billing import tasks

        transaction.on_commit(lambda: tasks.enqueue_run(run.pk))
    return run


def run_start(*, run_id, now=None, queue=True):
    """Take a queued run (a guarded UPDATE, so a duplicated task does nothing), count its accounts and hand
    them to the workers in chunks (`queue`), or return their ids for the caller to do (the command line)."""
    now = now or clock.now()
    if not BillingRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, started_at=now
    ):
        return []
    run = BillingRun.objects.select_related("customer").get(pk=run_id)
    ids = accounts_to_bill(period=run.period, customer=run.customer)
    BillingRun.objects.filter(pk=run_id).update(accounts_total=len(ids))
    if not ids:
        _finish_if_done(run_id, now=now)
        return []
    if queue:
        from billing import tasks

        for start in range(0, len(ids), CHUNK):
            tasks.enqueue_run_accounts(run_id, ids[start : start + CHUNK])
    return ids


def run_account(*, run_id, customer_id, now=None):
    """Invoice one account of a run, or record why not; either way the account counts as done. Returns the
    invoice issued, or None."""
    now = now or clock.now()
    run = BillingRun.objects.get(pk=run_id)
    customer = get_user_model().objects.get(pk=customer_id)
    invoice = None
    try:
        invoice = invoice_issue_for_period(customer=customer, period=run.period, run=run, now=now)
    except Exception as exc:  # one account's failure is recorded and the run goes on
        logger.exception("Billing run %s: account %s failed", run_id, customer_id)
        RunFailure.objects.create(run=run, customer=customer, error=f"{type(exc).__name__}: {exc}"[:2000], at=now)
        BillingRun.objects.filter(pk=run_id).update(failures=F("failures") + 1)
    BillingRun.objects.filter(pk=run_id).update(
        accounts_done=F("accounts_done") + 1,
        invoices_issued=F("invoices_issued") + (1 if invoice is not None else 0),
    )
    _finish_if_done(run_id, now=now)
    return invoice


def _finish_if_done(run_id, *, now):
    BillingRun.objects.filter(pk=run_id, status=RunStatus.RUNNING, accounts_done__gte=F("accounts_total")).update(
        status=Case(When(failures__gt=0, then=Value(RunStatus.DONE_WITH_FAILURES)), default=Value(RunStatus.DONE)),
        finished_at=now,
    )


def run_due(*, now=None):
    """The periodic job's rule: on or after BILLING["RUN_DAY"] of a London month, that month's run for every
    account, once: a run for the month already made, whatever its state, means nothing to do (and were two
    made, the second would issue nothing: Invoice's uniqueness). Returns the run made, or None."""
    now = now or clock.now()
    today = london(now).date()
    if today.day < settings.BILLING["RUN_DAY"]:
        return None
    period = today.replace(day=1)
    if BillingRun.objects.filter(period=period, customer__isnull=True).exists():
        return None
    return run_create(period=period, now=now)
