import logging

from celery import shared_task

from portal import outbox

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def outbox_send(message_id):
    """Send one outbox message; safe to run twice (the row is claimed first)."""
    return outbox.deliver(message_id)


@shared_task(ignore_result=True)
def outbox_requeue():
    """Selection: queued messages whose time came OUTBOX_REQUEUE_AFTER_SECONDS ago or more (their task
    was lost, or the broker was down when they were written), and messages stuck in sending."""
    requeued, stuck = outbox.requeue_waiting()
    if requeued or stuck:
        logger.info("Outbox: %s queued again, %s stuck in sending", requeued, stuck)
    return requeued, stuck
