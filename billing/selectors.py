"""What views, tasks, exports and the admin read of billing, and what other apps may ask of it.

The balance is derived, never typed: everything issued to the account (invoices) less everything that
reduces it (credit notes and payments). Positive means the customer owes us; negative is credit on the
account, which the next invoice uses (billing.services.payments.credit_apply).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Min, Q, Subquery, Sum

from billing.models import ZERO, CreditNote, Invoice, InvoiceStatus, Payment
from portal import clock


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


def account_summary(customer) -> AccountSummary:
    """The account overview's figures: the balance, the credit held and the next payment due. Three indexed
    aggregates (invoices, payments, credit notes), whatever the history."""
    open_ = Q(status=InvoiceStatus.OPEN)
    first_due = Invoice.objects.filter(open_, customer=customer).order_by("due_date").values("due_date")[:1]
    invoices = Invoice.objects.filter(customer=customer).aggregate(
        invoiced=Sum("total", filter=~Q(status=InvoiceStatus.DRAFT)),
        first_due=Min("due_date", filter=open_),
        next_amount=Sum("outstanding", filter=open_ & Q(due_date=Subquery(first_due))),
    )
    payments = Payment.objects.filter(customer=customer).aggregate(
        paid=Sum("amount"), credit=Sum("unallocated", filter=Q(unallocated__gt=0))
    )
    credited = _sum(CreditNote.objects.filter(customer=customer), "total")
    due = invoices["first_due"]
    return AccountSummary(
        balance=(invoices["invoiced"] or ZERO) - credited - (payments["paid"] or ZERO),
        credit=payments["credit"] or ZERO,
        next_due_date=due,
        next_due_amount=invoices["next_amount"] or ZERO,
        next_due_overdue=bool(due and due < clock.today()),
    )
