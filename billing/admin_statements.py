"""Bank statements in the admin, for the Accounts group: the upload page (the import's "Add"), each import's
result page (every line of the file, with what happened to it), and the review list of lines a person must
allocate, each with its suggestions and a page to allocate it to one or more invoices or to ignore it.

Statements show payers' names and our bank account's traffic: the accounts team's work only. Customer
services hold billing.view_* (to answer questions about invoices) but not these pages: viewing them needs
the right to change statement lines, which only Accounts has (accounts/groups.py).
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from billing.forms_statements import LineIgnoreForm, LineResolveForm, StatementUploadForm
from billing.models import LineOutcome, StatementImport, StatementLine, StatementState
from billing.services.statements import (
    STATEMENT_ATTEMPTS,
    StatementError,
    statement_line_ignore,
    statement_line_resolve,
    statement_receive,
)
from billing.statements import LAYOUTS
from portal import clock
from portal.admin_scale import CappedCountPaginator
from portal.formats import gbp, short_datetime
from portal.workflow import Refused

STATEMENT_PERMISSION = "billing.change_statementline"
RESULT_LINES_PER_PAGE = 200


class AccountsOnly:
    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.has_perm(STATEMENT_PERMISSION)

    def has_change_permission(self, request, obj=None):
        return False  # imports and lines change only through the services (the pages below)

    def has_delete_permission(self, request, obj=None):
        return False  # kept for ever: payments point at their lines


@admin.register(StatementImport)
class StatementImportAdmin(AccountsOnly, admin.ModelAdmin):
    list_display = (
        "filename",
        "bank_name",
        "state",
        "imported",
        "imported_by",
        "lines",
        "paid_automatically",
        "for_review_at_import",
        "ignored",
        "still_for_review",
    )
    list_select_related = ("imported_by",)
    list_filter = ("state",)
    search_fields = ("filename",)
    date_hierarchy = "imported_at"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(review_left=Count("lines", filter=Q(lines__outcome=LineOutcome.REVIEW)))
        )

    @admin.display(description="Uploaded", ordering="imported_at")
    def imported(self, statement):
        return short_datetime(statement.imported_at)

    @admin.display(description="Lines", ordering="lines_total")
    def lines(self, statement):
        return statement.lines_total

    @admin.display(description="Paid automatically", ordering="lines_matched")
    def paid_automatically(self, statement):
        return statement.lines_matched

    @admin.display(description="For review at import", ordering="lines_for_review")
    def for_review_at_import(self, statement):
        return statement.lines_for_review

    @admin.display(description="Ignored", ordering="lines_ignored")
    def ignored(self, statement):
        return statement.lines_ignored

    @admin.display(description="Bank")
    def bank_name(self, statement):
        layout = LAYOUTS.get(statement.bank)
        return layout.label if layout else statement.bank

    @admin.display(description="Still for review", ordering="review_left")
    def still_for_review(self, statement):
        if not statement.review_left:
            return "none"
        url = reverse("admin:billing_statementline_changelist") + f"?statement__id__exact={statement.pk}"
        return format_html('<a href="{}">{}</a>', url, statement.review_left)

    def has_add_permission(self, request):
        return request.user.is_active and request.user.has_perm("billing.add_statementimport")

    def add_view(self, request, form_url="", extra_context=None):
        """The upload page: the file, then the import's result page (or the refusal, with nothing recorded)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = StatementUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                statement = statement_receive(
                    file_bytes=upload.read(),
                    filename=upload.name,
                    bank=form.cleaned_data["bank"] or None,
                    by=request.user,
                    now=clock.now(),
                )
            except StatementError as error:
                form.add_error("file", f"Nothing was imported. {error}")
            except Refused as refused:
                form.add_refusal(refused)
            else:
                self.message_user(
                    request,
                    f"Statement {statement.filename} received: {statement.lines_total} lines, being imported now.",
                    messages.SUCCESS,
                )
                return redirect("admin:billing_statementimport_change", statement.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import a bank statement",
            "form": form,
            "layouts": LAYOUTS.values(),
        }
        return TemplateResponse(request, "admin/billing/statement_upload.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The result page: the counts, then every line of the file in order with its outcome."""
        statement = self.get_object(request, object_id)
        if statement is None:
            raise Http404("No such statement import.")
        if not self.has_view_permission(request, statement):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Statement {statement.filename}",
            "statement": statement,
            "bank": self.bank_name(statement),
        }
        if statement.state != StatementState.IMPORTED:
            # Being imported (the page refreshes itself until the worker is done), or failed with nothing recorded.
            context["refresh_seconds"] = 3 if statement.state == StatementState.QUEUED else None
            context["attempts_allowed"] = STATEMENT_ATTEMPTS
            return TemplateResponse(request, "admin/billing/statement_waiting.html", context)
        outcome = request.GET.get("outcome", "")
        lines = (
            statement.lines.select_related("payment", "resolved_by")
            .prefetch_related("payment__allocations__invoice")
            .order_by("line_number")
        )
        if outcome in LineOutcome.values:
            lines = lines.filter(outcome=outcome)
        else:
            outcome = ""
        # A month-end file has thousands of lines: a page of them at a time (the whole file took 1.5 s to draw).
        page = Paginator(lines, RESULT_LINES_PER_PAGE).get_page(request.GET.get("page"))
        context.update(lines=page.object_list, page=page, outcome=outcome, outcomes=LineOutcome.choices)
        return TemplateResponse(request, "admin/billing/statement_result.html", context)


class OutcomeFilter(admin.SimpleListFilter):
    """The review list opens on what still needs a person; the other outcomes are one click away."""

    title = "outcome"
    parameter_name = "outcome"

    def lookups(self, request, model_admin):
        return [
            (LineOutcome.REVIEW, "For review"),
            *[(o, o.label) for o in LineOutcome if o != "review"],
            ("all", "All"),
        ]

    def choices(self, changelist):
        current = self.value() or LineOutcome.REVIEW
        for value, label in self.lookup_choices:
            yield {
                "selected": current == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        value = self.value() or LineOutcome.REVIEW
        return queryset if value == "all" else queryset.filter(outcome=value)


@admin.register(StatementLine)
class StatementLineAdmin(AccountsOnly, admin.ModelAdmin):
    # A table that grows every month: counted up to a cap, never in full (portal/admin_scale.py).
    paginator = CappedCountPaginator
    show_full_result_count = False
    list_display = ("day", "amount_text", "payer", "why", "suggested", "statement_link", "act")
    list_display_links = None
    list_filter = (OutcomeFilter, "statement")
    list_select_related = ("statement",)
    search_fields = ("description", "counterparty")
    ordering = ("date", "id")
    list_per_page = 100

    def has_add_permission(self, request):
        return False

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/resolve/", wrap(self.resolve_view), name="billing_statementline_resolve"),
            path("<int:pk>/ignore/", wrap(self.ignore_view), name="billing_statementline_ignore"),
        ] + super().get_urls()

    @admin.display(description="Date", ordering="date")
    def day(self, line):
        return f"{line.date:%d/%m/%Y}"

    @admin.display(description="Amount", ordering="amount")
    def amount_text(self, line):
        return gbp(line.amount)

    @admin.display(description="Payer and reference")
    def payer(self, line):
        return " · ".join(filter(None, (line.counterparty, line.description)))

    @admin.display(description="Suggestions")
    def suggested(self, line):
        # From the line's own JSON (worked out at import): no query per row.
        if not line.suggestions:
            return "none"
        return format_html(
            "<ol class='statement-suggestions'>{}</ol>",
            format_html_join(
                "",
                "<li>{} {} ({}, {} due): {}</li>",
                (
                    (s["number"], s["customer"], s["username"], gbp(s["outstanding"]), "; ".join(s["reasons"]))
                    for s in line.suggestions[:3]
                ),
            ),
        )

    @admin.display(description="Statement")
    def statement_link(self, line):
        url = reverse("admin:billing_statementimport_change", args=[line.statement_id])
        return format_html('<a href="{}">{}</a>, line {}', url, line.statement.filename, line.line_number)

    @admin.display(description="")
    def act(self, line):
        if line.outcome != LineOutcome.REVIEW:
            return line.get_outcome_display()
        return format_html(
            '<a href="{}">Allocate or ignore</a>', reverse("admin:billing_statementline_resolve", args=[line.pk])
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        line = self.get_object(request, object_id)
        if line is None:
            raise Http404("No such statement line.")
        return redirect("admin:billing_statementline_resolve", line.pk)

    def _line(self, request, pk):
        line = StatementLine.objects.select_related("statement", "payment__customer").filter(pk=pk).first()
        if line is None:
            raise Http404("No such statement line.")
        if not self.has_view_permission(request, line):
            raise PermissionDenied
        return line

    def _page(self, request, line, resolve_form, ignore_form, status=200):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Line {line.line_number} of {line.statement.filename}",
            "line": line,
            "resolve_form": resolve_form,
            "ignore_form": ignore_form,
            "for_review": line.outcome == LineOutcome.REVIEW,
        }
        return TemplateResponse(request, "admin/billing/statement_line.html", context, status=status)

    def resolve_view(self, request, pk):
        """The line, its suggestions, and the allocation form (posting here allocates it)."""
        line = self._line(request, pk)
        form = LineResolveForm(request.POST or None, line=line)
        if request.method == "POST" and line.outcome == LineOutcome.REVIEW and form.is_valid():
            try:
                payment = statement_line_resolve(
                    line=line,
                    allocations=form.cleaned_data["allocations"],
                    customer=form.cleaned_data["customer_user"],
                    by=request.user,
                    now=clock.now(),
                )
            except Refused as refused:
                form.add_refusal(refused)
            else:
                left = f", {gbp(payment.unallocated)} kept as credit" if payment.unallocated else ""
                self.message_user(
                    request,
                    f"Line {line.line_number}: {gbp(payment.amount)} recorded for {payment.customer.username}{left}.",
                    messages.SUCCESS,
                )
                return redirect(self._next_url(line))
        return self._page(request, line, form, LineIgnoreForm())

    def ignore_view(self, request, pk):
        line = self._line(request, pk)
        if request.method != "POST":
            return redirect("admin:billing_statementline_resolve", line.pk)
        form = LineIgnoreForm(request.POST)
        if form.is_valid():
            try:
                statement_line_ignore(line=line, reason=form.cleaned_data["reason"], by=request.user, now=clock.now())
            except Refused as refused:
                form.add_refusal(refused)
            else:
                self.message_user(request, f"Line {line.line_number}: ignored.", messages.SUCCESS)
                return redirect(self._next_url(line))
        return self._page(request, line, LineResolveForm(line=line), form)

    def _next_url(self, line):
        return reverse("admin:billing_statementline_changelist") + f"?statement__id__exact={line.statement_id}"
