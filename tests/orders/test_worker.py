"""A real Celery worker on Redis and PostgreSQL sends an order's confirmation once, even when its task
is queued again (a broker redelivery, the periodic requeue job)."""

import pytest

from orders.models import Order
from portal import outbox
from portal.models import Status
from tests.orders.helpers import place

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_sends_the_order_confirmation_exactly_once(celery_worker, real_broker, alice, products):
    before = celery_worker.tasks_done("portal.tasks.outbox_send")
    order = place(alice, products["fttc"])
    message = order.confirmation_message

    outbox.enqueue(message.pk)
    outbox.enqueue(message.pk)
    celery_worker.wait_for_tasks("portal.tasks.outbox_send", before + 3)

    sent = [e for e in celery_worker.emails() if e["X-Portal-Message"] == str(message.pk)]
    assert len(sent) == 1
    assert sent[0]["Subject"] == f"We have your order {order.reference}: FTTC fibre broadband"
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.SENT, 1)
    order = Order.objects.select_related("confirmation_message").get(pk=order.pk)
    assert order.confirmation_message.sent_at <= order.confirmation_due_at
