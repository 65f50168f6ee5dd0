"""Billing's worker tasks: thin (ids in, a service per id, counts out) and safe to run twice.

Every task is queued after the commit of the row it reads; with the broker down the row waits and the
periodic jobs below pick it up (a run still queued, an issued document with no PDF yet).
"""

import logging
from datetime import timedelta

from celery import shared_task

from billing import documents
from billing.models import BillingRun, CreditNote, Invoice, InvoiceStatus, RunStatus, StatementImport, StatementState
from billing.services import runs, statements
from portal import clock

logger = logging.getLogger(__name__)

# An issued document whose PDF is not made this long after issue lost its task: queued again.
RENDER_AGAIN_AFTER = timedelta(minutes=5)
# A statement still queued this long after its upload lost its task, or its last try failed: queued again.
IMPORT_AGAIN_AFTER = timedelta(minutes=5)


def _enqueue(task, *args):
    try:
        task.delay(*args)
    except Exception as exc:  # the broker is down: the periodic job below queues it again
        logger.warning("Billing task %s%s stays for the periodic job: broker unavailable (%s)", task.name, args, exc)


def enqueue_run(run_id):
    _enqueue(billing_run_start, run_id)


def enqueue_run_accounts(run_id, customer_ids):
    _enqueue(billing_run_accounts, run_id, list(customer_ids))


def enqueue_render_invoice(invoice_id):
    _enqueue(billing_invoice_document, invoice_id)


def enqueue_render_credit_note(credit_note_id):
    _enqueue(billing_credit_note_document, credit_note_id)


def enqueue_statement(statement_id):
    _enqueue(billing_statement_import, statement_id)


# The largest file taken (5 MB, about 70,000 lines) takes about 4 minutes at the 277 lines/s measured by
# bench/statement_import.py: more than the 270 s every other task is allowed (CELERY_TASK_SOFT_TIME_LIMIT).
STATEMENT_SOFT_TIME_LIMIT = 20 * 60


@shared_task(ignore_result=True, soft_time_limit=STATEMENT_SOFT_TIME_LIMIT, time_limit=STATEMENT_SOFT_TIME_LIMIT + 60)
def billing_statement_import(statement_id):
    """Record an uploaded statement's lines and pay what clearly pays (an import not queued does nothing)."""
    statement = statements.statement_process(statement_id=statement_id)
    return statement.state if statement else None


@shared_task(ignore_result=True)
def billing_run_start(run_id):
    """Count a queued run's accounts and queue them in chunks (a run already taken does nothing)."""
    return len(runs.run_start(run_id=run_id))


@shared_task(ignore_result=True)
def billing_run_accounts(run_id, customer_ids):
    """Invoice each account of the chunk, each in its own transaction; a failure is recorded on the run."""
    issued = sum(runs.run_account(run_id=run_id, customer_id=pk) is not None for pk in customer_ids)
    return {"accounts": len(customer_ids), "issued": issued}


@shared_task(ignore_result=True)
def billing_invoice_document(invoice_id):
    """Render an issued invoice's PDF once, store it and send it."""
    return documents.invoice_document_issue(invoice_id=invoice_id)


@shared_task(ignore_result=True)
def billing_credit_note_document(credit_note_id):
    """Render an issued credit note's PDF once, store it and send it."""
    return documents.credit_note_document_issue(credit_note_id=credit_note_id)


@shared_task(ignore_result=True)
def billing_run_due():
    """Daily. Selection: on or after BILLING["RUN_DAY"] (London), this month's run for every account, if no
    run for the month was made yet (billing.services.runs.run_due). Also, runs still queued an hour after
    they were made (their task was lost) are queued again, and issued invoices and credit notes with no PDF
    RENDER_AGAIN_AFTER after issue get their rendering queued again."""
    now = clock.now()
    run = runs.run_due(now=now)
    stale_runs = list(
        BillingRun.objects.filter(status=RunStatus.QUEUED, created_at__lt=now - timedelta(hours=1)).values_list(
            "pk", flat=True
        )
    )
    for run_id in stale_runs:
        enqueue_run(run_id)
    counts = {"run": run.pk if run else None, "runs_queued_again": len(stale_runs), **documents_missing(now=now)}
    logger.info("Billing: %s", counts)
    return counts


@shared_task(ignore_result=True)
def billing_documents_missing():
    """Every few minutes. Selection: issued invoices and credit notes with no stored PDF RENDER_AGAIN_AFTER
    after their issue (the rendering task was lost): queued again; rendering is once only whatever doubles.
    And statements still queued IMPORT_AGAIN_AFTER after their upload (task lost, or a try failed)."""
    now = clock.now()
    counts = {**documents_missing(now=now), "statements": statements_waiting(now=now)}
    if any(counts.values()):
        logger.info("Billing documents queued again: %s", counts)
    return counts


def documents_missing(*, now, limit=2000):
    cutoff = now - RENDER_AGAIN_AFTER
    invoices = list(
        Invoice.objects.filter(pdf="", issued_at__lt=cutoff)
        .exclude(status=InvoiceStatus.DRAFT)
        .values_list("pk", flat=True)[:limit]
    )
    notes = list(CreditNote.objects.filter(pdf="", issued_at__lt=cutoff).values_list("pk", flat=True)[:limit])
    for pk in invoices:
        enqueue_render_invoice(pk)
    for pk in notes:
        enqueue_render_credit_note(pk)
    return {"invoices": len(invoices), "credit_notes": len(notes)}


def statements_waiting(*, now):
    waiting = list(
        StatementImport.objects.filter(state=StatementState.QUEUED, imported_at__lt=now - IMPORT_AGAIN_AFTER)
        .order_by("imported_at")
        .values_list("pk", flat=True)[:100]
    )
    for pk in waiting:
        enqueue_statement(pk)
    return len(waiting)
