import logging

from celery import shared_task
from django.utils import timezone

from complaints import services
from complaints.models import OPEN_STATUSES, Complaint, Status
from portal import policy as policy_values
from portal import sla
from portal.models import Status as MessageStatus

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def complaints_alert_unacknowledged():
    """Selection: complaints still not acknowledged whose acknowledgement is due within
    COMPLAINT_AT_RISK_OFFICE_HOURS office hours, or overdue. Customer services get one email per run
    listing the newly at-risk and newly overdue ones; each complaint is alerted once per level.
    First, complaints whose acknowledgement has in fact gone are marked acknowledged (in case the
    outbox's after-send step failed)."""
    now = timezone.now()
    reconciled = 0
    for complaint in Complaint.objects.filter(
        status=Status.RECEIVED, ack_message__status__in=[MessageStatus.SENT, MessageStatus.POSTED]
    ).select_related("ack_message"):
        reconciled += services.complaint_acknowledged_by_message(message=complaint.ack_message) is not None

    newly = services.complaints_alert_unacknowledged(now=now)
    counts = {"reconciled": reconciled, "overdue": len(newly[sla.OVERDUE]), "at_risk": len(newly[sla.AT_RISK])}
    if any(counts.values()):
        logger.info("Complaint acknowledgements: %s", counts)
    return counts


@shared_task(ignore_result=True)
def complaints_raise_adr_letters():
    """Selection: complaints still unresolved (received, acknowledged, investigating) whose ADR time
    has passed and that have had no ADR letter. Each gets exactly one, even if two runs race."""
    now = timezone.now()
    due = Complaint.objects.filter(status__in=OPEN_STATUSES, adr_from__lte=now, adr_letter_at__isnull=True)
    raised = 0
    for pk in due.values_list("pk", flat=True):
        try:
            raised += services.complaint_raise_adr_letter(complaint_id=pk, now=now) is not None
        except services.ComplaintError:
            # One complaint we cannot write about must not hold up the others; it is tried again next run.
            logger.exception("ADR letter for complaint %s could not be written", pk)
    if raised:
        logger.info("ADR letters raised: %s", raised)
    return raised


@shared_task(ignore_result=True)
def complaints_close_resolved():
    """Selection: complaints resolved more than COMPLAINT_REOPEN_DAYS days ago: they can no longer be
    reopened, so they are closed."""
    from datetime import timedelta

    cutoff = timezone.now() - timedelta(days=policy_values.value("COMPLAINT_REOPEN_DAYS"))
    closed = 0
    for complaint in Complaint.objects.filter(status=Status.RESOLVED, resolved_at__lt=cutoff):
        try:
            services.complaint_set_status(complaint=complaint, to=Status.CLOSED, by=None,
                                          note="Closed: resolved and not reopened within the time allowed.")
            closed += 1
        except services.ComplaintError:
            pass  # someone reopened or closed it meanwhile
    return closed
