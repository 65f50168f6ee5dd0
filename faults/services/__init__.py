"""Every change to a fault goes through these functions (`<entity>_<action>(*, ...)`); each leaves an
event on the fault's timeline. Split by topic; import from here: `from faults import services`."""

from faults.services.reports import (
    engineers_next_at_work,
    fault_add_customer_message,
    fault_add_note,
    fault_reply,
    fault_report,
    fault_set_location,
    fault_set_repair_target,
    fault_set_status,
    faults_alert_repair_targets,
    next_at_work_text,
    repair_due,
    validate_reported_at,
)
from faults.services.visits import (
    booked_visit,
    visit_charge_amount,
    visit_charge_mark_invoiced,
    visit_charge_waive,
    visit_record_outcome,
    visit_slot_accept,
    visit_slots_decline,
    visit_slots_offer,
)

__all__ = [
    "booked_visit",
    "engineers_next_at_work",
    "fault_add_customer_message",
    "fault_add_note",
    "fault_reply",
    "fault_report",
    "fault_set_location",
    "fault_set_repair_target",
    "fault_set_status",
    "faults_alert_repair_targets",
    "next_at_work_text",
    "repair_due",
    "validate_reported_at",
    "visit_charge_amount",
    "visit_charge_mark_invoiced",
    "visit_charge_waive",
    "visit_record_outcome",
    "visit_slot_accept",
    "visit_slots_decline",
    "visit_slots_offer",
]
