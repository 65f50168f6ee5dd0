"""The reminder ladder's periodic job (CELERY_BEAT_SCHEDULE "billing-reminder-ladder", hourly): thin,
safe to repeat, and safe to run on two workers at once (billing/services/dunning.py says how)."""

import logging

from celery import shared_task

from billing.services import dunning
from portal import clock

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def reminder_ladder():
    """Selection: open invoices past their due date by at least the first reminder's days
    (BILLING["REMINDER_DAYS"]), read on the partial index of open invoices' due dates, whose account is
    not on hold; each gets the latest step due and not yet sent (a reminder, or the final notice). Then
    overdue invoices whose final notice's date has passed, with no suspension yet, on accounts not on hold
    and with none proposed or in force: a suspension is proposed (confirmed at once with AUTO_SUSPEND)."""
    counts = dunning.ladder_run(now=clock.now())
    if counts:
        logger.info("Reminder ladder: %s", counts)
    return counts
