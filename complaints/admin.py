from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path

from complaints import report, services
from complaints.forms import DeadlockForm, NoteForm, OwnerForm, RecordComplaintForm, StatusForm, staff_moves
from complaints.models import OPEN_STATUSES, AdrScheme, Complaint, ComplaintEvent, Status
from portal import clock, customer_messages, policy, sla
from portal.admin_actions import StaffAction, StaffActionsMixin, deadline_cell
from portal.admin_scale import BigTableAdmin
from portal.formats import short_datetime
from portal.workflow import Refused


def _at_risk_hours():
    return policy.value("COMPLAINT_AT_RISK_OFFICE_HOURS")


AckFilter = sla.admin_filter(
    title="acknowledgement",
    parameter_name="ack",
    due_field="ack_due_at",
    done_field="acknowledged_at",
    at_risk_office_hours=_at_risk_hours,
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
        self.message_user(
            request,
            f"{obj.name} is added, not yet current: letters name it once you press "
            "\u201cMake this the current scheme\u201d.",
            messages.INFO,
        )
        return super().response_add(request, obj, post_url_continue)

    def get_urls(self):
        return [
            path(
                "<int:pk>/make-current/",
                self.admin_site.admin_view(self.make_current_view),
                name="complaints_adrscheme_make_current",
            ),
        ] + super().get_urls()

    def _make_current(self, request, scheme):
        services.adr_scheme_make_current(scheme=scheme, now=clock.now())
        self.message_user(
            request, f"{scheme.name} is now the current scheme: deadlock and ADR letters name it.", messages.SUCCESS
        )

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
    fields = ["at", "kind", "text", "internal", "by", "email"]  # email: the customer's email it came from
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["at", "id"]

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by", "email")


@admin.register(Complaint)
class ComplaintAdmin(StaffActionsMixin, BigTableAdmin, admin.ModelAdmin):
    """Staff work on a complaint only through its actions (portal/admin_actions.py), each one service."""

    reference_prefix = "CMP"
    staff_actions = {
        "owner": StaffAction(
            "Assign an owner",
            OwnerForm,
            lambda complaint, by, data, now: services.complaint_assign(
                complaint=complaint, owner=data["owner"], by=by, now=now
            ),
        ),
        "note": StaffAction(
            "Add an internal note",
            NoteForm,
            lambda complaint, by, data, now: services.complaint_add_note(
                complaint=complaint, by=by, text=data["text"], now=now
            ),
        ),
        "reply": StaffAction(
            "Reply to the customer",
            NoteForm,
            lambda complaint, by, data, now: services.complaint_reply(
                complaint=complaint, by=by, text=data["text"], now=now
            ),
        ),
        "status": StaffAction(
            "Change status",
            StatusForm,
            lambda complaint, by, data, now: services.complaint_set_status(
                complaint=complaint, to=data["to"], by=by, note=data["note"], now=now
            ),
            available=lambda complaint: staff_moves(complaint.status),
        ),
        # Offered while the complaint is unresolved; until it is being investigated the service refuses it
        # and says why, on the form.
        "deadlock": StaffAction(
            "Issue a deadlock letter",
            DeadlockForm,
            lambda complaint, by, data, now: services.complaint_issue_deadlock(
                complaint=complaint,
                by=by,
                final_position=data["final_position"],
                by_email=data["by_email"],
                by_post=data["by_post"],
                now=now,
            ),
            available=lambda complaint: complaint.status in OPEN_STATUSES,
        ),
    }
    record = StaffAction(
        "Record a complaint",
        RecordComplaintForm,
        lambda _, by, data, now: services.complaint_open(
            customer=data["customer"],
            category=data["category"],
            what_happened=data["what_happened"],
            desired_outcome=data["desired_outcome"],
            channel=data["channel"],
            reply_by=data["reply_by"],
            received_at=data["received_at"],
            recorded_by=by,
            service=data["service"],
            acknowledged_by_hand=data["acknowledged_by_hand"],
            now=now,
        ),
    )

    list_display = [
        "reference",
        "customer",
        "category",
        "channel",
        "status",
        "owner",
        "received_at",
        "ack_due_at",
        "acknowledgement",
        customer_messages.customer_replied,
        "adr_from",
    ]
    list_filter = [
        AckFilter,
        customer_messages.WaitingFilter,
        "status",
        "category",
        "channel",
        "owner",
        ("received_at", admin.DateFieldListFilter),
    ]
    list_select_related = ["customer", "owner"]
    search_fields = ["customer__username", "customer__full_name", "customer__postcode", "what_happened"]
    inlines = [EventInline]
    change_form_template = "admin/complaints/complaint/change_form.html"
    change_list_template = "admin/complaints/complaint/change_list.html"
    fields = [
        "customer",
        "category",
        "service",
        "channel",
        "reply_by",
        "received_at",
        "recorded_by",
        "status",
        "owner",
        "what_happened",
        "desired_outcome",
        "ack_due_at",
        "acknowledged_at",
        "ack_by_hand",
        "ack_message",
        "deadlock_position",
        "deadlocked_at",
        "adr_from",
        "adr_letter_at",
        "resolved_at",
        "closed_at",
        "customer_waiting_since",
    ]
    readonly_fields = fields

    @admin.display(description="Reference", ordering="pk")
    def reference(self, obj):
        return obj.reference

    @admin.display(description="Acknowledgement")
    def acknowledgement(self, obj):
        return deadline_cell(
            sla.state(due_at=obj.ack_due_at, done_at=obj.acknowledged_at, at_risk_office_hours=_at_risk_hours())
        )

    def has_delete_permission(self, request, obj=None):
        return False  # a complaint is a record we keep

    def record_initial(self, request):
        return {"received_at": clock.now().replace(second=0, microsecond=0)}

    def recorded_message(self, complaint):
        return f"Complaint {complaint.reference} recorded; acknowledgement due {short_datetime(complaint.ack_due_at)}."

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("report/", wrap(self.report_view), name="complaints_complaint_report"),
            path("<int:pk>/acknowledge/", wrap(self.acknowledge_view), name="complaints_complaint_acknowledge"),
        ] + super().get_urls()

    def acknowledge_view(self, request, pk):
        """The "acknowledged by me" button on a complaint not yet acknowledged (its change page)."""
        complaint = get_object_or_404(Complaint, pk=pk)
        if request.method != "POST" or not self.has_change_permission(request, complaint):
            raise PermissionDenied
        try:
            services.complaint_acknowledge_by_hand(complaint=complaint, by=request.user, now=clock.now())
        except Refused as refused:
            self.message_user(request, refused.message, messages.ERROR)
        else:
            self.message_user(request, "Recorded as acknowledged by you; no automatic acknowledgement will follow.")
        return redirect("admin:complaints_complaint_change", complaint.pk)

    def report_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return TemplateResponse(
            request,
            "admin/complaints/complaint/report.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": "Complaints report",
                "report": report.build(now=clock.now()),
            },
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        complaint = self.get_object(request, unquote(object_id))  # None for an id that is not a number
        extra_context = {
            **(extra_context or {}),
            "can_ack_by_hand": complaint is not None and complaint.status == Status.RECEIVED,
        }
        return super().change_view(request, object_id, form_url, extra_context)
