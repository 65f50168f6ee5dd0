"""Invoices and credit notes in the staff admin, for the Accounts group (accounts/groups.py).

An issued invoice never changes (a credit note corrects it), so nobody changes or deletes one here: the
page shows it with its lines, allocations, credit notes and timeline. The list is built for a table of a
million rows: filters that use the indexes (status through the partial index on open invoices' due
dates, run, month of issue; no date_hierarchy, which scans for its years and months), an exact search
by number, no full COUNT of the table, the related rows in the same query. From the list staff download
any PDF, a run's or a selection's PDFs as one streamed ZIP (billing/zips.py), and the CSV for the
accounting package (billing/csv_export.py).
"""

import re
from datetime import date, timedelta
from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from billing import access, csv_export, selectors, zips
from billing.models import (
    Allocation,
    BillingRun,
    CreditNote,
    CreditNoteLine,
    Invoice,
    InvoiceEvent,
    InvoiceLine,
    InvoiceStatus,
)
from billing.services.credit_notes import credit_note_issue
from portal import clock
from portal.admin_links import LinksOnlyWhereAllowed
from portal.admin_scale import BigTableAdmin
from portal.forms import RefusalMixin
from portal.workflow import Refused

# --- A list for a big table (easy to swap for a shared one in portal) -----------------------------------


class BigTable(BigTableAdmin, admin.ModelAdmin):
    """The shared list of a big table (portal/admin_scale.py: capped counts, no second count, customer search
    through the trigram indexes), newest first by id: Meta's (-issue_date, -id) would sort the whole table."""

    show_facets = admin.ShowFacets.NEVER  # a count per filter choice is a scan per choice
    ordering = ["-id"]


# --- Filters ---------------------------------------------------------------------------------------------


class StateFilter(admin.SimpleListFilter):
    """The state customers and staff read (billing.selectors.invoice_state). "Overdue", "due" and "part paid"
    are open invoices compared by due date: the partial index on open invoices' due dates."""

    title = "status"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        states = selectors.State
        return [states.DUE, states.PART_PAID, states.OVERDUE, states.PAID, states.CREDITED, states.DRAFT]

    def queryset(self, request, queryset):
        today = clock.today()
        value = self.value()
        if value == selectors.State.OVERDUE[0]:
            return queryset.filter(status=InvoiceStatus.OPEN, due_date__lt=today)
        if value == selectors.State.DUE[0]:
            return queryset.filter(status=InvoiceStatus.OPEN, due_date__gte=today, outstanding__gte=F("total"))
        if value == selectors.State.PART_PAID[0]:
            return queryset.filter(status=InvoiceStatus.OPEN, due_date__gte=today, outstanding__lt=F("total"))
        if value in (InvoiceStatus.PAID, InvoiceStatus.CREDITED, InvoiceStatus.DRAFT):
            return queryset.filter(status=value)
        return queryset


RECENT_RUNS = 24


class RunFilter(admin.SimpleListFilter):
    """The latest runs (a month's run, or one account's); an older run is reached from its own page."""

    title = "billing run"
    parameter_name = "run"

    def lookups(self, request, model_admin):
        runs = BillingRun.objects.select_related("customer").order_by("-period", "-id")[:RECENT_RUNS]
        return [(str(run.pk), _run_label(run)) for run in runs]

    def queryset(self, request, queryset):
        run_id = _int(self.value())
        return queryset if run_id is None else queryset.filter(run_id=run_id)


class IssueMonthFilter(admin.SimpleListFilter):
    """The last twelve months of issue, each a date range on the issue date."""

    title = "issue date"
    parameter_name = "issued"
    months = 12

    def lookups(self, request, model_admin):
        month = clock.today().replace(day=1)
        choices = []
        for _ in range(self.months):
            choices.append((f"{month:%Y-%m}", f"{month:%B %Y}"))
            month = (month.replace(day=1) - timedelta(days=1)).replace(day=1)
        return choices

    def queryset(self, request, queryset):
        month = _month(self.value())
        if month is None:
            return queryset
        following = _next_month(month)
        return queryset.filter(issue_date__gte=month, issue_date__lt=following)


def _next_month(month):
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _month(value):
    match = re.fullmatch(r"(\d{4})-(\d{2})", value or "")
    if not match or not 1 <= int(match.group(2)) <= 12:
        return None
    return date(int(match.group(1)), int(match.group(2)), 1)


def _int(value):
    return int(value) if value and value.isdigit() and len(value) < 12 else None


def _run_label(run):
    label = f"{run.period:%B %Y}"
    return f"{label} ({run.customer.username})" if run.customer_id else label


# --- Search by number ------------------------------------------------------------------------------------


def number_candidates(term, prefix):
    """The numbers a typed term may mean: "INV-000123", "inv 123", "inv123", "000123" and "123" all find
    INV-000123 (exact, case-insensitive, on the unique index). None when the term is not a number."""
    letters = re.escape(prefix.rstrip("-"))
    match = re.fullmatch(rf"\s*(?:({letters})[\s-]*)?0*(\d{{1,12}})\s*", term, re.IGNORECASE)
    if not match:
        return None
    digits = match.group(2)
    return {f"{prefix}{int(digits):06d}", f"{prefix}{digits}", term.strip().upper()}


class NumberSearchMixin:
    """A document number typed into the search (INV-000123, inv 123 or 123) finds its rows exactly, through
    `number_lookup` (a payment's: "allocations__invoice__number"); anything else is searched as the list's
    other words."""

    number_prefix_setting = "INVOICE_PREFIX"
    number_lookup = "number"
    search_help_text = "A number (INV-000123, inv 123 or 123), or a customer's username, name or email."

    def get_search_results(self, request, queryset, search_term):
        numbers = number_candidates(search_term, settings.BILLING[self.number_prefix_setting])
        if numbers is not None:
            # Through a to-many relation (a payment's allocations) a row could come once per match.
            return queryset.filter(**{f"{self.number_lookup}__in": numbers}), "__" in self.number_lookup
        return super().get_search_results(request, queryset, search_term)


# --- Read-only pages -------------------------------------------------------------------------------------


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LineInline(ReadOnlyInline):
    model = InvoiceLine
    fields = ["description", "kind", "period_start", "period_end", "quantity", "unit_price", "vat_rate", "net"]
    readonly_fields = fields
    verbose_name_plural = "Lines"


class AllocationInline(ReadOnlyInline):
    model = Allocation
    fk_name = "invoice"
    fields = ["at", "amount", "payment", "credit_note", "by"]
    readonly_fields = fields
    verbose_name_plural = "Payments and credit set against it"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("payment", "credit_note", "by")


class CreditNoteInline(ReadOnlyInline):
    model = CreditNote
    fields = ["number", "issue_date", "reason", "net", "vat", "total", "download"]
    readonly_fields = fields
    verbose_name_plural = "Credit notes correcting it"

    @admin.display(description="PDF")
    def download(self, obj):
        return _pdf_link(obj, "admin:billing_creditnote_pdf")


class EventInline(ReadOnlyInline):
    model = InvoiceEvent
    fields = ["at", "kind", "text", "by", "message"]
    readonly_fields = fields
    ordering = ["at", "id"]
    verbose_name_plural = "Timeline"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by", "message")


class CreditNoteLineInline(ReadOnlyInline):
    model = CreditNoteLine
    fields = ["description", "quantity", "unit_price", "vat_rate", "net"]
    readonly_fields = fields
    verbose_name_plural = "Lines"


class CreditNoteAllocationInline(AllocationInline):
    fk_name = "credit_note"
    fields = ["at", "amount", "invoice", "by"]
    readonly_fields = fields
    verbose_name_plural = "Set against"

    def get_queryset(self, request):
        return super(AllocationInline, self).get_queryset(request).select_related("invoice", "by")


def _pdf_link(document, url_name):
    if not document.pdf:
        return "Being prepared"
    return format_html('<a href="{}">{}.pdf</a>', reverse(url_name, args=[document.pk]), document.number)


class DocumentAdmin(NumberSearchMixin, LinksOnlyWhereAllowed, BigTable):
    """What invoices and credit notes share: never changed, PDFs to download one at a time or as a ZIP."""

    change_list_template = "admin/billing/invoice_change_list.html"
    actions = ["download_zip"]
    search_fields = ["customer__username", "customer__full_name", "customer__email"]
    pdf_url_name = ""

    class Media:
        css = {"all": ["billing/admin.css"]}

    def has_add_permission(self, request):
        return False  # issued by a billing run or by a credit note, never typed in

    def has_change_permission(self, request, obj=None):
        return False  # an issued invoice never changes: a credit note corrects it

    def has_delete_permission(self, request, obj=None):
        return False  # VAT records are kept for six years

    @admin.display(description="PDF")
    def pdf_link(self, obj):
        return _pdf_link(obj, self.pdf_url_name)

    def _pdf_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        document = get_object_or_404(self.model, pk=pk)
        response = access.stored_pdf(document)
        if response is None:
            self.message_user(request, f"The PDF of {document} is being prepared: try again shortly.", messages.WARNING)
            return redirect(reverse(f"admin:billing_{self.model._meta.model_name}_change", args=[pk]))
        return response

    @admin.action(description="Download the selected PDFs as one ZIP")
    def download_zip(self, request, queryset):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return zips.zip_response(queryset, f"{self.model._meta.verbose_name_plural.replace(' ', '-')}.zip")

    def get_actions(self, request):
        actions = super().get_actions(request)
        return actions if self.has_view_permission(request) else {}


class CsvForm(RefusalMixin, forms.Form):
    start = forms.DateField(label="From (issue or payment date)", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To (inclusive)", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "The end date is before the start date: swap them round.")
        return data


class CreditNoteForm(RefusalMixin, forms.Form):
    amount = forms.DecimalField(
        label="Amount to credit, excluding VAT",
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text="VAT is added at the invoice's rate, as on the invoice.",
    )
    reason = forms.CharField(
        label="Reason (the customer reads it on the credit note)", widget=forms.Textarea(attrs={"rows": 3})
    )


@admin.register(Invoice)
class InvoiceAdmin(DocumentAdmin):
    list_display = [
        "number",
        "customer",
        "issue_date",
        "due_date",
        "total",
        "outstanding",
        "state",
        "run_label",
        "pdf_link",
    ]
    list_filter = [StateFilter, RunFilter, IssueMonthFilter]
    list_select_related = ["customer", "run__customer"]
    inlines = [LineInline, AllocationInline, CreditNoteInline, EventInline]
    pdf_url_name = "admin:billing_invoice_pdf"
    fieldsets = [
        (
            None,
            {"fields": ["number", "state", "customer", "run", "period", "pdf_link", "pdf_rendered_at", "credit_link"]},
        ),
        ("Dates", {"fields": ["issued_at", "issue_date", "tax_point", "due_date"]}),
        ("As invoiced", {"fields": ["customer_name", "customer_address", "account_username"]}),
        ("Money", {"fields": ["net", "vat", "total", "balance_brought_forward", "outstanding"]}),
    ]
    readonly_fields = [f for _, options in fieldsets for f in options["fields"]]

    @admin.display(description="Status")
    def state(self, obj):
        code, words = selectors.invoice_state(obj)
        return format_html('<span class="invoice-state invoice-{}">{}</span>', code, words)

    @admin.display(description="Run", ordering="run")
    def run_label(self, obj):
        return _run_label(obj.run) if obj.run_id else "-"

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/pdf/", wrap(self.invoice_pdf_view), name="billing_invoice_pdf"),
            path("run/<int:run_id>/zip/", wrap(self.run_zip_view), name="billing_invoice_run_zip"),
            path("csv/", wrap(self.csv_view), name="billing_invoice_csv"),
            path("<int:pk>/credit/", wrap(self.credit_view), name="billing_invoice_credit"),
            *super().get_urls(),
        ]

    def invoice_pdf_view(self, request, pk):
        return self._pdf_view(request, pk)

    def credit_view(self, request, pk):
        """An issued invoice never changes: a mistake is corrected by a credit note quoting it (its own
        series, PDF, emailed or posted). Accounts staff issue one here."""
        if not request.user.has_perm("billing.add_creditnote"):
            raise PermissionDenied
        invoice = get_object_or_404(Invoice.objects.select_related("customer"), pk=pk)
        if invoice.status == InvoiceStatus.DRAFT:
            raise Http404("A draft has nothing to credit.")
        form = CreditNoteForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                note = credit_note_issue(
                    invoice=invoice,
                    amount=form.cleaned_data["amount"],
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                    now=clock.now(),
                )
            except Refused as refused:
                form.add_refusal(refused)
            else:
                self.message_user(request, f"Credit note {note.number} issued against {invoice.number}.")
                return redirect(reverse("admin:billing_invoice_change", args=[invoice.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Credit note against {invoice.number}",
            "invoice": invoice,
            "form": form,
        }
        status = 400 if form.is_bound and form.errors else 200
        return TemplateResponse(request, "admin/billing/invoice_credit.html", context, status=status)

    @admin.display(description="Correct it")
    def credit_link(self, obj):
        if obj.status == InvoiceStatus.DRAFT:
            return "-"
        return format_html(
            '<a class="button" href="{}">Issue a credit note</a>',
            reverse("admin:billing_invoice_credit", args=[obj.pk]),
        )

    def run_zip_view(self, request, run_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        run = get_object_or_404(BillingRun, pk=run_id)
        name = f"invoices-{run.period:%Y-%m}-run-{run.pk}.zip"
        return zips.zip_response(Invoice.objects.filter(run=run).exclude(status=InvoiceStatus.DRAFT), name)

    def csv_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = CsvForm(request.GET if "start" in request.GET else None)
        if form.is_bound and form.is_valid():
            return csv_export.csv_response(form.cleaned_data["start"], form.cleaned_data["end"])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Export invoices, credit notes and payments (CSV)",
            "form": form,
        }
        return TemplateResponse(
            request, "admin/billing/invoice_csv.html", context, status=400 if form.is_bound else 200
        )

    def get_ordering(self, request):
        # A run's invoices by number: the (run, number) index serves it. Newest first by id would walk the
        # primary key backwards past every later run's rows (0.9 s for the oldest of 50 runs of 20,000).
        if _int(request.GET.get(RunFilter.parameter_name)) is not None:
            return ["number"]
        return super().get_ordering(request)

    def changelist_view(self, request, extra_context=None):
        run_id = _int(request.GET.get(RunFilter.parameter_name))
        run = BillingRun.objects.select_related("customer").filter(pk=run_id).first() if run_id else None
        extra_context = {
            **(extra_context or {}),
            "zip_run": run,
            "zip_run_label": _run_label(run) if run else "",
            "csv_url": reverse("admin:billing_invoice_csv"),
        }
        return super().changelist_view(request, extra_context)


@admin.register(CreditNote)
class CreditNoteAdmin(DocumentAdmin):
    list_display = ["number", "customer", "issue_date", "invoice_number", "net", "vat", "total", "pdf_link"]
    list_filter = [IssueMonthFilter]
    list_select_related = ["customer", "invoice"]
    inlines = [CreditNoteLineInline, CreditNoteAllocationInline]
    number_prefix_setting = "CREDIT_NOTE_PREFIX"
    search_help_text = "A number (CRN-000123, crn 123 or 123), or a customer's username, name or email."
    pdf_url_name = "admin:billing_creditnote_pdf"
    fieldsets = [
        (None, {"fields": ["number", "invoice", "customer", "reason", "issued_by", "pdf_link", "pdf_rendered_at"]}),
        ("Dates", {"fields": ["issued_at", "issue_date"]}),
        ("As issued", {"fields": ["customer_name", "customer_address", "account_username"]}),
        ("Money", {"fields": ["net", "vat", "total"]}),
    ]
    readonly_fields = [f for _, options in fieldsets for f in options["fields"]]

    @admin.display(description="Corrects invoice", ordering="invoice")
    def invoice_number(self, obj):
        return obj.invoice.number

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/pdf/", wrap(self.credit_note_pdf_view), name="billing_creditnote_pdf"),
            *super().get_urls(),
        ]

    def credit_note_pdf_view(self, request, pk):
        return self._pdf_view(request, pk)
