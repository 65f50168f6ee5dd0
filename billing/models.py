"""Billing: monthly runs, invoices and credit notes (numbered at issue, never changed), one-off charges,
payments and their allocations, bank statement imports, and the reminder ladder with holds and suspensions.

Money is Decimal to the penny, excluding VAT unless a field says otherwise. The customer's balance is never
typed: it is derived from invoices, credit notes and payments (billing/selectors.py). `Invoice.outstanding`
is kept by the services in the same transaction as each allocation, so the lists staff and customers read
("due", "overdue") are one indexed query, not a sum over every allocation.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from portal.formats import gbp
from portal.models import TimelineEvent

ZERO = Decimal("0.00")


def money(**kwargs):
    return models.DecimalField(max_digits=12, decimal_places=2, **kwargs)


def vat_rate_field(**kwargs):
    return models.DecimalField(max_digits=4, decimal_places=3, **kwargs)


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Waiting for a worker"
    RUNNING = "running", "Running"
    DONE = "done", "Finished"
    DONE_WITH_FAILURES = "failures", "Finished with failures"


class BillingRun(models.Model):
    """One month's invoicing of every account (or of one account). A second run for the same period makes no
    second invoice: Invoice's (customer, period) uniqueness decides, not this row."""

    period = models.DateField(help_text="The first day of the month billed.")
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Only this account; empty for every account.",
    )
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    accounts_total = models.PositiveIntegerField(default=0)
    accounts_done = models.PositiveIntegerField(default=0)
    invoices_issued = models.PositiveIntegerField(default=0)
    failures = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["period", "-created_at"])]

    def __str__(self):
        return f"Billing run {self.period:%B %Y}" + (f" for {self.customer.username}" if self.customer_id else "")


class RunFailure(models.Model):
    """One account a run could not invoice, and why; the run went on with the others."""

    run = models.ForeignKey(BillingRun, on_delete=models.CASCADE, related_name="failure_rows")
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    error = models.TextField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.customer_id}: {self.error[:60]}"


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", "Draft"  # never seen by a customer; no number yet
    OPEN = "open", "Due"  # issued, something still to pay (due, part paid or overdue: see selectors)
    PAID = "paid", "Paid"
    CREDITED = "credited", "Credited"  # a credit note took the whole remainder


class Invoice(models.Model):
    """A UK VAT invoice. Numbered when issued (a gapless sequence in the issuing transaction); once issued it
    never changes: a mistake is corrected by a credit note. What it says about the customer is copied at issue,
    so the stored PDF and the row agree for the six years VAT records are kept."""

    number = models.CharField(max_length=18, unique=True, null=True, blank=True, editable=False)
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="invoices")
    run = models.ForeignKey(BillingRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="invoices")
    period = models.DateField(null=True, blank=True, help_text="The month billed in advance (first day).")
    status = models.CharField(max_length=8, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT)
    created_at = models.DateTimeField(default=timezone.now)
    issued_at = models.DateTimeField(null=True, blank=True)
    issue_date = models.DateField(null=True, blank=True)
    tax_point = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    # The customer as invoiced (copied at issue).
    customer_name = models.CharField(max_length=200, blank=True)
    customer_address = models.TextField(blank=True)
    account_username = models.CharField(max_length=150, blank=True)
    net = money(default=ZERO)
    vat = money(default=ZERO)
    total = money(default=ZERO, help_text="Including VAT.")
    balance_brought_forward = money(
        default=ZERO, help_text="What the account owed (or held in credit) before this invoice."
    )
    outstanding = money(default=ZERO, help_text="Still to pay on this invoice (kept with each allocation).")
    pdf = models.FileField(upload_to="invoices/%Y/%m/", blank=True)
    pdf_rendered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issue_date", "-id"]
        constraints = [
            # One monthly invoice per account per period: a second run, or two runs racing, make no second one.
            models.UniqueConstraint(
                fields=["customer", "period"], condition=Q(period__isnull=False), name="billing_one_invoice_per_period"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(number__isnull=False), name="billing_issued_invoice_has_number"
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "-issue_date"]),
            models.Index(fields=["run", "number"]),
            # The admin's month filter and the accounting CSV's date range read issue dates.
            models.Index(fields=["issue_date"], name="billing_invoice_issue_date"),
            # The few rows the reminder ladder and staff look for: what is still owed, by due date.
            models.Index(fields=["due_date"], condition=Q(status="open"), name="billing_invoice_open_due"),
            # The periodic job's selection: issued invoices whose PDF is not made yet (billing.tasks).
            models.Index(fields=["issued_at"], condition=Q(pdf="") & ~Q(status="draft"), name="billing_invoice_no_pdf"),
        ]

    def __str__(self):
        return self.number or f"Draft invoice for {self.account_username or self.customer_id}"

    @property
    def reference(self):
        return self.number or ""


class LineKind(models.TextChoices):
    SERVICE = "service", "Monthly service"
    SETUP = "setup", "Set-up fee"
    VISIT = "visit", "Engineer visit"
    CHARGE = "charge", "One-off charge"
    CREDIT = "credit", "Credit"


class InvoiceLine(models.Model):
    """One charge on an invoice: description, period, quantity, unit price excluding VAT and VAT rate.
    A charge is billed once: the constraints below make a second line for the same thing impossible."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=8, choices=LineKind.choices)
    position = models.PositiveSmallIntegerField(default=0)
    description = models.CharField(max_length=300)
    service = models.ForeignKey(
        "orders.Service", null=True, blank=True, on_delete=models.PROTECT, related_name="invoice_lines"
    )
    visit_charge = models.OneToOneField(
        "faults.VisitCharge", null=True, blank=True, on_delete=models.PROTECT, related_name="invoice_line"
    )
    account_charge = models.OneToOneField(
        "billing.AccountCharge", null=True, blank=True, on_delete=models.PROTECT, related_name="invoice_line"
    )
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True, help_text="The last day billed (inclusive).")
    quantity = models.DecimalField(max_digits=10, decimal_places=4, default=Decimal("1"))
    unit_price = money(help_text="Excluding VAT.")
    vat_rate = vat_rate_field()
    net = money(help_text="Quantity times unit price, to the penny; excluding VAT.")

    class Meta:
        ordering = ["invoice", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "period_start"],
                condition=Q(kind="service"),
                name="billing_service_billed_once_per_period",
            ),
            models.UniqueConstraint(
                fields=["service"], condition=Q(kind="setup"), name="billing_setup_fee_billed_once"
            ),
        ]

    def __str__(self):
        return self.description


class ChargeStatus(models.TextChoices):
    PENDING = "pending", "Waiting for the next invoice"
    INVOICED = "invoiced", "On an invoice"
    CANCELLED = "cancelled", "Cancelled"


class AccountCharge(models.Model):
    """A one-off charge or credit Accounts staff add to an account; the next invoice carries it. A credit has a
    negative amount. (Set-up fees come from the service's order and abortive visits from faults.VisitCharge.)"""

    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="account_charges")
    service = models.ForeignKey("orders.Service", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=300)
    amount = money(help_text="Excluding VAT; negative for a credit.")
    vat_rate = vat_rate_field()
    status = models.CharField(max_length=9, choices=ChargeStatus.choices, default=ChargeStatus.PENDING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["customer"], condition=Q(status="pending"), name="billing_charge_pending")]

    def __str__(self):
        return f"{self.description} {gbp(self.amount)}"


class CreditNote(models.Model):
    """Corrects an issued invoice: its own gapless series (CRN-...), quoting the invoice, never changed."""

    number = models.CharField(max_length=18, unique=True, editable=False)
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="credit_notes")
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="credit_notes")
    reason = models.TextField()
    issued_at = models.DateTimeField()
    issue_date = models.DateField()
    customer_name = models.CharField(max_length=200, blank=True)
    customer_address = models.TextField(blank=True)
    account_username = models.CharField(max_length=150, blank=True)
    net = money()
    vat = money()
    total = money(help_text="Including VAT.")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    pdf = models.FileField(upload_to="credit-notes/%Y/%m/", blank=True)
    pdf_rendered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issue_date", "-id"]
        indexes = [
            models.Index(fields=["customer", "-issue_date"]),
            # The periodic job's selection: credit notes whose PDF is not made yet (billing.tasks).
            models.Index(fields=["issued_at"], condition=Q(pdf=""), name="billing_credit_note_no_pdf"),
        ]

    def __str__(self):
        return self.number

    @property
    def reference(self):
        return self.number


class CreditNoteLine(models.Model):
    credit_note = models.ForeignKey(CreditNote, on_delete=models.CASCADE, related_name="lines")
    description = models.CharField(max_length=300)
    quantity = models.DecimalField(max_digits=10, decimal_places=4, default=Decimal("1"))
    unit_price = money(help_text="Excluding VAT.")
    vat_rate = vat_rate_field()
    net = money()

    class Meta:
        ordering = ["credit_note", "id"]

    def __str__(self):
        return self.description


class PaymentMethod(models.TextChoices):
    CHEQUE = "cheque", "Cheque"
    TRANSFER = "transfer", "Bank transfer"


class Payment(models.Model):
    """Money received. Allocations put it against invoices; whatever is not allocated is credit on the account,
    used by the next invoice."""

    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payments")
    method = models.CharField(max_length=8, choices=PaymentMethod.choices)
    received_on = models.DateField()
    amount = money()
    reference = models.CharField(max_length=140, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    statement_line = models.OneToOneField(
        "billing.StatementLine", null=True, blank=True, on_delete=models.PROTECT, related_name="payment"
    )
    unallocated = money(default=ZERO, help_text="Credit left on the account from this payment.")

    class Meta:
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["customer", "-received_on"]),
            models.Index(fields=["customer"], condition=Q(unallocated__gt=0), name="billing_payment_with_credit"),
        ]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="billing_payment_positive")]

    def __str__(self):
        return f"{self.get_method_display()} {gbp(self.amount)} on {self.received_on:%d/%m/%Y}"


class Allocation(models.Model):
    """Part of a payment, or of a credit note, set against one invoice. Kept for ever."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="allocations")
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="allocations")
    credit_note = models.ForeignKey(
        CreditNote, null=True, blank=True, on_delete=models.PROTECT, related_name="allocations"
    )
    amount = money()
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="billing_allocation_positive"),
            models.CheckConstraint(
                condition=Q(payment__isnull=False, credit_note__isnull=True)
                | Q(payment__isnull=True, credit_note__isnull=False),
                name="billing_allocation_from_one_source",
            ),
        ]

    def __str__(self):
        return f"{gbp(self.amount)} to invoice {self.invoice_id}"


class StatementState(models.TextChoices):
    QUEUED = "queued", "Being imported"
    IMPORTED = "imported", "Imported"
    FAILED = "failed", "Failed, nothing recorded"


class StatementImport(models.Model):
    """One bank statement file. The same file twice records nothing twice (its hash is unique; each line has a
    fingerprint too, so an overlapping export does not pay a line again).

    Uploaded, the file is read at once (a malformed one is refused) and kept (StatementFile); a worker then
    records its lines and payments (billing/services/statements.py). queued -> imported, or -> failed after
    STATEMENT_ATTEMPTS tries that each recorded nothing (a failed file may be uploaded again)."""

    bank = models.CharField(max_length=20)
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(default=timezone.now, help_text="When the file was uploaded.")
    state = models.CharField(max_length=8, choices=StatementState.choices, default=StatementState.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Tries by the worker that failed.")
    failure = models.CharField(max_length=300, blank=True, help_text="Why the last try failed.")
    finished_at = models.DateTimeField(null=True, blank=True, help_text="When its lines were recorded.")
    lines_total = models.PositiveIntegerField(default=0)
    lines_matched = models.PositiveIntegerField(default=0)
    lines_for_review = models.PositiveIntegerField(default=0)
    lines_ignored = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-imported_at", "-id"]
        constraints = [
            # Once imported (or being imported) a file is never taken in again; a failed one may be.
            models.UniqueConstraint(
                fields=["sha256"], condition=~Q(state="failed"), name="billing_statement_file_once"
            ),
        ]
        indexes = [
            # The periodic job's selection: imports whose task was lost (billing.tasks).
            models.Index(fields=["imported_at"], condition=Q(state="queued"), name="billing_statement_queued"),
        ]

    def __str__(self):
        return f"{self.bank} statement {self.filename}"


class StatementFile(models.Model):
    """The file as the bank exported it, kept with its import: what the worker reads, and the record of what
    the bank said. Its own table, so that listing imports never loads a file."""

    statement = models.OneToOneField(StatementImport, primary_key=True, on_delete=models.CASCADE, related_name="file")
    content = models.BinaryField()

    def __str__(self):
        return f"File of {self.statement_id}"


class LineOutcome(models.TextChoices):
    MATCHED = "matched", "Paid automatically"
    REVIEW = "review", "For review"
    RESOLVED = "resolved", "Allocated by hand"
    IGNORED = "ignored", "Ignored"


class StatementLine(models.Model):
    statement = models.ForeignKey(StatementImport, on_delete=models.CASCADE, related_name="lines")
    line_number = models.PositiveIntegerField(help_text="Line in the file.")
    date = models.DateField()
    amount = money(help_text="Money in is positive; money out negative.")
    description = models.CharField(max_length=500, blank=True)
    counterparty = models.CharField(max_length=200, blank=True)
    fingerprint = models.CharField(max_length=64, unique=True)
    outcome = models.CharField(max_length=8, choices=LineOutcome.choices)
    why = models.CharField(max_length=300, blank=True, help_text="Why it was ignored or needs review.")
    suggestions = models.JSONField(default=list, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["statement", "line_number"]
        indexes = [models.Index(fields=["date"], condition=Q(outcome="review"), name="billing_line_for_review")]

    def __str__(self):
        return f"Line {self.line_number}: {gbp(self.amount)} {self.description[:40]}"


class HoldReason(models.TextChoices):
    PAYMENT_PLAN = "plan", "Payment plan agreed"
    VULNERABLE = "vulnerable", "Customer in vulnerable circumstances"
    DISPUTE = "dispute", "Invoice disputed"


class AccountHold(models.Model):
    """Pauses the reminder ladder for an account (Ofcom: payment plans and care before restricting service)."""

    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="billing_holds")
    reason = models.CharField(max_length=10, choices=HoldReason.choices)
    note = models.TextField(blank=True)
    starts_at = models.DateTimeField(default=timezone.now)
    until = models.DateField(null=True, blank=True, help_text="Empty: until staff end it.")
    ended_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["customer"], condition=Q(ended_at__isnull=True), name="billing_hold_current")]

    def __str__(self):
        return self.get_reason_display()


class SuspensionStatus(models.TextChoices):
    PROPOSED = "proposed", "Waiting for staff to confirm"
    SUSPENDED = "suspended", "Services suspended"
    CANCELLED = "cancelled", "Not suspended"
    RESTORED = "restored", "Services restored"


class Suspension(models.Model):
    """Suspension for non-payment: proposed once the final notice's date has passed, carried out by a staff
    action (or automatically when BILLING_AUTO_SUSPEND is on), lifted when the account is paid."""

    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="suspensions")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="suspensions")
    status = models.CharField(max_length=9, choices=SuspensionStatus.choices, default=SuspensionStatus.PROPOSED)
    suspend_on = models.DateField(help_text="The date named in the final notice.")
    services = models.ManyToManyField("orders.Service", blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    restored_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(status__in=["proposed", "suspended"]),
                name="billing_one_live_suspension_per_account",
            )
        ]

    def __str__(self):
        return f"Suspension for {self.customer_id}: {self.get_status_display()}"


class InvoiceEventKind(models.TextChoices):
    ISSUED = "issued", "Invoice issued"
    SENT = "sent", "Invoice sent"
    PAYMENT = "payment", "Payment received"
    CREDITED = "credited", "Credit note issued"
    REMINDER_1 = "reminder_1", "First reminder"
    REMINDER_2 = "reminder_2", "Second reminder"
    FINAL_NOTICE = "final_notice", "Final notice"
    SUSPENDED = "suspended", "Services suspended"
    RESTORED = "restored", "Services restored"
    NOTE = "note", "Note"


# The ladder's steps: each happens at most once per invoice (the constraint below), whatever races.
LADDER_KINDS = ("reminder_1", "reminder_2", "final_notice")


class InvoiceEvent(TimelineEvent):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=InvoiceEventKind.choices)
    named_date = models.DateField(
        null=True, blank=True, help_text="A final notice: the date it named, after which services may be suspended."
    )

    class Meta(TimelineEvent.Meta):
        indexes = [models.Index(fields=["invoice", "at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "kind"], condition=Q(kind__in=LADDER_KINDS), name="billing_ladder_step_once"
            )
        ]
