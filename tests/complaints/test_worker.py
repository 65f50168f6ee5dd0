"""A real worker sends a complaint's acknowledgement exactly once, however often its task arrives."""

import pytest

from complaints import services
from complaints.models import Status
from complaints.tasks import complaints_alert_unacknowledged
from portal import outbox

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_the_worker_acknowledges_once_even_when_the_task_is_delivered_three_times(celery_worker, real_broker, alice):
    before = celery_worker.tasks_done("portal.tasks.outbox_send")
    complaint = services.complaint_open(
        customer=alice, category="billing", what_happened="Charged twice for line rental in November."
    )
    outbox.enqueue(complaint.ack_message_id)
    outbox.enqueue(complaint.ack_message_id)
    celery_worker.wait_for_tasks("portal.tasks.outbox_send", before + 3)
    complaints_alert_unacknowledged()

    acks = [e for e in celery_worker.emails() if complaint.reference in e["Subject"]]
    assert len(acks) == 1
    assert "We have received your complaint" in acks[0]["Subject"]
    complaint.refresh_from_db()
    assert complaint.status == Status.ACKNOWLEDGED
    assert complaint.acknowledged_at <= complaint.ack_due_at
