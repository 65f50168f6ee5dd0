"""One-off charges and credits Accounts staff add to an account; the next invoice carries them (issuing.py
marks them invoiced in the invoice's own transaction, so each is billed once)."""

from decimal import Decimal, InvalidOperation

from django.db import transaction

from billing.models import AccountCharge, ChargeStatus
from portal import clock
from portal.money import vat_rate as policy_vat_rate
from portal.workflow import Refused, required_text


def _amount(value):
    try:
        amount = Decimal(str(value).replace("£", "").replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise Refused(
            "The amount must be a sum of money, for example 25.00 (or -10.00 for a credit).", field="amount"
        ) from None
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise Refused("The amount must be in pounds and pence, for example 25.00.", field="amount")
    if amount == 0:
        raise Refused("The amount cannot be £0.00: give a charge, or a credit as a negative amount.", field="amount")
    if abs(amount) >= Decimal("100000"):
        raise Refused("The amount is £100,000 or more: check it.", field="amount")
    return amount


@transaction.atomic
def account_charge_add(*, customer, description, amount, by, vat_rate=None, service=None, now=None):
    """A charge (positive amount, excluding VAT) or credit (negative) for the customer's next invoice.
    Refused for a staff account, no description, a service of another customer or an impossible amount."""
    now = now or clock.now()
    if customer.is_staff:
        raise Refused("Staff accounts are not billed.", field="customer")
    description = required_text(
        description, "Say what the charge or credit is for: the customer reads it.", field="description"
    )
    if service is not None and service.customer_id != customer.pk:
        raise Refused(f"{service.reference} is not one of this customer's services.", field="service")
    rate = policy_vat_rate() if vat_rate is None else Decimal(str(vat_rate))
    if rate < 0 or rate >= 1:
        raise Refused("The VAT rate is a fraction, for example 0.20 for 20%.", field="vat_rate")
    return AccountCharge.objects.create(
        customer=customer,
        service=service,
        description=description[:300],
        amount=_amount(amount),
        vat_rate=rate,
        created_by=by,
        created_at=now,
    )


def account_charge_cancel(*, charge):
    """Take back a charge not yet on an invoice (a guarded UPDATE: one on an invoice stays). Returns whether it
    was cancelled."""
    return bool(
        AccountCharge.objects.filter(pk=charge.pk, status=ChargeStatus.PENDING).update(status=ChargeStatus.CANCELLED)
    )
