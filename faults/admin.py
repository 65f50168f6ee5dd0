"""Faults in the staff admin: the list with repair targets at risk and overdue, action pages that call
one service each, a record page for phoned and emailed faults, and abortive-visit charges with waivers.

Engineers have every faults permission (accounts/groups.py); customer services may look, not act.
"""

import re

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from faults import services
from portal import clock
from faults.admin_forms import (
    LocationForm,
    NoteForm,
    OfferSlotsForm,
    OutcomeForm,
    RecordFaultForm,
    RepairTargetForm,
    StatusForm,
    WaiveForm,
)
from faults.models import ChargeStatus, Fault, FaultCheck, FaultEvent, Status, VisitCharge, VisitSlot
from portal import customer_messages
from portal import policy as policy_values
from portal import sla
from portal.admin_links import LinksOnlyWhereAllowed
from portal.formats import price_text, short_datetime
from portal.forms import add_refusal
from portal.workflow import Refused


class RepairFilter(sla.admin_filter(
    title="repair target", parameter_name="repair", due_field="repair_due_at", done_field="resolved_at",
    at_risk_office_hours=lambda: policy_values.value("FAULT_AT_RISK_OFFICE_HOURS"),
)):
    """sla's filter, read on the portal clock, so the filter and the Repair column always agree."""

    def queryset(self, request, queryset):
        if self.value() in (sla.OVERDUE, sla.AT_RISK, sla.DUE, sla.LATE):
            return queryset.filter(sla.open_q(due_field="repair_due_at", done_field="resolved_at", which=self.value(),
                                              at_risk_office_hours=policy_values.value("FAULT_AT_RISK_OFFICE_HOURS"),
                                              now=clock.now()))
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
    fields = ["date", "window", "status", "offered_by", "accepted_at", "charge_warning_shown_amount", "outcome",
              "outcome_at", "outcome_by"]
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
    fields = ["at", "kind", "text", "internal", "by"]
    readonly_fields = fields
    ordering = ["at", "id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")


def _outcome(fault, by, data):
    visit = services.booked_visit(fault)
    if visit is None:
        raise Refused("No visit is booked for this fault: the customer has not accepted a time.")
    return services.visit_record_outcome(visit=visit, outcome=data["outcome"], notes=data["notes"], by=by,
                                         now=clock.now())


ACTIONS = {
    # name: (form class, title, service call)
    "location": (LocationForm, "Where the fault lies",
                 lambda f, by, d: services.fault_set_location(fault=f, location=d["location"], note=d["note"], by=by,
                                                              now=clock.now())),
    "status": (StatusForm, "Change status",
               lambda f, by, d: services.fault_set_status(fault=f, to=d["to"], note=d["note"], by=by, now=clock.now())),
    "offer": (OfferSlotsForm, "Offer visit times",
              lambda f, by, d: services.visit_slots_offer(fault=f, slots=d["slots"], by=by, now=clock.now())),
    "outcome": (OutcomeForm, "Record the visit outcome", _outcome),
    "target": (RepairTargetForm, "Change the repair target",
               lambda f, by, d: services.fault_set_repair_target(fault=f, due_at=d["due_at"], reason=d["reason"],
                                                                 by=by, now=clock.now())),
    "reply": (NoteForm, "Reply to the customer (they see it, and get it by email or letter)",
              lambda f, by, d: services.fault_reply(fault=f, by=by, text=d["text"], now=clock.now())),
    "note": (NoteForm, "Add an internal note",
             lambda f, by, d: services.fault_add_note(fault=f, by=by, text=d["text"], now=clock.now())),
}


def _context(model_admin, request, **extra):
    return {**model_admin.admin_site.each_context(request), "opts": model_admin.model._meta, **extra}


@admin.register(Fault)
class FaultAdmin(LinksOnlyWhereAllowed, admin.ModelAdmin):
    list_display = ["reference", "customer", "service_label", "status", "location", "reported_at", "repair_due_at",
                    "repair", "customer_replied"]
    list_filter = [RepairFilter, customer_messages.WaitingFilter, "status", "location", "channel"]
    list_select_related = ["customer", "service__product"]
    search_fields = ["customer__username", "customer__full_name", "customer__postcode", "description"]
    inlines = [CheckInline, SlotInline, ChargeInline, EventInline]
    change_form_template = "admin/faults/fault/change_form.html"
    change_list_template = "admin/faults/fault/change_list.html"
    fields = ["customer", "service", "visit_details", "channel", "reported_at", "recorded_by", "status", "location",
              "description", "repair_due_at", "resolved_at", "closed_at", "ack_message", "alert_level",
              "customer_waiting_since"]
    readonly_fields = fields

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
            ("Service address", ", ".join([*(line.strip() for line in service.address.splitlines() if line.strip()),
                                           service.postcode])),
            ("Contact for visits", contact or "None given: call the customer"),
            ("Customer's phone", customer.phone or "None given"),
        ]
        return format_html_join(mark_safe("<br>"), "{}: {}", lines)

    @admin.display(description="Service", ordering="service")
    def service_label(self, obj):
        return f"{obj.service.label} ({obj.service.postcode})"

    @admin.display(description="Repair")
    def repair(self, obj):
        state = sla.state(due_at=obj.repair_due_at, done_at=obj.resolved_at, now=clock.now(),
                          at_risk_office_hours=policy_values.value("FAULT_AT_RISK_OFFICE_HOURS"))
        # Coloured by portal/assets/portal/admin.css: no style attribute (the Content-Security-Policy).
        return format_html('<span class="deadline deadline-{}">{}</span>', state or "none", sla.LABELS.get(state, ""))

    @admin.display(description="Customer replied", ordering="customer_waiting_since")
    def customer_replied(self, obj):
        return customer_messages.admin_column(obj)

    def get_search_results(self, request, queryset, search_term):
        match = re.fullmatch(r"\s*(?:FLT-?)?0*(\d+)\s*", search_term, re.IGNORECASE)
        if match and (search_term.strip().upper().startswith("FLT") or len(match.group(1)) <= 6):
            return queryset.filter(pk=int(match.group(1))), False
        return super().get_search_results(request, queryset, search_term)

    def has_delete_permission(self, request, obj=None):
        return False  # a fault is a record we keep

    def add_view(self, request, form_url="", extra_context=None):
        return redirect("admin:faults_fault_record")

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("record/", wrap(self.record_view), name="faults_fault_record"),
            path("<int:pk>/act/<str:action>/", wrap(self.action_view), name="faults_fault_action"),
        ] + super().get_urls()

    def record_view(self, request):
        # Customer services answer the phone line the Code gives for faults: recording is adding a fault.
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = RecordFaultForm(request.POST or None,
                               initial={"reported_at": timezone.localtime(clock.now()).replace(second=0, microsecond=0)})
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                fault = services.fault_report(
                    customer=data["service"].customer, service=data["service"], channel=data["channel"],
                    description=data["description"], reported_at=data["reported_at"], recorded_by=request.user,
                    now=clock.now())
            except Refused as refusal:
                add_refusal(form, refusal)
            else:
                self.message_user(request, f"Fault {fault.reference} recorded; repair target "
                                           f"{short_datetime(fault.repair_due_at)}.")
                return redirect("admin:faults_fault_change", fault.pk)
        return TemplateResponse(request, "admin/faults/fault/action.html",
                                _context(self, request, form=form, title="Record a fault reported by phone or email"))

    def action_view(self, request, pk, action):
        fault = get_object_or_404(Fault.objects.select_related("customer", "service__product"), pk=pk)
        if action not in ACTIONS or not self.has_change_permission(request, fault):
            raise PermissionDenied
        form_class, title, call = ACTIONS[action]
        form = form_class(request.POST or None, fault=fault)
        if request.method == "POST" and form.is_valid():
            try:
                call(fault, request.user, form.cleaned_data)
            except Refused as refusal:
                add_refusal(form, refusal)
            else:
                self.message_user(request, f"{title}: done.", messages.SUCCESS)
                return redirect("admin:faults_fault_change", fault.pk)
        return TemplateResponse(request, "admin/faults/fault/action.html",
                                _context(self, request, form=form, title=f"{title}: {fault.reference}", fault=fault))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        fault = self.get_object(request, unquote(object_id))
        actions = [(name, title) for name, (_, title, _) in ACTIONS.items()
                   if name != "outcome" or (fault and fault.status == Status.VISIT_BOOKED)]
        extra_context = {**(extra_context or {}), "fault_actions": actions,
                         "can_act": self.has_change_permission(request, fault)}
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(VisitCharge)
class VisitChargeAdmin(LinksOnlyWhereAllowed, admin.ModelAdmin):
    list_display = ["fault_reference", "customer", "description", "amount", "status", "created_at",
                    "invoice_reference", "waived_reason"]
    list_filter = ["status"]
    list_select_related = ["fault", "customer"]
    search_fields = ["customer__username", "customer__full_name", "invoice_reference"]
    change_form_template = "admin/faults/visitcharge/change_form.html"
    fields = ["fault", "visit", "customer", "description", "amount", "vat_rate", "status", "created_at",
              "waived_reason", "waived_by", "waived_at", "invoice_reference", "invoiced_at"]
    readonly_fields = fields

    @admin.display(description="Fault", ordering="fault")
    def fault_reference(self, obj):
        return obj.fault.reference

    def has_add_permission(self, request):
        return False  # made only by a chargeable visit outcome

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [path("<int:pk>/waive/", wrap(self.waive_view), name="faults_visitcharge_waive")] + super().get_urls()

    def waive_view(self, request, pk):
        charge = get_object_or_404(VisitCharge.objects.select_related("fault", "customer"), pk=pk)
        if not self.has_change_permission(request, charge):
            raise PermissionDenied
        form = WaiveForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.visit_charge_waive(charge=charge, by=request.user, reason=form.cleaned_data["reason"],
                                            now=clock.now())
            except Refused as refusal:
                add_refusal(form, refusal)
            else:
                self.message_user(request, f"Charge for {charge.fault.reference} waived; the customer is told why.")
                return redirect("admin:faults_visitcharge_change", charge.pk)
        return TemplateResponse(request, "admin/faults/fault/action.html", _context(
            self, request, form=form, fault=charge.fault, title=f"Waive the charge of {price_text(charge.amount, rate=charge.vat_rate)}"))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        charge = self.get_object(request, unquote(object_id))
        pending = charge is not None and charge.status == ChargeStatus.PENDING
        extra_context = {**(extra_context or {}),
                         "can_waive": pending and self.has_change_permission(request)}
        return super().change_view(request, object_id, form_url, extra_context)
