"""Periodic jobs of the complaints app: thin, safe to repeat, and each states its selection rule."""

import logging

from celery import shared_task

from complaints import selectors, services
from complaints.models import Status
from portal import clock, sla
from portal.workflow import Refused

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def complaints_alert_unacknowledged():
    """Selection: complaints still not acknowledged whose acknowledgement is due within
    COMPLAINT_AT_RISK_OFFICE_HOURS office hours, or overdue. Customer services get one email per run
    listing the newly at-risk and newly overdue ones; each complaint is alerted once per level.
    First, complaints whose acknowledgement has in fact gone are marked acknowledged (in case the
    outbox's after-send step failed)."""
    now = clock.now()
    reconciled = 0
    for complaint in selectors.acknowledgement_gone_unrecorded():
        reconciled += services.complaint_acknowledged_by_message(message=complaint.ack_message) is not None

    newly = services.complaints_alert_unacknowledged(now=now)
    counts = {"reconciled": reconciled, "overdue": len(newly[sla.OVERDUE]), "at_risk": len(newly[sla.AT_RISK])}
    if any(counts.values()):
        logger.info("Complaint acknowledgements: %s", counts)
    return counts


@shared_task(ignore_result=True)
def complaints_raise_adr_letters():
    """Selection: complaints still unresolved (received, acknowledged, investigating) whose ADR time
    has passed and that have had no ADR letter. Each gets exactly one, even if two runs race. Returns
    how many were raised."""
    now = clock.now()
    ids = list(selectors.due_adr_letter(now=now).values_list("pk", flat=True))
    raised = refused = 0
    for complaint_id in ids:
        try:
            raised += services.complaint_raise_adr_letter(complaint_id=complaint_id, now=now) is not None
        except Refused as refusal:
            # One complaint we cannot write about must not hold up the others; it is tried again next run.
            refused += 1
            logger.warning("ADR letter for complaint %s could not be written: %s", complaint_id, refusal)
    if ids:
        logger.info("ADR letters: %s", {"selected": len(ids), "raised": raised, "refused": refused})
    return raised


@shared_task(ignore_result=True)
def complaints_close_resolved():
    """Selection: complaints resolved more than COMPLAINT_REOPEN_DAYS days ago: they can no longer be
    reopened, so they are closed. Returns how many were closed."""
    now = clock.now()
    due = list(selectors.resolved_to_close(now=now))
    closed = refused = 0
    for complaint in due:
        try:
            services.complaint_set_status(
                complaint=complaint,
                to=Status.CLOSED,
                by=None,
                now=now,
                note="Closed: resolved and not reopened within the time allowed.",
            )
            closed += 1
        except Refused as refusal:  # reopened or closed by someone else meanwhile: nothing to do
            refused += 1
            logger.info("Complaint %s was not closed: %s", complaint.pk, refusal)
    if due:
        logger.info("Resolved complaints: %s", {"selected": len(due), "closed": closed, "refused": refused})
    return closed
