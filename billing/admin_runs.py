"""The Accounts team's billing runs and one-off charges in the admin.

Runs: start one (a month, for every account or one), watch it as a worker does it (accounts done of total,
invoices issued, failures, each failed account with the reason), and nothing else: a run is never edited or
deleted. One-off charges and credits: added for the next invoice, cancelled while still waiting.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.utils.html import format_html

from billing.models import ChargeStatus, RunFailure, RunStatus
from billing.services import account_charges, runs
from portal.admin_actions import StaffAction, StaffActionForm, StaffActionsMixin
from portal.workflow import Refused


def _customer(username):
    customer = get_user_model().objects.filter(username=(username or "").strip().lower(), is_staff=False).first()
    if customer is None:
        raise Refused(f"No customer has the account username “{username}”.", field="customer")
    return customer


class StartRunForm(StaffActionForm):
    period = forms.CharField(
        label="Month", max_length=7, help_text="The month billed in advance: YYYY-MM, e.g. 2027-01."
    )
    customer = forms.CharField(
        label="Account username",
        max_length=150,
        required=False,
        help_text="Only this account; empty for every account.",
    )


def _start_run(_, by, data, now):
    period = runs.parse_period(data["period"])
    customer = _customer(data["customer"]) if data.get("customer") else None
    return runs.run_create(period=period, customer=customer, by=by, now=now)


class RunFailureInline(admin.TabularInline):
    model = RunFailure
    fields = ["customer", "error", "at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class BillingRunAdmin(StaffActionsMixin, admin.ModelAdmin):
    list_display = [
        "__str__",
        "status",
        "progress",
        "invoices_issued",
        "failures",
        "started_by",
        "created_at",
        "finished_at",
    ]
    list_filter = ["status", "period"]
    list_select_related = ["customer", "started_by"]
    readonly_fields = [
        "period",
        "customer",
        "status",
        "progress",
        "invoices_issued",
        "failures",
        "started_by",
        "created_at",
        "started_at",
        "finished_at",
    ]
    fields = readonly_fields
    inlines = [RunFailureInline]
    record = StaffAction("Start a billing run", StartRunForm, _start_run)

    @admin.display(description="Accounts done")
    def progress(self, run):
        if run.status == RunStatus.QUEUED:
            return "Waiting for a worker"
        return format_html("{} of {}", run.accounts_done, run.accounts_total)

    def recorded_message(self, run):
        return f"{run} started: a worker invoices its accounts; this page shows its progress."

    def has_change_permission(self, request, obj=None):
        return False  # a run is a record of what was done

    def has_delete_permission(self, request, obj=None):
        return False


class AccountChargeForm(StaffActionForm):
    customer = forms.CharField(label="Account username", max_length=150)
    description = forms.CharField(max_length=300, help_text="Printed on the invoice.")
    amount = forms.CharField(max_length=12, help_text="Excluding VAT; negative for a credit, e.g. -10.00.")


def _add_charge(_, by, data, now):
    return account_charges.account_charge_add(
        customer=_customer(data["customer"]), description=data["description"], amount=data["amount"], by=by, now=now
    )


class AccountChargeAdmin(StaffActionsMixin, admin.ModelAdmin):
    list_display = ["customer", "description", "amount", "vat_rate", "status", "invoice", "created_by", "created_at"]
    list_filter = ["status"]
    search_fields = ["customer__username", "customer__full_name", "description"]
    list_select_related = ["customer", "created_by", "invoice_line__invoice"]
    readonly_fields = ["customer", "service", "description", "amount", "vat_rate", "status", "created_by", "created_at"]
    fields = readonly_fields
    actions = ["cancel_charges"]
    record = StaffAction("Add a one-off charge or credit", AccountChargeForm, _add_charge)

    @admin.display(description="Invoice")
    def invoice(self, charge):
        line = getattr(charge, "invoice_line", None)
        return line.invoice.number if line is not None else "-"

    def recorded_message(self, charge):
        return f"{charge} added: the next invoice of {charge.customer.username} carries it."

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("billing.change_accountcharge") and obj is None  # the list's action only

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Cancel the selected charges still waiting for an invoice")
    def cancel_charges(self, request, queryset):
        done = sum(account_charges.account_charge_cancel(charge=c) for c in queryset)
        kept = queryset.exclude(status__in=[ChargeStatus.PENDING, ChargeStatus.CANCELLED]).count()
        self.message_user(request, f"{done} charge(s) cancelled.", messages.SUCCESS)
        if kept:
            self.message_user(
                request, f"{kept} charge(s) already on an invoice: correct those with a credit note.", messages.WARNING
            )
