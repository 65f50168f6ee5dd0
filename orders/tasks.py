"""Periodic jobs of the orders app: thin, safe to repeat, and each states its selection rule."""

import logging

from celery import shared_task

from orders import selectors, services
from portal import clock, sla

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def order_confirmation_alerts():
    """Selection: orders whose confirmation message has not been sent (emailed, or posted for customers
    who take letters only) and whose confirmation due time is within ORDER_AT_RISK_OFFICE_HOURS office
    hours (at risk) or past (overdue). Customer services get one email per order at each level: once when
    it is at risk, once more when it is overdue, however often the job runs."""
    newly = services.orders_alert_confirmations(now=clock.now())
    counts = {"at_risk": len(newly[sla.AT_RISK]), "overdue": len(newly[sla.OVERDUE])}
    if any(counts.values()):
        logger.info("Order confirmations: alerts sent to customer services: %s", counts)
    return counts


@shared_task(ignore_result=True)
def cease_due_services():
    """Selection: cancellations still awaiting withdrawal whose withdrawal date (London) is today or
    earlier, on a service that is cancelling. Each service becomes ceased, with an event and a message."""
    now = clock.now()
    ids = list(selectors.cancellations_due(now=now).values_list("pk", flat=True))
    ceased = sum(services.service_cease(cancellation_id=cancellation_id, now=now) for cancellation_id in ids)
    if ids:
        logger.info("Cancellations: %s due, %s services ceased", len(ids), ceased)
    return {"selected": len(ids), "ceased": ceased}
