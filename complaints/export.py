"""Complaints in the customer's data export: every complaint and everything on its timeline."""

from complaints.models import Complaint
from portal.data_export import exporter


@exporter("complaints")
def complaints(customer):
    rows = (
        Complaint.objects.filter(customer=customer)
        .select_related("service")
        .prefetch_related("events__by")
        .order_by("received_at")
    )
    return [
        {
            "reference": c.reference,
            "category": c.get_category_display(),
            "service": c.service.reference if c.service else None,
            "what_happened": c.what_happened,
            "what_you_want": c.desired_outcome,
            "received_by": c.get_channel_display(),
            "received_at": c.received_at,
            "status": c.get_status_display(),
            "acknowledgement_due": c.ack_due_at,
            "acknowledged_at": c.acknowledged_at,
            "deadlock_final_position": c.deadlock_position,
            "deadlocked_at": c.deadlocked_at,
            "adr_from": c.adr_from,
            "adr_letter_at": c.adr_letter_at,
            "waiting_for_our_answer_since": c.customer_waiting_since,
            "events": [
                {
                    "at": e.at,
                    "what": e.get_kind_display(),
                    "text": e.text,
                    "by": (e.by.full_name if e.by else "121 Communications"),
                    "staff_note": e.internal,
                    "reached_us_by": e.get_via_display() if e.via else None,
                }
                for e in c.events.all()
            ],
        }
        for c in rows
    ]
