import logging

from celery import shared_task

from portal import delivery

logger = logging.getLogger(__name__)


@shared_task(bind=True, ignore_result=True)
def outbox_send(self, message_id):
    """Send one outbox message; safe to run twice (the row is claimed first)."""
    return delivery.deliver(message_id, look_again=not self.request.is_eager)


@shared_task(ignore_result=True)
def outbox_requeue():
    """Selection: queued messages whose time came OUTBOX_REQUEUE_AFTER_SECONDS ago or more (their task
    was lost, or the broker was down when they were written), and claims that ran out (a worker died
    mid-send): taken again, or flagged for staff (portal.delivery.requeue_waiting)."""
    counts = delivery.requeue_waiting()
    if any(counts):
        logger.info("Outbox: %s", counts._asdict())
    return counts
