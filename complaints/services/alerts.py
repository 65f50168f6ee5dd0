"""Warning customer services before a complaint's acknowledgement is late (Code: "within 24 working hours")."""

from django.db import transaction

from complaints import emails, selectors
from complaints.models import EventKind
from complaints.services._common import event
from portal import clock, policy, sla


@transaction.atomic
def complaints_alert_unacknowledged(*, now=None):
    """Alert customer services about complaints not yet acknowledged whose acknowledgement is newly at
    risk (due within COMPLAINT_AT_RISK_OFFICE_HOURS office hours) or overdue: one email to the group
    listing them and an internal event on each, once per complaint and level."""
    now = now or clock.now()
    hours = policy.value("COMPLAINT_AT_RISK_OFFICE_HOURS")
    newly = sla.claim_alerts(
        selectors.unacknowledged(),
        due_field="ack_due_at",
        done_field="acknowledged_at",
        level_field="ack_alert_level",
        at_risk_office_hours=hours,
        now=now,
        record=lambda complaint, level: event(
            complaint,
            EventKind.ALERT,
            f"Customer services alerted: acknowledgement {sla.LABELS[level].lower()}.",
            internal=True,
            at=now,
        ),
    )
    if newly[sla.AT_RISK] or newly[sla.OVERDUE]:
        emails.complaint_ack_alert(overdue=newly[sla.OVERDUE], at_risk=newly[sla.AT_RISK], hours=hours, now=now)
    return newly
