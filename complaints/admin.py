import copy
import re

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html

from complaints import report, services
from complaints.forms import DeadlockForm, NoteForm, OwnerForm, RecordComplaintForm, StatusForm
from complaints.models import AdrScheme, Complaint, ComplaintEvent, Status
from portal import customer_messages
from portal import policy as policy_values
from portal import sla
from portal.staff_time import StaffTimeField
from portal.workflow import Refused

_RECEIVED_AT = RecordComplaintForm.base_fields["received_at"]


class StaffRecordComplaintForm(RecordComplaintForm):
    """The record form, with its received time checked as every time staff type is (portal/staff_time.py):
    never in the future, never a mistyped year (year 1 used to be saved)."""

    received_at = StaffTimeField(label=_RECEIVED_AT.label, help_text=_RECEIVED_AT.help_text,
                                 widget=copy.deepcopy(_RECEIVED_AT.widget), input_formats=_RECEIVED_AT.input_formats)


AckFilter = sla.admin_filter(
    title="acknowledgement", parameter_name="ack", due_field="ack_due_at", done_field="acknowledged_at",
    at_risk_office_hours=lambda: policy_values.value("COMPLAINT_AT_RISK_OFFICE_HOURS"),
)


@admin.register(AdrScheme)
class AdrSchemeAdmin(admin.ModelAdmin):
    """The scheme deadlock and ADR letters name. There is always exactly one current scheme: a scheme is
    replaced (add the new one, then make it current) or has its details edited, never deleted or
    switched off, because without one deadlocks are refused and ADR letters wait."""

    list_display = ["name", "phones", "email", "website", "is_current", "updated_at"]
    readonly_fields = ["is_current", "updated_at"]
    change_form_template = "admin/complaints/adrscheme/change_form.html"
    actions = ["make_current"]

    def has_delete_permission(self, request, obj=None):
        return False  # not even for an administrator: retire a scheme by making another one current

    def save_model(self, request, obj, form, change):
        if not change:
            obj.is_current = False  # a new scheme takes over only through make_current, in one swap
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(request, f"{obj.name} is added, not yet current: letters name it once you press "
                                   "\u201cMake this the current scheme\u201d.", messages.INFO)
        return super().response_add(request, obj, post_url_continue)

    def get_urls(self):
        return [
            path("<int:pk>/make-current/", self.admin_site.admin_view(self.make_current_view),
                 name="complaints_adrscheme_make_current"),
        ] + super().get_urls()

    def _make_current(self, request, scheme):
        services.adr_scheme_make_current(scheme=scheme)
        self.message_user(request, f"{scheme.name} is now the current scheme: deadlock and ADR letters name it.",
                          messages.SUCCESS)

    def make_current_view(self, request, pk):
        scheme = get_object_or_404(AdrScheme, pk=pk)
        if request.method != "POST" or not self.has_change_permission(request, scheme):
            raise PermissionDenied
        self._make_current(request, scheme)
        return redirect("admin:complaints_adrscheme_change", scheme.pk)

    @admin.action(description="Make the selected scheme the current one", permissions=["change"])
    def make_current(self, request, queryset):
        schemes = list(queryset[:2])
        if len(schemes) != 1:
            self.message_user(request, "Select exactly one scheme to make current.", messages.ERROR)
            return
        self._make_current(request, schemes[0])

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_make_current": self.has_change_permission(request)}
        return super().change_view(request, object_id, form_url, extra_context)


class EventInline(admin.TabularInline):
    model = ComplaintEvent
    fields = ["at", "kind", "text", "internal", "by"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["at", "id"]

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")


ACTIONS = {
    # name: (form class, title, service call)
    "owner": (OwnerForm, "Assign an owner",
              lambda c, by, d: services.complaint_assign(complaint=c, owner=d["owner"], by=by)),
    "note": (NoteForm, "Add an internal note",
             lambda c, by, d: services.complaint_add_note(complaint=c, by=by, text=d["text"])),
    "reply": (NoteForm, "Reply to the customer",
              lambda c, by, d: services.complaint_reply(complaint=c, by=by, text=d["text"])),
    "status": (StatusForm, "Change status",
               lambda c, by, d: services.complaint_set_status(complaint=c, to=d["to"], by=by, note=d["note"])),
    "deadlock": (DeadlockForm, "Issue a deadlock letter",
                 lambda c, by, d: services.complaint_issue_deadlock(
                     complaint=c, by=by, final_position=d["final_position"], by_email=d["by_email"],
                     by_post=d["by_post"])),
}


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    list_display = ["reference", "customer", "category", "channel", "status", "owner", "received_at", "ack_due_at",
                    "acknowledgement", "customer_replied", "adr_from"]
    list_filter = [AckFilter, customer_messages.WaitingFilter, "status", "category", "channel", "owner"]
    list_select_related = ["customer", "owner"]
    search_fields = ["customer__username", "customer__full_name", "customer__postcode", "what_happened"]
    date_hierarchy = "received_at"
    inlines = [EventInline]
    change_form_template = "admin/complaints/complaint/change_form.html"
    change_list_template = "admin/complaints/complaint/change_list.html"
    fields = ["customer", "category", "service", "channel", "reply_by", "received_at", "recorded_by", "status", "owner",
              "what_happened", "desired_outcome", "ack_due_at", "acknowledged_at", "ack_by_hand", "ack_message",
              "deadlock_position", "deadlocked_at", "adr_from", "adr_letter_at", "resolved_at", "closed_at",
              "customer_waiting_since"]
    readonly_fields = fields

    @admin.display(description="Reference", ordering="pk")
    def reference(self, obj):
        return obj.reference

    @admin.display(description="Acknowledgement")
    def acknowledgement(self, obj):
        state = sla.state(due_at=obj.ack_due_at, done_at=obj.acknowledged_at,
                          at_risk_office_hours=policy_values.value("COMPLAINT_AT_RISK_OFFICE_HOURS"))
        # Coloured by portal/assets/portal/admin.css: no style attribute (the Content-Security-Policy).
        return format_html('<span class="deadline deadline-{}">{}</span>', state or "none", sla.LABELS.get(state, ""))

    @admin.display(description="Customer replied", ordering="customer_waiting_since")
    def customer_replied(self, obj):
        return customer_messages.admin_column(obj)

    def get_search_results(self, request, queryset, search_term):
        match = re.fullmatch(r"\s*(?:CMP-)?0*(\d+)\s*", search_term, re.IGNORECASE)
        if match:
            return queryset.filter(pk=int(match.group(1))), False
        return super().get_search_results(request, queryset, search_term)

    def has_delete_permission(self, request, obj=None):
        return False  # a complaint is a record we keep

    def add_view(self, request, form_url="", extra_context=None):
        return redirect("admin:complaints_complaint_record")

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("record/", wrap(self.record_view), name="complaints_complaint_record"),
            path("report/", wrap(self.report_view), name="complaints_complaint_report"),
            path("<int:pk>/act/<str:action>/", wrap(self.action_view), name="complaints_complaint_action"),
            path("<int:pk>/acknowledge/", wrap(self.acknowledge_view), name="complaints_complaint_acknowledge"),
        ] + super().get_urls()

    def _context(self, request, **extra):
        return {**self.admin_site.each_context(request), "opts": self.model._meta, **extra}

    def record_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        form = StaffRecordComplaintForm(request.POST or None,
                                        initial={"received_at": timezone.localtime().replace(second=0)})
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                complaint = services.complaint_open(
                    customer=data["customer"], category=data["category"], what_happened=data["what_happened"],
                    desired_outcome=data["desired_outcome"], channel=data["channel"], reply_by=data["reply_by"],
                    received_at=data["received_at"], recorded_by=request.user, service=data["service"],
                    acknowledged_by_hand=data["acknowledged_by_hand"])
            except Refused as error:
                form.add_error(None, str(error))
            else:
                self.message_user(request, f"Complaint {complaint.reference} recorded; acknowledgement due "
                                           f"{timezone.localtime(complaint.ack_due_at):%a %d %b %H:%M}.")
                return redirect("admin:complaints_complaint_change", complaint.pk)
        return TemplateResponse(request, "admin/complaints/complaint/action.html",
                                self._context(request, form=form, title="Record a complaint"))

    def action_view(self, request, pk, action):
        complaint = get_object_or_404(Complaint.objects.select_related("customer"), pk=pk)
        if action not in ACTIONS:
            raise Http404("No such action.")
        if not self.has_change_permission(request, complaint):
            raise PermissionDenied
        form_class, title, call = ACTIONS[action]
        form = form_class(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                call(complaint, request.user, form.cleaned_data)
            except Refused as error:
                form.add_error(None, str(error))
            else:
                self.message_user(request, f"{title}: done.", messages.SUCCESS)
                return redirect("admin:complaints_complaint_change", complaint.pk)
        return TemplateResponse(request, "admin/complaints/complaint/action.html",
                                self._context(request, form=form, title=f"{title}: {complaint.reference}",
                                              complaint=complaint))

    def acknowledge_view(self, request, pk):
        complaint = get_object_or_404(Complaint, pk=pk)
        if request.method != "POST" or not self.has_change_permission(request, complaint):
            raise PermissionDenied
        try:
            services.complaint_acknowledge_by_hand(complaint=complaint, by=request.user)
        except Refused as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(request, "Recorded as acknowledged by you; no automatic acknowledgement will follow.")
        return redirect("admin:complaints_complaint_change", complaint.pk)

    def report_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return TemplateResponse(request, "admin/complaints/complaint/report.html",
                                self._context(request, title="Complaints report", report=report.build()))

    def _is_received(self, request, object_id):
        # get_object turns an id that is not a number into None: Django's change view then says it does
        # not exist, instead of the query failing.
        complaint = self.get_object(request, unquote(object_id))
        return complaint is not None and complaint.status == Status.RECEIVED

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "complaint_actions": [
            (name, title) for name, (_, title, _) in ACTIONS.items()],
            "can_ack_by_hand": self._is_received(request, object_id)}
        return super().change_view(request, object_id, form_url, extra_context)
