"""Issuing an account's invoice for a month: its lines, its number, and everything printed on it.

One transaction per account (invoice_issue_for_period):
1. The invoice row is made first, as a draft with no number. Invoice's (customer, period) uniqueness decides
   whether a second run for the same month, or two runs racing, make a second invoice: the loser waits on
   the winner's row in the unique index and then finds it, before it has taken a number.
2. Its lines, the one-off charges marked invoiced (Accounts' charges by a guarded UPDATE; abortive visits
   through faults' visit_charge_mark_invoiced) and the set-up fee's once-only line constraint: a charge is
   billed once, in the same transaction as the invoice, or not at all.
3. The number last (billing/numbering.py explains the lock it holds until commit), then the issue fields:
   issue date and tax point (the issue date, for a monthly service billed in advance), due date (issue date
   plus BILLING["PAYMENT_DAYS"]), the customer as invoiced, the totals by the VAT rule (billing/charges.py),
   the balance brought forward, an "issued" event, and any account credit applied.
4. After commit, a worker renders the PDF once, stores it and sends it (billing/documents.py).
"""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction

from billing import charges as billing_charges
from billing import numbering, selectors
from billing.models import (
    ZERO,
    AccountCharge,
    ChargeStatus,
    Invoice,
    InvoiceEvent,
    InvoiceEventKind,
    InvoiceLine,
    InvoiceStatus,
)
from billing.services.payments import credit_apply
from faults import services as fault_services
from portal import clock
from portal.formats import gbp
from portal.office_hours import london


class ChargesChanged(Exception):
    """A one-off charge changed while its invoice was being made (staff cancelled it): the account is tried
    again, from the start, by the run's failure record."""


def customer_snapshot(customer):
    """What an invoice says about the customer, copied at issue (the stored PDF and the row agree for ever)."""
    return {
        "customer_name": customer.display_name or customer.username,
        "customer_address": "\n".join(customer.postal_lines[1:]),
        "account_username": customer.username,
    }


def _queue_rendering(invoice_id):
    from billing import tasks

    transaction.on_commit(lambda: tasks.enqueue_render_invoice(invoice_id))


@transaction.atomic
def invoice_issue_for_period(*, customer, period, run=None, now=None):
    """Issue `customer`'s invoice for the month starting `period`. Returns the invoice, or None when the
    account already has one for that month or nothing to bill."""
    now = now or clock.now()
    if Invoice.objects.filter(customer=customer, period=period).exists():
        return None
    lines = billing_charges.charges_for(customer, period)
    if not lines:
        return None
    brought_forward = selectors.account_balance(customer)  # before this invoice: drafts are not counted
    try:
        with transaction.atomic():  # the uniqueness rule decides; a savepoint keeps the rest usable
            invoice = Invoice.objects.create(customer=customer, period=period, run=run, created_at=now)
    except IntegrityError:
        return None  # another run made it meanwhile
    InvoiceLine.objects.bulk_create(
        InvoiceLine(
            invoice=invoice,
            kind=line.kind,
            position=line.position,
            description=line.description[:300],
            service=line.service,
            visit_charge=line.visit_charge,
            account_charge=line.account_charge,
            period_start=line.period_start,
            period_end=line.period_end,
            quantity=line.quantity,
            unit_price=line.unit_price,
            vat_rate=line.vat_rate,
            net=line.net,
        )
        for line in lines
    )
    account_charge_ids = [line.account_charge.pk for line in lines if line.account_charge is not None]
    if account_charge_ids:
        marked = AccountCharge.objects.filter(pk__in=account_charge_ids, status=ChargeStatus.PENDING).update(
            status=ChargeStatus.INVOICED
        )
        if marked != len(account_charge_ids):
            raise ChargesChanged("A one-off charge was changed while the invoice was being made: try again.")

    net, vat, total = billing_charges.totals(lines)
    issue_date = london(now).date()
    # Taken as late as possible: from here to commit, other accounts' issuing waits (numbering.py).
    invoice.number = numbering.next_invoice_number()
    invoice.status = InvoiceStatus.OPEN if total > 0 else InvoiceStatus.PAID
    invoice.issued_at = now
    invoice.issue_date = issue_date
    invoice.tax_point = issue_date
    invoice.due_date = issue_date + timedelta(days=settings.BILLING["PAYMENT_DAYS"])
    invoice.net, invoice.vat, invoice.total = net, vat, total
    invoice.outstanding = max(total, ZERO)
    invoice.balance_brought_forward = brought_forward
    for name, value in customer_snapshot(customer).items():
        setattr(invoice, name, value)
    invoice.save()
    for line in lines:
        if line.visit_charge is not None:
            fault_services.visit_charge_mark_invoiced(
                charge=line.visit_charge, invoice_reference=invoice.number, now=now
            )
    InvoiceEvent.objects.create(
        invoice=invoice,
        kind=InvoiceEventKind.ISSUED,
        text=f"Invoice {invoice.number} issued: {gbp(total)} including VAT, due by {invoice.due_date:%d/%m/%Y}.",
        at=now,
    )
    if invoice.status == InvoiceStatus.OPEN:
        credit_apply(invoice=invoice, now=now)
    _queue_rendering(invoice.pk)
    return invoice
