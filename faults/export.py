"""Faults in the customer's data export: every fault with its checks, timeline, visits and charges."""

from django.db.models import Prefetch

from faults.models import Fault, FaultEvent, VisitSlot
from portal.data_export import exporter


def _by(user):
    return user.full_name if user else "121 Communications"


@exporter("faults")
def faults(customer):
    rows = (
        Fault.objects.filter(customer=customer)
        .select_related("service__product")
        .order_by("reported_at", "id")
        .prefetch_related(
            "checks",
            "charges",
            Prefetch("events", queryset=FaultEvent.objects.select_related("by").order_by("at", "id")),
            Prefetch("slots", queryset=VisitSlot.objects.order_by("start_at", "id")),
        )
    )
    return [
        {
            "reference": f.reference,
            "service": f.service.label,
            "service_reference": f.service.reference,
            "reported_at": f.reported_at,
            "reported_by": f.get_channel_display(),
            "description": f.description,
            "status": f.get_status_display(),
            "where_the_fault_lies": f.get_location_display(),
            "repair_target": f.repair_due_at,
            "resolved_at": f.resolved_at,
            "closed_at": f.closed_at,
            "checks": [{"question": c.question, "answer": c.answer} for c in f.checks.all()],
            "waiting_for_our_answer_since": f.customer_waiting_since,
            "events": [
                {
                    "at": e.at,
                    "what": e.get_kind_display(),
                    "text": e.text,
                    "by": _by(e.by),
                    "staff_note": e.internal,
                    "reached_us_by": e.get_via_display() if e.via else None,
                }
                for e in f.events.all()
            ],
            "visits": [
                {
                    "date": s.date,
                    "time": s.get_window_display(),
                    "status": s.get_status_display(),
                    "offered_at": s.offered_at,
                    "accepted_at": s.accepted_at,
                    "charge_shown_when_accepting": s.charge_warning_shown_amount,
                    "outcome": s.get_outcome_display(),
                    "outcome_notes": s.outcome_notes,
                    "outcome_at": s.outcome_at,
                }
                for s in f.slots.all()
            ],
            "charges": [
                {
                    "description": c.description,
                    "amount_excluding_vat": c.amount,
                    "vat_rate": c.vat_rate,
                    "status": c.get_status_display(),
                    "created_at": c.created_at,
                    "waived_reason": c.waived_reason,
                    "waived_at": c.waived_at,
                    "invoice": c.invoice_reference,
                }
                for c in f.charges.all()
            ],
        }
        for f in rows
    ]
