"""Periodic jobs of the faults app (the beat schedule is in portal/settings.py)."""

import logging

from celery import shared_task

from faults import services
from portal import clock, sla

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def faults_alert_repair_targets():
    """Selection: faults not yet resolved, not found to be someone else's and not closed, whose repair
    target is within FAULT_AT_RISK_OFFICE_HOURS office hours (at risk) or has passed (overdue).
    Engineers get one email per run listing the newly at-risk and newly overdue ones; each fault is
    alerted once per level (at risk, then overdue), however often the job runs."""
    newly = services.faults_alert_repair_targets(now=clock.now())
    counts = {"overdue": len(newly[sla.OVERDUE]), "at_risk": len(newly[sla.AT_RISK])}
    if any(counts.values()):
        logger.info("Fault repair targets: %s", counts)
    return counts
