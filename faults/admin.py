"""Faults in the staff admin: the list with repair targets at risk and overdue, the staff actions (each a
page calling one service, offered where it applies: portal/admin_actions.py), a record page for phoned
and emailed faults, and abortive-visit charges with their waiver.

Engineers have every faults permission (accounts/groups.py); customer services may look, not act.
"""

from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from faults import services
from faults.admin_forms import (
    LocationForm,
    NoteForm,
    OfferSlotsForm,
    OutcomeForm,
    RecordFaultForm,
    RepairTargetForm,
    ReplyForm,
    StatusForm,
    WaiveForm,
    staff_moves,
)
from faults.models import (
    CONCLUDED_STATUSES,
    ChargeStatus,
    Fault,
    FaultCheck,
    FaultEvent,
    Status,
    VisitCharge,
    VisitSlot,
)
from portal import clock, customer_messages, sla
from portal import policy as policy_values
from portal.admin_actions import StaffAction, StaffActionsMixin, deadline_cell
from portal.admin_links import LinksOnlyWhereAllowed
from portal.admin_scale import BigTableAdmin
from portal.formats import short_datetime
from portal.workflow import Refused


class RepairFilter(
    sla.admin_filter(
        title="repair target",
        parameter_name="repair",
        due_field="repair_due_at",
        done_field="resolved_at",
        at_risk_office_hours=lambda: policy_values.value("FAULT_AT_RISK_OFFICE_HOURS"),
    )
):
    """sla's filter, read on the portal clock, so the filter and the Repair column always agree."""

    def queryset(self, request, queryset):
        if self.value() in (sla.OVERDUE, sla.AT_RISK, sla.DUE, sla.LATE):
            return queryset.filter(
                sla.open_q(
                    due_field="repair_due_at",
                    done_field="resolved_at",
                    which=self.value(),
                    at_risk_office_hours=policy_values.value("FAULT_AT_RISK_OFFICE_HOURS"),
                    now=clock.now(),
                )
            )
        return queryset


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CheckInline(ReadOnlyInline):
    model = FaultCheck
    fields = ["position", "question", "answer"]
    readonly_fields = fields
    verbose_name_plural = "Checks the customer made"


class SlotInline(ReadOnlyInline):
    model = VisitSlot
    fields = [
        "date",
        "window",
        "status",
        "offered_by",
        "accepted_at",
        "charge_warning_shown_amount",
        "outcome",
        "outcome_at",
        "outcome_by",
    ]
    readonly_fields = fields
    verbose_name_plural = "Engineer visits"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("offered_by", "outcome_by")


class ChargeInline(ReadOnlyInline):
    model = VisitCharge
    fields = ["description", "amount", "status", "waived_reason", "invoice_reference"]
    readonly_fields = fields
    verbose_name_plural = "Visit charges"


class EventInline(ReadOnlyInline):
    model = FaultEvent
    fields = ["at", "kind", "text", "internal", "by", "email"]  # email: the customer's email it came from
    readonly_fields = fields
    ordering = ["at", "id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by", "email")


def _outcome(fault, by, data, now):
    visit = services.booked_visit(fault)
    if visit is None:
        raise Refused("No visit is booked for this fault: the customer has not accepted a time.")
    return services.visit_record_outcome(visit=visit, outcome=data["outcome"], notes=data["notes"], by=by, now=now)


def _record(_, by, data, now):
    service = data["service"]
    return services.fault_report(
        customer=service.customer,
        service=service,
        channel=data["channel"],
        description=data["description"],
        reported_at=data["reported_at"],
        recorded_by=by,
        now=now,
    )


@admin.register(Fault)
class FaultAdmin(StaffActionsMixin, LinksOnlyWhereAllowed, BigTableAdmin, admin.ModelAdmin):
    list_display = [
        "reference",
        "customer",
        "service_label",
        "status",
        "location",
        "reported_at",
        "repair_due_at",
        "repair",
        customer_messages.customer_replied,
    ]
    list_filter = [RepairFilter, customer_messages.WaitingFilter, "status", "location", "channel"]
    list_select_related = ["customer", "service__product"]
    search_fields = ["customer__username", "customer__full_name", "customer__postcode", "description"]
    inlines = [CheckInline, SlotInline, ChargeInline, EventInline]
    change_form_template = "admin/portal/case_change_form.html"
    change_list_template = "admin/faults/fault/change_list.html"
    fields = [
        "customer",
        "service",
        "visit_details",
        "channel",
        "reported_at",
        "recorded_by",
        "status",
        "location",
        "description",
        "repair_due_at",
        "resolved_at",
        "closed_at",
        "ack_message",
        "alert_level",
        "customer_waiting_since",
    ]
    readonly_fields = fields

    reference_prefix = "FLT"
    staff_actions = {
        "location": StaffAction(
            "Where the fault lies",
            LocationForm,
            lambda fault, by, data, now: services.fault_set_location(
                fault=fault, location=data["location"], note=data["note"], by=by, now=now
            ),
            available=lambda fault: fault.status != Status.CLOSED,
        ),
        "status": StaffAction(
            "Change status",
            StatusForm,
            lambda fault, by, data, now: services.fault_set_status(
                fault=fault, to=data["to"], note=data["note"], by=by, now=now
            ),
            available=lambda fault: bool(staff_moves(fault.status)),
        ),
        "offer": StaffAction(
            "Offer visit times",
            OfferSlotsForm,
            lambda fault, by, data, now: services.visit_slots_offer(fault=fault, slots=data["slots"], by=by, now=now),
            available=lambda fault: fault.status == Status.INVESTIGATING,
        ),
        # Linked only while a visit is booked (render_change_form), but its page stays open: it says why
        # there is nothing to record once the outcome is in or the visit was cancelled.
        "outcome": StaffAction("Record the visit outcome", OutcomeForm, _outcome),
        "target": StaffAction(
            "Change the repair target",
            RepairTargetForm,
            lambda fault, by, data, now: services.fault_set_repair_target(
                fault=fault, due_at=data["due_at"], reason=data["reason"], by=by, now=now
            ),
            available=lambda fault: fault.status not in CONCLUDED_STATUSES,
        ),
        "reply": StaffAction(
            "Reply to the customer",
            ReplyForm,
            lambda fault, by, data, now: services.fault_reply(fault=fault, by=by, text=data["text"], now=now),
        ),
        "note": StaffAction(
            "Add an internal note",
            NoteForm,
            lambda fault, by, data, now: services.fault_add_note(fault=fault, by=by, text=data["text"], now=now),
        ),
    }
    # Customer services answer the phone line the Code gives for faults: recording is adding a fault.
    record = StaffAction("Record a fault reported by phone or email", RecordFaultForm, _record)

    @admin.display(description="Reference", ordering="pk")
    def reference(self, obj):
        return obj.reference

    @admin.display(description="For a visit")
    def visit_details(self, obj):
        """What an engineer needs to attend, on the fault itself: engineers do not open customers' records
        (accounts/groups.py). The contact for visits is the one the customer keeps on the service."""
        customer, service = obj.customer, obj.service
        name = customer.display_name or customer.username
        contact = ", ".join(part for part in [service.fault_contact_name, service.fault_contact_phone] if part)
        lines = [
            ("Customer", name),
            (
                "Service address",
                ", ".join([*(line.strip() for line in service.address.splitlines() if line.strip()), service.postcode]),
            ),
            ("Contact for visits", contact or "None given: call the customer"),
            ("Customer's phone", customer.phone or "None given"),
        ]
        return format_html_join(mark_safe("<br>"), "{}: {}", lines)

    @admin.display(description="Service", ordering="service")
    def service_label(self, obj):
        return f"{obj.service.label} ({obj.service.postcode})"

    @admin.display(description="Repair")
    def repair(self, obj):
        return deadline_cell(
            sla.state(
                due_at=obj.repair_due_at,
                done_at=obj.resolved_at,
                now=clock.now(),
                at_risk_office_hours=policy_values.value("FAULT_AT_RISK_OFFICE_HOURS"),
            )
        )

    def has_delete_permission(self, request, obj=None):
        return False  # a fault is a record we keep

    def record_initial(self, request):
        return {"reported_at": clock.now().replace(second=0, microsecond=0)}

    def recorded_message(self, fault):
        return f"Fault {fault.reference} recorded; repair target {short_datetime(fault.repair_due_at)}."

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        if obj is not None and obj.status != Status.VISIT_BOOKED:
            context["staff_actions"] = [
                (name, title) for name, title in context.get("staff_actions", ()) if name != "outcome"
            ]
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)


@admin.register(VisitCharge)
class VisitChargeAdmin(StaffActionsMixin, LinksOnlyWhereAllowed, BigTableAdmin, admin.ModelAdmin):
    list_display = [
        "fault_reference",
        "customer",
        "description",
        "amount",
        "status",
        "created_at",
        "invoice_reference",
        "waived_reason",
    ]
    list_filter = ["status"]
    list_select_related = ["fault", "customer"]
    search_fields = ["customer__username", "customer__full_name", "invoice_reference"]
    change_form_template = "admin/portal/case_change_form.html"
    fields = [
        "fault",
        "visit",
        "customer",
        "description",
        "amount",
        "vat_rate",
        "status",
        "created_at",
        "waived_reason",
        "waived_by",
        "waived_at",
        "invoice_reference",
        "invoiced_at",
    ]
    readonly_fields = fields

    staff_actions = {
        "waive": StaffAction(
            "Waive this charge",
            WaiveForm,
            lambda charge, by, data, now: services.visit_charge_waive(
                charge=charge, by=by, reason=data["reason"], now=now
            ),
            available=lambda charge: charge.status == ChargeStatus.PENDING,
        ),
    }

    @admin.display(description="Fault", ordering="fault")
    def fault_reference(self, obj):
        return obj.fault.reference

    def has_add_permission(self, request):
        return False  # made only by a chargeable visit outcome

    def has_delete_permission(self, request, obj=None):
        return False
