"""A bank statement is imported by the worker, not in the upload's request: a month-end file of 5,000 lines
takes about 18 seconds to record and pay (bench/statement_import.py), longer than a web request may run.

What the accounts team would notice: the upload answers at once, the result page says the file is being
imported and refreshes itself until each line's outcome is there; nothing is lost when the broker is down
at the upload (the periodic job queues the file again) or when a try fails (it recorded nothing and is
tried again; after three tries the file is marked failed and may be uploaded again); a task run twice pays
nothing twice.
"""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from billing import tasks
from billing.models import Payment, StatementFile, StatementImport, StatementLine, StatementState
from billing.services import statements
from portal import clock
from tests.billing.statement_helpers import fixture, november_invoices
from tests.helpers import visible_text
from tests.worker import broker_unreachable

UPLOAD = reverse("admin:billing_statementimport_add")


def upload(client, name="lloyds.csv", data=None):
    file = SimpleUploadedFile(name, data if data is not None else fixture(name), content_type="text/csv")
    return client.post(UPLOAD, {"file": file, "bank": ""}, follow=True)


def wait_until_imported(celery_worker, statement):
    def imported():
        return StatementImport.objects.get(pk=statement.pk).state == StatementState.IMPORTED

    celery_worker.wait_until(imported, what="the worker to import the statement")


def result_url(statement):
    return reverse("admin:billing_statementimport_change", args=[statement.pk])


@pytest.mark.django_db
def test_an_upload_keeps_the_file_and_records_no_line_until_the_worker_runs(client, ann, alice, bob, carol):
    november_invoices(alice, bob, carol)
    client.force_login(ann)
    response = upload(client)  # the test's transaction never commits: the worker's task is not queued
    statement = StatementImport.objects.get()
    assert statement.state == StatementState.QUEUED and statement.lines_total == 4
    assert bytes(StatementFile.objects.get(statement=statement).content) == fixture("lloyds.csv")
    assert StatementLine.objects.count() == 0 and Payment.objects.count() == 0
    text = visible_text(response)
    assert "Lloyds statement lloyds.csv, uploaded" in text and "by Ann Accounts: 4 lines." in text
    assert "refreshes itself every 3 seconds" in text
    changelist = visible_text(client.get(reverse("admin:billing_statementimport_changelist")))
    assert "Being imported" in changelist

    assert tasks.billing_statement_import(statement.pk) == StatementState.IMPORTED
    assert tasks.billing_statement_import(statement.pk) is None  # run twice: nothing the second time
    assert Payment.objects.count() == 2 and StatementLine.objects.count() == 4
    text = visible_text(client.get(result_url(statement)))
    assert "Paid automatically: 2" in text and "£30.00 to INV-000101" in text
    assert "statement lloyds.csv, uploaded" in text and "by Ann Accounts, imported" in text


@pytest.mark.django_db
def test_a_try_that_fails_records_nothing_and_after_three_the_file_may_be_sent_again(
    client, ann, alice, bob, carol, monkeypatch
):
    november_invoices(alice, bob, carol)
    client.force_login(ann)
    upload(client)
    statement = StatementImport.objects.get()
    real_import = statements._import

    def broken(*args, **kwargs):
        real_import(*args, **kwargs)  # every line written, then the fault: the try must leave nothing
        raise OSError("the disk is full")

    monkeypatch.setattr(statements, "_import", broken)
    statements.statement_process(statement_id=statement.pk)
    statement.refresh_from_db()
    assert (statement.state, statement.attempts) == (StatementState.QUEUED, 1)
    assert StatementLine.objects.count() == 0 and Payment.objects.count() == 0
    text = visible_text(client.get(result_url(statement)))
    assert "The last try did not finish (OSError: the disk is full) and recorded nothing" in text
    assert "1 of 3 tries used" in text

    statements.statement_process(statement_id=statement.pk)
    statements.statement_process(statement_id=statement.pk)
    statement.refresh_from_db()
    assert (statement.state, statement.attempts) == (StatementState.FAILED, 3)
    response = client.get(result_url(statement))
    text = visible_text(response)
    assert "The import failed and recorded nothing after 3 tries: OSError: the disk is full." in text
    assert 'http-equiv="refresh"' not in response.content.decode()
    assert statements.statement_process(statement_id=statement.pk) is None  # failed stays failed

    monkeypatch.setattr(statements, "_import", real_import)
    text = visible_text(upload(client))  # the fault put right, the same file is taken in again
    assert "Statement lloyds.csv received: 4 lines, being imported now." in text
    again = StatementImport.objects.exclude(pk=statement.pk).get()
    statements.statement_process(statement_id=again.pk)
    again.refresh_from_db()
    assert again.state == StatementState.IMPORTED and Payment.objects.count() == 2


@pytest.mark.django_db
def test_the_periodic_job_queues_again_only_imports_waiting_five_minutes(ann, monkeypatch):
    now = clock.now()
    waiting = StatementImport.objects.create(
        bank="lloyds", filename="a.csv", sha256="a" * 64, imported_at=now - timedelta(minutes=6)
    )
    StatementImport.objects.create(bank="lloyds", filename="b.csv", sha256="b" * 64, imported_at=now)
    StatementImport.objects.create(
        bank="lloyds",
        filename="c.csv",
        sha256="c" * 64,
        imported_at=now - timedelta(hours=1),
        state=StatementState.IMPORTED,
    )
    queued = []
    monkeypatch.setattr(tasks, "enqueue_statement", queued.append)
    assert tasks.statements_waiting(now=now) == 1 and queued == [waiting.pk]


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_imports_an_uploaded_statement_and_the_page_shows_it(
    client, ann, alice, bob, carol, celery_worker, real_broker
):
    november_invoices(alice, bob, carol)
    client.force_login(ann)
    response = upload(client)
    statement = StatementImport.objects.get()
    assert "Statement lloyds.csv received: 4 lines, being imported now." in visible_text(response)

    wait_until_imported(celery_worker, statement)
    text = visible_text(client.get(result_url(statement)))
    assert "Paid automatically: 2" in text and "For review: 1" in text
    tasks.enqueue_statement(statement.pk)  # a redelivery: nothing paid twice
    celery_worker.wait_for_tasks("billing.tasks.billing_statement_import", 2)
    assert Payment.objects.count() == 2 and StatementLine.objects.count() == 4


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_an_upload_with_the_broker_down_is_kept_and_imported_by_the_periodic_job(
    client, ann, alice, bob, carol, celery_worker, real_broker
):
    november_invoices(alice, bob, carol)
    client.force_login(ann)
    with broker_unreachable():
        response = upload(client)
    assert response.status_code == 200
    assert "Statement lloyds.csv received: 4 lines, being imported now." in visible_text(response)
    statement = StatementImport.objects.get()
    assert statement.state == StatementState.QUEUED and StatementLine.objects.count() == 0

    assert tasks.statements_waiting(now=clock.now()) == 0  # not yet: its task may still be on its way
    assert tasks.statements_waiting(now=clock.now() + timedelta(minutes=6)) == 1

    wait_until_imported(celery_worker, statement)
    assert Payment.objects.count() == 2
