"""The ADR letter is raised exactly once per complaint, even when two runs of the job race.

These tests use real PostgreSQL transactions on separate connections (one per thread), so the row
locks and the guarded UPDATE behave as they do between two Celery workers.
"""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from complaints import services
from complaints.models import Complaint, ComplaintEvent, EventKind
from complaints.tasks import complaints_raise_adr_letters
from portal.models import OutboxMessage

pytestmark = pytest.mark.django_db(transaction=True)


def _old_complaint(customer, months=4):
    received = timezone.now() - timedelta(days=31 * months)
    return services.complaint_open(
        customer=customer,
        category="service",
        what_happened="The line drops every evening.",
        received_at=received,
        now=received,
    )


def _in_thread(target, results, key):
    def run():
        try:
            results[key] = target()
        except Exception as error:  # reported by the test, not lost in the thread
            results[key] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_second_run_waiting_on_the_first_raises_no_second_letter(alice):
    complaint = _old_complaint(alice)
    first_holds_lock = threading.Event()
    results = {}

    def first():
        # The first run raises the letter and keeps its transaction (and the row lock) open a while.
        with transaction.atomic():
            raised = services.complaint_raise_adr_letter(complaint_id=complaint.pk)
            first_holds_lock.set()
            time.sleep(0.5)
            return raised

    def second():
        first_holds_lock.wait(5)
        return services.complaint_raise_adr_letter(complaint_id=complaint.pk)

    threads = [_in_thread(first, results, "first"), _in_thread(second, results, "second")]
    for thread in threads:
        thread.join(20)

    assert isinstance(results["first"], Complaint)
    assert results["second"] is None  # it waited for the lock, then found the letter already raised
    assert OutboxMessage.objects.filter(kind="complaint_adr").count() == 1
    assert ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.ADR_LETTER).count() == 1


def test_two_runs_of_the_job_started_together_raise_one_letter_per_complaint(alice, bob, carol):
    complaints = [_old_complaint(alice), _old_complaint(bob), _old_complaint(carol, months=5)]
    barrier = threading.Barrier(2)
    results = {}

    def job():
        barrier.wait(5)
        return complaints_raise_adr_letters()

    threads = [_in_thread(job, results, n) for n in (1, 2)]
    for thread in threads:
        thread.join(30)

    assert sum(results.values()) == 3  # however the two runs shared the work, each complaint counted once
    for complaint in complaints:
        assert OutboxMessage.objects.filter(kind="complaint_adr", customer=complaint.customer).count() == 1
        complaint.refresh_from_db()
        assert complaint.adr_letter_at is not None
    # Carol takes letters only: hers waits in the print queue.
    assert OutboxMessage.objects.get(kind="complaint_adr", customer=carol).channel == "letter"
