"""Periodic jobs of the orders app: thin, safe to repeat, and each states its selection rule."""

import logging
from functools import partial

from celery import shared_task
from django.db import transaction

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
    earlier, on a service that is cancelling. Each is queued as a task of its own (`cease_service`), after
    the commit: the job's own time is its selection however many services fall due on one day, each service
    is withdrawn in its own transaction on whichever worker is free, and one that fails leaves the others
    done. Any not withdrawn (a task lost with the broker) are selected again at the next run."""
    ids = list(selectors.cancellations_due(now=clock.now()).values_list("pk", flat=True))
    for cancellation_id in ids:
        transaction.on_commit(partial(_enqueue_cease, cancellation_id))
    if ids:
        logger.info("Cancellations: %s due, each queued to be withdrawn", len(ids))
    return {"selected": len(ids)}


def _enqueue_cease(cancellation_id):
    try:
        cease_service.delay(cancellation_id)
    except Exception as exc:  # the broker is down: the next run selects it again
        logger.warning("Cancellation %s stays for the next run: broker unavailable (%s)", cancellation_id, exc)


@shared_task(ignore_result=True)
def cease_service(cancellation_id):
    """Withdraw the service of one due cancellation: the service ceased, its event and the customer's email
    or letter. Safe to run twice (a cancellation already completed, or withdrawn by the customer, is left)."""
    ceased = services.service_cease(cancellation_id=cancellation_id, now=clock.now())
    if ceased:
        logger.info("Cancellation %s: service withdrawn", cancellation_id)
    return ceased
