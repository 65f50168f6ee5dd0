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
