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


@shared_task(ignore_result=True)
def inbound_fetch_mail():
    """Selection: every email waiting in the company's mailbox (up to INBOUND_FETCH_LIMIT a pass), and any
    stored but not yet sorted. Each is stored, moved to the processed folder, then sorted."""
    from portal.inbound.poller import fetch_mail

    try:
        counts = fetch_mail()
    except Exception:  # the mailbox is unreachable: nothing was taken, the next minute tries again
        logger.exception("The mailbox could not be read")
        return None
    return dict(counts)
