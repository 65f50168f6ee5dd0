"""Periodic jobs of the faults app (the beat schedule is in portal/settings.py)."""

import logging

from celery import shared_task
from django.db import transaction

from accounts.groups import ENGINEERS
from faults import clock
from faults.models import CONCLUDED_STATUSES, EventKind, Fault, FaultEvent
from portal import outbox
from portal import policy as policy_values
from portal import sla

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def faults_alert_repair_targets():
    """Selection: faults not yet resolved, not found to be someone else's and not closed, whose repair
    target is within FAULT_AT_RISK_OFFICE_HOURS office hours (at risk) or has passed (overdue).
    Engineers get one email per run listing the newly at-risk and newly overdue ones; each fault is
    alerted once per level (at risk, then overdue), however often the job runs."""
    now = clock.now()
    hours = policy_values.value("FAULT_AT_RISK_OFFICE_HOURS")
    newly = {sla.AT_RISK: [], sla.OVERDUE: []}
    with transaction.atomic():
        for level in (sla.OVERDUE, sla.AT_RISK):
            # skip_locked: two runs that overlap split the faults between them instead of both alerting.
            rows = (Fault.objects.select_for_update(skip_locked=True, of=("self",))
                    .filter(sla.open_q(due_field="repair_due_at", done_field="resolved_at", which=level,
                                       at_risk_office_hours=hours, now=now))
                    .exclude(status__in=CONCLUDED_STATUSES)
                    .exclude(alert_level__in=[level, sla.OVERDUE])
                    .select_related("customer", "service__product").order_by("repair_due_at", "id"))
            for fault in rows:
                fault.alert_level = level
                fault.save(update_fields=["alert_level"])
                FaultEvent.objects.create(fault=fault, kind=EventKind.ALERT, internal=True, at=now,
                                          text=f"Engineers alerted: repair target {sla.LABELS[level].lower()}.")
                newly[level].append(fault)
        if newly[sla.AT_RISK] or newly[sla.OVERDUE]:
            outbox.email_staff(
                group=ENGINEERS, kind="fault_repair_alert", template="faults/staff_alert",
                subject=f"Fault repair targets: {len(newly[sla.OVERDUE])} overdue, {len(newly[sla.AT_RISK])} at risk",
                context={"overdue": newly[sla.OVERDUE], "at_risk": newly[sla.AT_RISK], "hours": hours},
            )
    counts = {"overdue": len(newly[sla.OVERDUE]), "at_risk": len(newly[sla.AT_RISK])}
    if any(counts.values()):
        logger.info("Fault repair targets: %s", counts)
    return counts
