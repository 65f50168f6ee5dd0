"""Payments and allocations: money received, set against one or more invoices, the rest kept as credit.

Every payment and every allocation is a row kept for ever; an invoice's `outstanding` is lowered in the
same transaction as the allocation that pays it, with the invoice row locked (SELECT ... FOR UPDATE), so two
payments racing for one invoice can never take it below zero: the second sees what the first left.
"""

from decimal import Decimal, InvalidOperation

from django.db import transaction

from billing.models import (
    ZERO,
    Allocation,
    Invoice,
    InvoiceEvent,
    InvoiceEventKind,
    InvoiceStatus,
    Payment,
    PaymentMethod,
)
from portal import clock
from portal.formats import gbp
from portal.workflow import Refused

PENNY = Decimal("0.01")
# A payment larger than this is almost certainly a typing slip (a reference typed into the amount box).
LARGEST_PAYMENT = Decimal("1000000.00")


def validate_amount(value, *, field="amount", what="The amount"):
    """A positive amount of money to the penny, or Refused with the reason."""
    try:
        amount = Decimal(str(value).replace(",", "").replace("£", "").strip())
    except (InvalidOperation, ValueError):
        raise Refused(f"{what} must be a sum of money, for example 42.50.", field=field) from None
    if not amount.is_finite() or amount != amount.quantize(PENNY):
        raise Refused(f"{what} must be in pounds and pence, for example 42.50.", field=field)
    if amount <= 0:
        raise Refused(f"{what} must be more than £0.00.", field=field)
    if amount > LARGEST_PAYMENT:
        raise Refused(f"{what} is more than {gbp(LARGEST_PAYMENT)}: check it.", field=field)
    return amount


def _after_payment_hooks():
    # Others react to money arriving (the reminder ladder restores suspended services once nothing is
    # overdue); they register here rather than this module reaching into them.
    return list(AFTER_PAYMENT)


AFTER_PAYMENT = []


def on_payment(hook):
    """Register `hook(customer, now)` to run inside the transaction that recorded a payment or credit."""
    AFTER_PAYMENT.append(hook)
    return hook


def allocation_make(*, invoice, amount, payment=None, credit_note=None, by=None, now=None):
    """Set `amount` from a payment or a credit note against one invoice. The invoice is locked; more than it
    still owes is refused. Returns the Allocation. Call inside a transaction."""
    now = now or clock.now()
    locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if locked.status == InvoiceStatus.DRAFT:
        raise Refused(f"{locked} has not been issued: nothing can be paid against it yet.")
    if locked.status != InvoiceStatus.OPEN or locked.outstanding <= 0:
        raise Refused(f"Invoice {locked.number} has nothing left to pay.")
    if amount > locked.outstanding:
        raise Refused(
            f"Invoice {locked.number} has only {gbp(locked.outstanding)} left to pay, not {gbp(amount)}.",
            field="allocations",
        )
    allocation = Allocation.objects.create(
        invoice=locked, payment=payment, credit_note=credit_note, amount=amount, at=now, by=by
    )
    locked.outstanding -= amount
    if locked.outstanding == 0:
        locked.status = (
            InvoiceStatus.CREDITED
            if credit_note is not None and not locked.allocations.filter(payment__isnull=False).exists()
            else InvoiceStatus.PAID
        )
    locked.save(update_fields=["outstanding", "status"])
    invoice.outstanding, invoice.status = locked.outstanding, locked.status
    return allocation


def _record_on_timeline(invoice, payment, amount, by, now):
    method = payment.get_method_display().lower()
    left = f"{gbp(invoice.outstanding)} still to pay." if invoice.outstanding else "Paid in full."
    InvoiceEvent.objects.create(
        invoice=invoice,
        kind=InvoiceEventKind.PAYMENT,
        text=f"{gbp(amount)} received by {method} on {payment.received_on:%d/%m/%Y}. {left}",
        by=by,
        at=now,
    )


@transaction.atomic
def payment_record(
    *,
    customer,
    method,
    received_on,
    amount,
    reference="",
    allocations=None,
    by=None,
    statement_line=None,
    now=None,
):
    """Record money received from `customer` and set it against invoices.

    `allocations` is a list of (invoice, amount). None sets the payment against the customer's open invoices,
    oldest due first; an empty list keeps it all as credit. Whatever is not allocated is credit on the
    account (Payment.unallocated), used by the next invoice. Refused, recording nothing, for an impossible
    amount, a date in the future, another customer's invoice, or more than an invoice still owes.
    """
    now = now or clock.now()
    if method not in PaymentMethod.values:
        raise Refused("Choose how the payment was made: cheque or bank transfer.", field="method")
    amount = validate_amount(amount)
    if received_on is None:
        raise Refused("Give the date the payment was received.", field="received_on")
    if received_on > clock.today():
        raise Refused("A payment cannot be received in the future: check the date.", field="received_on")

    if allocations is None:
        allocations = _oldest_first(customer, amount)
    planned = []
    for invoice, part in allocations:
        part = validate_amount(part, field="allocations", what=f"The amount for invoice {invoice.number}")
        if invoice.customer_id != customer.pk:
            raise Refused(f"Invoice {invoice.number} is not this customer's.", field="allocations")
        planned.append((invoice, part))
    allocated = sum((part for _, part in planned), ZERO)
    if allocated > amount:
        raise Refused(
            f"The payment is {gbp(amount)} but {gbp(allocated)} is set against invoices.", field="allocations"
        )

    payment = Payment.objects.create(
        customer=customer,
        method=method,
        received_on=received_on,
        amount=amount,
        reference=reference.strip()[:140],
        recorded_by=by,
        recorded_at=now,
        statement_line=statement_line,
        unallocated=amount - allocated,
    )
    for invoice, part in planned:
        allocation_make(invoice=invoice, amount=part, payment=payment, by=by, now=now)
        _record_on_timeline(invoice, payment, part, by, now)
    for hook in _after_payment_hooks():
        hook(customer, now)
    return payment


def _oldest_first(customer, amount):
    """Split `amount` over the customer's open invoices, oldest due first."""
    plan, left = [], amount
    for invoice in Invoice.objects.filter(customer=customer, status=InvoiceStatus.OPEN).order_by("due_date", "id"):
        if left <= 0:
            break
        part = min(left, invoice.outstanding)
        if part > 0:
            plan.append((invoice, part))
            left -= part
    return plan


@transaction.atomic
def credit_apply(*, invoice, now=None):
    """Use the account's credit (payments not yet set against an invoice, oldest first) on a newly issued
    invoice. Returns the amount applied. Payments are locked so two invoices never spend the same credit."""
    now = now or clock.now()
    applied = ZERO
    payments = Payment.objects.select_for_update().filter(customer_id=invoice.customer_id, unallocated__gt=0)
    for payment in payments.order_by("received_on", "id"):
        invoice.refresh_from_db(fields=["outstanding", "status"])
        if invoice.status != InvoiceStatus.OPEN or invoice.outstanding <= 0:
            break
        part = min(payment.unallocated, invoice.outstanding)
        allocation_make(invoice=invoice, amount=part, payment=payment, now=now)
        payment.unallocated -= part
        payment.save(update_fields=["unallocated"])
        InvoiceEvent.objects.create(
            invoice=invoice,
            kind=InvoiceEventKind.PAYMENT,
            text=f"{gbp(part)} of credit on the account used.",
            at=now,
        )
        applied += part
    if applied:
        for hook in _after_payment_hooks():
            hook(invoice.customer, now)
    return applied
