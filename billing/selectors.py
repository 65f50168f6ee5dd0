"""What views, tasks, exports and the admin read of billing, and what other apps may ask of it.

The balance is derived, never typed: everything issued to the account (invoices) less everything that
reduces it (credit notes and payments). Positive means the customer owes us; negative is credit on the
account, which the next invoice uses (billing.services.payments.credit_apply).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Sum

from billing.models import ZERO, CreditNote, Invoice, InvoiceStatus, Payment
from portal import clock
from portal.figures import CUSTOMER, DATE, Figure, fetch


def _sum(queryset, field):
    return queryset.aggregate(total=Sum(field))["total"] or ZERO


def account_balance(customer) -> Decimal:
    """What the account owes now (negative: in credit). Indexed sums, whatever the history."""
    return account_summary(customer).balance


def account_credit(customer) -> Decimal:
    """Money received and not yet set against an invoice: used by the next invoice."""
    return _sum(Payment.objects.filter(customer=customer, unallocated__gt=0), "unallocated")


def issued_invoices(*, customer=None):
    """Issued invoices (never drafts), newest first, with what their lists show."""
    invoices = Invoice.objects.exclude(status=InvoiceStatus.DRAFT).select_related("customer")
    return invoices if customer is None else invoices.filter(customer=customer)


def open_invoices(*, customer=None):
    """Issued invoices with something still to pay, oldest due first (payments settle them in that order)."""
    invoices = Invoice.objects.filter(status=InvoiceStatus.OPEN).order_by("due_date", "id")
    return invoices if customer is None else invoices.filter(customer=customer)


def overdue_invoices(*, today=None):
    """Open invoices whose due date has passed (the partial index on open invoices' due dates)."""
    today = today or clock.today()
    return open_invoices().filter(due_date__lt=today)


def open_invoice_by_number(number):
    """The open invoice with this exact number, or None."""
    return Invoice.objects.filter(number=number, status=InvoiceStatus.OPEN).select_related("customer").first()


class State:
    """How an invoice's state reads to a customer and to staff (words and a colour class, never colour alone)."""

    DUE = ("due", "Due")
    PART_PAID = ("part_paid", "Part paid")
    OVERDUE = ("overdue", "Overdue")
    PAID = ("paid", "Paid")
    CREDITED = ("credited", "Credited")
    DRAFT = ("draft", "Draft")


def invoice_state(invoice, *, today=None):
    """(code, words) for an invoice: due, part paid, overdue, paid or credited."""
    today = today or clock.today()
    if invoice.status == InvoiceStatus.DRAFT:
        return State.DRAFT
    if invoice.status == InvoiceStatus.PAID:
        return State.PAID
    if invoice.status == InvoiceStatus.CREDITED:
        return State.CREDITED
    if invoice.due_date and invoice.due_date < today:
        return State.OVERDUE
    if invoice.outstanding < invoice.total:
        return State.PART_PAID
    return State.DUE


@dataclass(frozen=True)
class AccountSummary:
    balance: Decimal
    credit: Decimal
    next_due_date: date | None
    next_due_amount: Decimal
    next_due_overdue: bool = False  # its due date has passed: the page says so rather than "due by" a past day


INVOICES = Invoice._meta.db_table
_FIRST_DUE = f"SELECT MIN(due_date) FROM {INVOICES} WHERE customer_id = %s AND status = %s"

# The account overview's figures (portal/figures.py): everything issued, the first due date of what is still
# to pay and how much falls due that day, payments, credit held and credit notes.
SUMMARY_FIGURES = {
    "invoiced": Figure.total(Invoice, "total", "status <> %s", InvoiceStatus.DRAFT),
    "first_due": Figure(_FIRST_DUE, (CUSTOMER, InvoiceStatus.OPEN), DATE),
    "next_amount": Figure.total(
        Invoice,
        "outstanding",
        f"status = %s AND due_date = ({_FIRST_DUE})",
        InvoiceStatus.OPEN,
        CUSTOMER,
        InvoiceStatus.OPEN,
    ),
    "paid": Figure.total(Payment, "amount"),
    "credit": Figure.total(Payment, "unallocated", "unallocated > 0"),
    "credited": Figure.total(CreditNote, "total"),
}


def summary_from(figures) -> AccountSummary:
    """The AccountSummary from SUMMARY_FIGURES' values."""
    due = figures["first_due"]
    return AccountSummary(
        balance=figures["invoiced"] - figures["credited"] - figures["paid"],
        credit=figures["credit"],
        next_due_date=due,
        next_due_amount=figures["next_amount"],
        next_due_overdue=bool(due and due < clock.today()),
    )


def account_summary(customer) -> AccountSummary:
    """The account overview's figures: the balance, the credit held and the next payment due. One query of
    indexed sums, whatever the history."""
    return summary_from(fetch(customer, SUMMARY_FIGURES))
