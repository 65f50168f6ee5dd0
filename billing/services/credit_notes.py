"""Credit notes: the only way to correct an issued invoice, which never changes (DESIGN, billing; Odoo).

A credit note has its own gapless series (CRN-..., billing/numbering.py, taken in this transaction), quotes
the invoice it corrects, works its VAT by the invoice's rule (per rate, half up to the penny:
billing/charges.py), and is set against what the invoice still owes as an Allocation from the credit note:
the invoice is credited when nothing is left. Any part beyond what was left to pay (the invoice was paid)
lowers the account's balance, as every credit note does (billing/selectors.py account_balance).
"""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Sum

from billing import numbering
from billing.charges import Charge, half_up, totals
from billing.models import (
    ZERO,
    CreditNote,
    CreditNoteLine,
    Invoice,
    InvoiceEvent,
    InvoiceEventKind,
    InvoiceStatus,
    LineKind,
)
from billing.services.issuing import customer_snapshot
from billing.services.payments import allocation_make
from portal import clock
from portal.formats import gbp
from portal.office_hours import london
from portal.workflow import Refused, required_text


def _money(value, what):
    try:
        amount = Decimal(str(value).replace("£", "").replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise Refused(f"{what} must be a sum of money, for example 12.50.", field="amount") from None
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise Refused(f"{what} must be in pounds and pence, for example 12.50.", field="amount")
    if amount <= 0:
        raise Refused(f"{what} must be more than £0.00.", field="amount")
    return amount


def _lines_for_amount(invoice, amount):
    """One line crediting `amount` (excluding VAT) at the invoice's VAT rate; an invoice with lines at more
    than one rate needs lines saying which."""
    rates = set(invoice.lines.values_list("vat_rate", flat=True))
    if len(rates) != 1:
        raise Refused(
            f"Invoice {invoice.number} has charges at more than one VAT rate: give the lines to credit.", field="amount"
        )
    net = _money(amount, "The amount to credit")
    rate = rates.pop()
    return [
        Charge(
            kind=LineKind.CREDIT,
            description=f"Credit against invoice {invoice.number}",
            net=net,
            unit_price=net,
            vat_rate=rate,
        )
    ]


def _lines_given(invoice, lines):
    """`lines`: dicts of description, net (excluding VAT), and optionally vat_rate (the invoice's, when it has
    one), quantity and unit_price (net = quantity x unit price, to the penny, when given)."""
    rates = set(invoice.lines.values_list("vat_rate", flat=True))
    made = []
    for given in lines:
        description = required_text(given.get("description"), "Say what each line credits.", field="lines")
        rate = given.get("vat_rate")
        if rate is None:
            if len(rates) != 1:
                raise Refused("Give the VAT rate of each line: the invoice has more than one.", field="lines")
            rate = next(iter(rates))
        rate = Decimal(str(rate))
        if rate not in rates:
            raise Refused(f"Invoice {invoice.number} has no charges at a VAT rate of {rate}.", field="lines")
        quantity = Decimal(str(given.get("quantity", "1")))
        if "unit_price" in given:
            unit_price = _money(given["unit_price"], f"The unit price of “{description}”")
            net = half_up(quantity * unit_price)
        else:
            net = _money(given.get("net"), f"The amount of “{description}”")
            unit_price = net if quantity == 1 else half_up(net / quantity)
        if net <= 0:
            raise Refused(f"The amount of “{description}” must be more than £0.00.", field="lines")
        made.append(
            Charge(
                kind=LineKind.CREDIT,
                description=description,
                net=net,
                quantity=quantity,
                unit_price=unit_price,
                vat_rate=rate,
            )
        )
    if not made:
        raise Refused("Give at least one line to credit, or an amount.", field="lines")
    return made


@transaction.atomic
def credit_note_issue(*, invoice, lines=None, amount=None, reason, by, now=None):
    """Issue a credit note against an issued invoice. `lines` (see _lines_given) or `amount` (excluding VAT,
    at the invoice's one VAT rate). Refused, issuing nothing, for a draft, no reason, or more than the
    invoice's total less the credit notes already issued against it."""
    now = now or clock.now()
    reason = required_text(reason, "Give the reason for the credit note: the customer reads it.", field="reason")
    locked = Invoice.objects.select_for_update().select_related("customer").get(pk=invoice.pk)
    if locked.status == InvoiceStatus.DRAFT or not locked.number:
        raise Refused("A draft invoice has not been issued: there is nothing to credit.")
    if (lines is None) == (amount is None):
        raise Refused("Give either the lines to credit or an amount.", field="amount")
    charges = _lines_given(locked, lines) if lines is not None else _lines_for_amount(locked, amount)
    net, vat, total = totals(charges)
    credited = locked.credit_notes.aggregate(total=Sum("total"))["total"] or ZERO
    left = locked.total - credited
    if total > left:
        raise Refused(
            f"Invoice {locked.number} can be credited {gbp(left)} at most (its total {gbp(locked.total)}"
            f"{f' less {gbp(credited)} already credited' if credited else ''}), not {gbp(total)}.",
            field="amount",
        )
    customer = locked.customer
    credit_note = CreditNote.objects.create(
        number=numbering.next_credit_note_number(),
        invoice=locked,
        customer=customer,
        reason=reason,
        issued_at=now,
        issue_date=london(now).date(),
        net=net,
        vat=vat,
        total=total,
        issued_by=by,
        **customer_snapshot(customer),
    )
    CreditNoteLine.objects.bulk_create(
        CreditNoteLine(
            credit_note=credit_note,
            description=c.description[:300],
            quantity=c.quantity,
            unit_price=c.unit_price,
            vat_rate=c.vat_rate,
            net=c.net,
        )
        for c in charges
    )
    against = min(total, locked.outstanding) if locked.status == InvoiceStatus.OPEN else ZERO
    if against > 0:
        allocation_make(invoice=locked, amount=against, credit_note=credit_note, by=by, now=now)
    InvoiceEvent.objects.create(
        invoice=locked,
        kind=InvoiceEventKind.CREDITED,
        text=f"Credit note {credit_note.number} issued for {gbp(total)} including VAT: {reason}",
        by=by,
        at=now,
    )
    invoice.outstanding, invoice.status = locked.outstanding, locked.status
    from billing import tasks

    transaction.on_commit(lambda: tasks.enqueue_render_credit_note(credit_note.pk))
    return credit_note
