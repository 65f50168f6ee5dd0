"""Staff's side: the catalogue, orders with their confirmation deadline, services, cancellations, quotes.

Statuses are read-only here: every move goes through orders/services, as the staff actions of an order
and of a cancellation (portal/admin_actions.py: a page each on the case, and the same as changelist
actions) and the add forms call them, so each one is checked against the transition mappings and leaves
an event and a message.
"""

from django import forms
from django.contrib import admin, messages

from orders import services
from orders.admin_forms import CancellationAddForm, OrderAddForm, ReasonForm
from orders.models import (
    CANCELLATION_TRANSITIONS,
    ORDER_TRANSITIONS,
    Cancellation,
    CancellationStatus,
    Order,
    OrderEvent,
    OrderStatus,
    PriceListRequest,
    Product,
    QuoteRequest,
    Service,
    ServiceEvent,
)
from portal import clock, policy, sla
from portal.admin_actions import StaffAction, StaffActionForm, StaffActionsMixin, deadline_cell
from portal.admin_links import LinksOnlyWhereAllowed
from portal.admin_scale import BigTableAdmin
from portal.admin_widgets import AutocompleteAdminMixin
from portal.formats import day_text, short_datetime
from portal.workflow import allowed_moves


class ProductListForm(forms.ModelForm):
    """The price list's editable cells, each named for screen readers ("Monthly price: FTTC fibre
    broadband"): a column heading is not a label (WCAG 1.3.1, 4.1.2)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["aria-label"] = f"{field.label}: {self.instance.name}"


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "family",
        "monthly_price",
        "setup_fee",
        "price_on_request",
        "minimum_term_months",
        "setup_working_days",
        "cancellation_needs_industry_process",
        "cancellation_lead_working_days",
        "is_active",
    ]
    list_editable = ["monthly_price", "setup_fee", "is_active"]

    def get_changelist_form(self, request, **kwargs):
        return super().get_changelist_form(request, form=ProductListForm, **kwargs)

    list_filter = ["family", "is_active", "price_on_request"]
    search_fields = ["name", "code"]
    fieldsets = [
        (None, {"fields": ["name", "code", "family", "description", "position", "is_active"]}),
        ("Prices, excluding VAT", {"fields": ["price_on_request", "monthly_price", "setup_fee"]}),
        (
            "Contract",
            {
                "fields": [
                    "minimum_term_months",
                    "setup_working_days",
                    "cancellation_needs_industry_process",
                    "cancellation_lead_working_days",
                ]
            },
        ),
    ]

    def has_delete_permission(self, request, obj=None):
        return False  # orders and services keep pointing at it: take it off sale instead


class _Timeline(admin.TabularInline):
    fields = ["at", "text", "by", "email"]  # email: the customer's email it came from
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["at", "id"]

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by", "email")


class OrderEventInline(_Timeline):
    model = OrderEvent
    verbose_name_plural = "timeline"


class ServiceEventInline(_Timeline):
    model = ServiceEvent
    verbose_name_plural = "timeline"


def _at_risk_hours():
    return policy.value("ORDER_AT_RISK_OFFICE_HOURS")


def _can_become(transitions, status):
    """Offered only where the case's transitions allow the move."""
    return lambda case: status in allowed_moves(transitions, case.status)


ORDER_ACTIONS = {
    "confirm": StaffAction(
        "Confirm the order",
        StaffActionForm,
        lambda order, by, data, now: services.order_confirm(order=order, by=by, now=now),
        available=_can_become(ORDER_TRANSITIONS, OrderStatus.CONFIRMED),
        bulk="Confirm: accept the selected orders",
    ),
    "start_work": StaffAction(
        "Start work",
        StaffActionForm,
        lambda order, by, data, now: services.order_start(order=order, by=by, now=now),
        available=_can_become(ORDER_TRANSITIONS, OrderStatus.IN_PROGRESS),
        bulk="Start work on the selected orders",
    ),
    "complete": StaffAction(
        "Complete the order (the service starts today)",
        StaffActionForm,
        lambda order, by, data, now: services.order_complete(order=order, by=by, now=now),
        available=_can_become(ORDER_TRANSITIONS, OrderStatus.COMPLETED),
        bulk="Complete the selected orders (the service starts today)",
    ),
    "cancel": StaffAction(
        "Cancel the order",
        ReasonForm,
        lambda order, by, data, now: services.order_cancel(order=order, by=by, reason=data["reason"], now=now),
        available=_can_become(ORDER_TRANSITIONS, OrderStatus.CANCELLED),
        bulk="Cancel the selected orders (give a reason)",
    ),
    "reject": StaffAction(
        "Reject the order",
        ReasonForm,
        lambda order, by, data, now: services.order_reject(order=order, by=by, reason=data["reason"], now=now),
        available=_can_become(ORDER_TRANSITIONS, OrderStatus.REJECTED),
        bulk="Reject the selected orders (give a reason)",
    ),
}


class EnteredByStaff:
    """A case staff type in from a call, an email or a letter (a phoned order, a written cancellation): the
    add page is `add_form`, received now unless they say otherwise, saved as usual; once saved the case
    only reads, and moves through its staff actions."""

    add_form = None
    add_form_template = "admin/change_form.html"

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return self.add_form.Meta.fields if obj is None else self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_changeform_initial_data(self, request):
        return {"received_at": clock.now(), **super().get_changeform_initial_data(request)}


@admin.register(Order)
class OrderAdmin(
    EnteredByStaff, StaffActionsMixin, LinksOnlyWhereAllowed, AutocompleteAdminMixin, BigTableAdmin, admin.ModelAdmin
):
    staff_actions = ORDER_ACTIONS
    reference_prefix = "ORD"
    add_form = OrderAddForm
    list_display = ["reference", "customer", "product", "status", "received_at", "confirmation_due_at", "confirmation"]
    list_filter = [
        sla.admin_filter(
            title="confirmation email",
            parameter_name="confirmation",
            due_field="confirmation_due_at",
            # The order's own copy of the message's sent time: the filter reads the order's partial indexes,
            # not a join to the outbox.
            done_field="confirmation_sent_at",
            at_risk_office_hours=_at_risk_hours,
        ),
        "status",
        "channel",
        "product",
    ]
    list_select_related = ["customer", "product", "confirmation_message"]
    search_fields = ["customer__username", "customer__full_name", "customer__company_name", "postcode"]
    autocomplete_fields = ["customer"]
    inlines = [OrderEventInline]
    readonly_fields = [
        "reference",
        "customer",
        "product",
        "channel",
        "status",
        "received_at",
        "confirmation_due_at",
        "confirmation",
        "confirmed_at",
        "completed_at",
        "closed_reason",
        "address",
        "postcode",
        "preferred_start_date",
        "contact_name",
        "contact_phone",
        "contact_email",
        "notes",
        "monthly_price",
        "setup_fee",
        "minimum_term_months",
        "entered_by",
        "alert_level",
        "alerted_at",
        "service_link",
    ]

    def get_inlines(self, request, obj):
        return self.inlines if obj else []

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return  # nothing on an order is edited by hand: statuses move through the actions
        data = form.cleaned_data
        order = services.order_place(
            customer=data["customer"],
            product=data["product"],
            channel=data["channel"],
            received_at=data["received_at"],
            address=data["address"],
            postcode=data["postcode"],
            preferred_start_date=data.get("preferred_start_date"),
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
            contact_email=data["contact_email"],
            notes=data["notes"],
            monthly_price=data.get("monthly_price"),
            setup_fee=data.get("setup_fee"),
            entered_by=request.user,
            now=clock.now(),
        )
        obj.pk = order.pk
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        pass  # no inline is edited by hand

    @admin.display(description="Order", ordering="pk")
    def reference(self, obj):
        return obj.reference

    @admin.display(description="Confirmation")
    def confirmation(self, obj):
        state = services.confirmation_state(obj)
        message = obj.confirmation_message
        if message and message.sent_at:
            return f"{sla.LABELS[state]}: sent {short_datetime(message.sent_at)}"
        return deadline_cell(state)

    @admin.display(description="Service")
    def service_link(self, obj):
        service = getattr(obj, "service", None)
        return service.reference if service else "-"


class CancellationInline(admin.TabularInline):
    model = Cancellation
    fields = ["reference", "channel", "received_at", "quoted_username", "withdrawal_date", "status", "recorded_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="Cancellation")
    def reference(self, obj):
        return obj.reference


@admin.register(Service)
class ServiceAdmin(LinksOnlyWhereAllowed, BigTableAdmin, admin.ModelAdmin):
    list_display = [
        "reference",
        "customer",
        "product",
        "nickname",
        "status",
        "start_date",
        "minimum_term_end",
        "ceased_on",
    ]
    list_filter = ["status", "product"]
    list_select_related = ["customer", "product"]
    search_fields = ["customer__username", "customer__full_name", "customer__company_name", "postcode", "nickname"]
    inlines = [CancellationInline, ServiceEventInline]
    readonly_fields = [
        "reference",
        "customer",
        "product",
        "order",
        "status",
        "address",
        "postcode",
        "start_date",
        "minimum_term_end",
        "monthly_price",
        "ceased_on",
        "nickname",
        "fault_contact_name",
        "fault_contact_phone",
        "alert_email",
        "created_at",
    ]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False  # a service starts when its order is completed

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Nothing to edit by hand: no Save buttons.
        read_only = {"show_save": False, "show_save_and_continue": False, "show_save_and_add_another": False}
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **read_only})

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        pass  # read-only: the customer's control panel and the services make every change

    def save_related(self, request, form, formsets, change):
        pass

    @admin.display(description="Service", ordering="pk")
    def reference(self, obj):
        return obj.reference


@admin.register(Cancellation)
class CancellationAdmin(
    EnteredByStaff, StaffActionsMixin, LinksOnlyWhereAllowed, AutocompleteAdminMixin, BigTableAdmin, admin.ModelAdmin
):
    """Staff record cancellations that came by email or letter; the portal records its own."""

    customer_path = "service__customer"

    staff_actions = {
        "withdraw": StaffAction(
            "Withdraw the request (the customer keeps the service)",
            StaffActionForm,
            lambda cancellation, by, data, now: services.cancellation_withdraw(
                cancellation=cancellation, by=by, now=now
            ),
            available=_can_become(CANCELLATION_TRANSITIONS, CancellationStatus.WITHDRAWN),
            bulk="Withdraw the selected requests (the customer asked to keep the service)",
        ),
    }
    reference_prefix = "CAN"
    add_form = CancellationAddForm
    list_display = [
        "reference",
        "service",
        "customer",
        "channel",
        "received_at",
        "quoted_username",
        "withdrawal_date",
        "status",
    ]
    list_filter = ["status", "channel"]
    list_select_related = ["service__customer", "service__product"]
    search_fields = ["service__customer__username", "service__customer__full_name", "quoted_username"]
    autocomplete_fields = ["service"]
    readonly_fields = [
        "reference",
        "service",
        "channel",
        "received_at",
        "quoted_username",
        "requested_date",
        "withdrawal_date",
        "withdrawal_reason",
        "status",
        "service_status_before",
        "recorded_by",
        "withdrawn_at",
        "completed_at",
    ]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return
        data = form.cleaned_data
        cancellation = services.cancellation_request(
            service=data["service"],
            channel=data["channel"],
            received_at=data["received_at"],
            quoted_username=data["quoted_username"],
            requested_date=data.get("requested_date"),
            recorded_by=request.user,
            now=clock.now(),
        )
        obj.pk = cancellation.pk
        obj.refresh_from_db()
        self.message_user(
            request,
            f"The customer is being told: the service will be withdrawn on {day_text(obj.withdrawal_date)}.",
            messages.INFO,
        )

    @admin.display(description="Cancellation", ordering="pk")
    def reference(self, obj):
        return obj.reference

    @admin.display(description="Customer", ordering="service__customer__username")
    def customer(self, obj):
        return obj.service.customer


@admin.register(QuoteRequest)
class QuoteRequestAdmin(BigTableAdmin, admin.ModelAdmin):
    list_display = ["received_at", "customer", "product", "postcode", "answered_at"]
    list_filter = [("answered_at", admin.EmptyFieldListFilter), "product"]
    list_select_related = ["customer", "product"]
    search_fields = ["customer__username", "customer__full_name", "postcode"]
    readonly_fields = [
        "customer",
        "product",
        "address",
        "postcode",
        "requirements",
        "contact_phone",
        "received_at",
        "answered_at",
        "answered_by",
    ]
    actions = ["mark_answered"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Mark the selected requests as answered (quote sent)", permissions=["change"])
    def mark_answered(self, request, queryset):
        done = sum(services.quote_request_mark_answered(quote=q, by=request.user, now=clock.now()) for q in queryset)
        self.message_user(request, f"{done} request(s) marked as answered.", messages.SUCCESS)


@admin.register(PriceListRequest)
class PriceListRequestAdmin(BigTableAdmin, admin.ModelAdmin):
    list_display = ["received_at", "name", "email", "customer"]
    list_select_related = ["customer"]
    search_fields = ["name", "email"]
    readonly_fields = ["name", "email", "customer", "received_at"]

    def has_add_permission(self, request):
        return False
