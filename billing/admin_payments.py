"""Payments, holds and suspensions in the staff admin.

Accounts staff record a payment on one page (customer, how, when, how much, and the invoices it pays) and
read every payment with its allocations; a payment is never changed or deleted here, only recorded (a
mistake is put right by a further record, so the ledger keeps its history). Customer services may look
(accounts/groups.py gives them billing's view permissions), engineers see nothing of billing.

Suspensions are proposed by the reminder ladder and confirmed, cancelled or lifted by Accounts staff
through their actions; holds are started and ended the same way (portal/admin_actions.py).
"""

from django.contrib import admin
from django.db.models import CharField, Prefetch, Value
from django.db.models.functions import Concat

from billing.admin_invoices import BigTable, NumberSearchMixin
from billing.forms_payments import ConfirmSuspensionForm, EndHoldForm, HoldForm, ReasonForm, RecordPaymentForm
from billing.models import AccountHold, Allocation, Payment, Suspension, SuspensionStatus
from billing.services import dunning, holds
from billing.services.payments import payment_record
from portal import clock
from portal.admin_actions import StaffAction, StaffActionsMixin
from portal.admin_links import LinksOnlyWhereAllowed
from portal.formats import gbp


class AllocationInline(admin.TabularInline):
    model = Allocation
    fk_name = "payment"
    fields = ["invoice", "amount", "at", "by"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = "Set against an invoice"
    verbose_name_plural = "Set against invoices"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("invoice", "by")


class CreditFilter(admin.SimpleListFilter):
    title = "credit left"
    parameter_name = "credit"

    def lookups(self, request, model_admin):
        return [("yes", "Some kept as credit"), ("no", "All set against invoices")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(unallocated__gt=0)
        if self.value() == "no":
            return queryset.filter(unallocated=0)
        return queryset


class SourceFilter(admin.SimpleListFilter):
    title = "recorded from"
    parameter_name = "source"

    def lookups(self, request, model_admin):
        return [("hand", "Recorded by hand"), ("statement", "A bank statement")]

    def queryset(self, request, queryset):
        if self.value() in ("hand", "statement"):
            return queryset.filter(statement_line__isnull=self.value() == "hand")
        return queryset


def _record_payment(_, by, data, now):
    return payment_record(
        customer=data["customer"],
        method=data["method"],
        received_on=data["received_on"],
        amount=data["amount"],
        reference=data["reference"],
        allocations=data["allocations"],
        by=by,
        now=now,
    )


class PaymentAdmin(NumberSearchMixin, StaffActionsMixin, LinksOnlyWhereAllowed, BigTable):
    # A table that grows every month (a payment for nearly every invoice): portal/admin_scale.py's list, with
    # payment references searched through their trigram index and invoice numbers exactly.
    number_lookup = "allocations__invoice__number"
    search_help_text = "An invoice number (however the payer wrote it), a payment's reference, or a customer's name."
    list_display = [
        "received_on",
        "customer",
        "method",
        "amount_paid",
        "invoices_paid",
        "credit_left",
        "reference",
        "recorded_from",
    ]
    list_filter = ["method", CreditFilter, SourceFilter, "received_on"]
    list_select_related = ["customer", "statement_line"]
    search_fields = ["customer__username", "customer__full_name", "reference"]
    inlines = [AllocationInline]
    change_form_template = "admin/portal/case_change_form.html"
    fields = [
        "customer",
        "method",
        "received_on",
        "amount",
        "reference",
        "unallocated",
        "recorded_by",
        "recorded_at",
        "statement_line",
    ]
    readonly_fields = fields
    record = StaffAction("Record a payment", RecordPaymentForm, _record_payment)

    def get_queryset(self, request):
        allocations = Allocation.objects.select_related("invoice").order_by("id")
        return super().get_queryset(request).prefetch_related(Prefetch("allocations", queryset=allocations))

    @admin.display(description="Amount", ordering="amount")
    def amount_paid(self, obj):
        return gbp(obj.amount)

    @admin.display(description="Invoices paid")
    def invoices_paid(self, obj):
        return ", ".join(f"{a.invoice.number} {gbp(a.amount)}" for a in obj.allocations.all()) or "-"

    @admin.display(description="Kept as credit", ordering="unallocated")
    def credit_left(self, obj):
        return gbp(obj.unallocated) if obj.unallocated else "-"

    @admin.display(description="Recorded from")
    def recorded_from(self, obj):
        return "Bank statement" if obj.statement_line_id else "By hand"

    # Recorded, never edited or deleted: the ledger keeps every payment (billing/models.py).
    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def record_initial(self, request):
        return {"received_on": clock.today()}

    def recorded_message(self, payment):
        allocations = list(payment.allocations.select_related("invoice").order_by("id"))
        parts = [
            f"{a.invoice.number} {gbp(a.amount)}"
            + (" (paid in full)" if a.invoice.outstanding == 0 else f" ({gbp(a.invoice.outstanding)} still to pay)")
            for a in allocations
        ]
        text = f"Payment of {gbp(payment.amount)} from {payment.customer.username} recorded"
        text += f": {', '.join(parts)}." if parts else "."
        if payment.unallocated:
            text += f" {gbp(payment.unallocated)} kept as credit on the account."
        return text


def _reference(*parts):
    return Concat(*parts, output_field=CharField())


class SuspensionAdmin(NumberSearchMixin, StaffActionsMixin, LinksOnlyWhereAllowed, BigTable):
    # Every suspension for non-payment ever made: the list of a big table, newest first (portal/admin_scale.py).
    number_lookup = "invoice__number"
    search_help_text = "An invoice number (however it was written), or a customer's username or name."
    list_display = ["reference", "customer", "invoice", "status", "suspend_on", "created_at", "suspended_at"]
    list_filter = ["status"]
    list_select_related = ["customer", "invoice"]
    search_fields = ["customer__username", "customer__full_name"]
    change_form_template = "admin/portal/case_change_form.html"
    fields = [
        "customer",
        "invoice",
        "status",
        "suspend_on",
        "services",
        "created_at",
        "suspended_at",
        "suspended_by",
        "restored_at",
    ]
    readonly_fields = fields
    staff_actions = {
        "confirm": StaffAction(
            "Confirm: suspend the services",
            ConfirmSuspensionForm,
            lambda suspension, by, data, now: dunning.suspension_confirm(suspension=suspension, by=by, now=now),
            available=lambda suspension: suspension.status == SuspensionStatus.PROPOSED,
            bulk="Confirm the selected suspensions",
        ),
        "cancel": StaffAction(
            "Do not suspend",
            ReasonForm,
            lambda suspension, by, data, now: dunning.suspension_cancel(
                suspension=suspension, by=by, reason=data["reason"], now=now
            ),
            available=lambda suspension: suspension.status == SuspensionStatus.PROPOSED,
        ),
        "restore": StaffAction(
            "Restore the services",
            ReasonForm,
            lambda suspension, by, data, now: dunning.suspension_restore(
                suspension=suspension, by=by, reason=data["reason"], now=now
            ),
            available=lambda suspension: suspension.status == SuspensionStatus.SUSPENDED,
        ),
    }

    def get_queryset(self, request):
        # Action pages and messages name a case by its `reference`: the account and the invoice.
        return (
            super()
            .get_queryset(request)
            .annotate(reference=_reference("customer__username", Value(", invoice "), "invoice__number"))
        )

    @admin.display(description="Suspension", ordering="pk")
    def reference(self, obj):
        return obj.reference

    def has_add_permission(self, request):
        return False  # proposed by the reminder ladder only

    def has_delete_permission(self, request, obj=None):
        return False


class AccountHoldAdmin(StaffActionsMixin, LinksOnlyWhereAllowed, admin.ModelAdmin):
    list_display = ["customer", "reason", "starts_at", "until", "ended_at", "in_force"]
    list_filter = ["reason"]
    list_select_related = ["customer"]
    search_fields = ["customer__username", "customer__full_name"]
    change_form_template = "admin/portal/case_change_form.html"
    fields = ["customer", "reason", "note", "starts_at", "until", "ended_at", "created_by"]
    readonly_fields = fields
    record = StaffAction(
        "Put an account on hold",
        HoldForm,
        lambda _, by, data, now: holds.hold_start(
            customer=data["customer"], reason=data["reason"], note=data["note"], until=data["until"], by=by, now=now
        ),
    )
    staff_actions = {
        "end": StaffAction(
            "End the hold",
            EndHoldForm,
            lambda hold, by, data, now: holds.hold_end(hold=hold, by=by, now=now),
            available=lambda hold: hold.ended_at is None and (hold.until is None or hold.until >= clock.today()),
        )
    }

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(reference=_reference("customer__username", Value(" on hold")))

    @admin.display(description="In force", boolean=True)
    def in_force(self, obj):
        return obj.ended_at is None and (obj.until is None or obj.until >= clock.today())

    def has_delete_permission(self, request, obj=None):
        return False

    def recorded_message(self, hold):
        return (
            f"Account {hold.customer.username} is on hold ({hold.get_reason_display().lower()}): no reminders or "
            "suspension until the hold ends."
        )


admin.site.register(Payment, PaymentAdmin)
admin.site.register(Suspension, SuspensionAdmin)
admin.site.register(AccountHold, AccountHoldAdmin)
