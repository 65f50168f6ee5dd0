"""Every change to a complaint goes through these functions (`<entity>_<action>(*, ...)`); each leaves an
event on its timeline. Refusals are portal.workflow.Refused (InvalidTransition for a status move).

Split by topic; import from here: `from complaints import services; services.complaint_open(...)`.
"""

from complaints.services.alerts import complaints_alert_unacknowledged
from complaints.services.complaints import (
    complaint_acknowledge_by_hand,
    complaint_acknowledged_by_message,
    complaint_add_customer_message,
    complaint_add_note,
    complaint_assign,
    complaint_open,
    complaint_reopen,
    complaint_reply,
    complaint_set_status,
    validate_complaint,
)
from complaints.services.deadlock import (
    add_months,
    adr_scheme_make_current,
    complaint_issue_deadlock,
    complaint_raise_adr_letter,
)

__all__ = [
    "add_months",
    "adr_scheme_make_current",
    "complaint_acknowledge_by_hand",
    "complaint_acknowledged_by_message",
    "complaint_add_customer_message",
    "complaint_add_note",
    "complaint_assign",
    "complaint_issue_deadlock",
    "complaint_open",
    "complaint_raise_adr_letter",
    "complaint_reopen",
    "complaint_reply",
    "complaint_set_status",
    "complaints_alert_unacknowledged",
    "validate_complaint",
]
