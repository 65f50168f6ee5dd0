"""The abortive-visit charge as customers and staff read it. Money is Decimal, to the penny."""

from decimal import ROUND_HALF_UP, Decimal

from portal import policy

PENNY = Decimal("0.01")


def visit_charge_amount():
    """Code: "We reserve the right to charge for any abortive work or visit"; excluding VAT (a policy value)."""
    return Decimal(policy.value("ABORTIVE_VISIT_CHARGE")).quantize(PENNY, rounding=ROUND_HALF_UP)


def vat_rate():
    return Decimal(policy.value("VAT_RATE"))


def with_vat(amount, rate=None):
    """One item's price with VAT, rounded half-up to the penny (display only: invoices round per invoice)."""
    rate = vat_rate() if rate is None else Decimal(rate)
    return (Decimal(amount) * (1 + rate)).quantize(PENNY, rounding=ROUND_HALF_UP)


def gbp(amount):
    return f"£{Decimal(amount).quantize(PENNY, rounding=ROUND_HALF_UP):,.2f}"


def charge_text(amount=None, rate=None):
    """'£85.00 + VAT (£102.00 including VAT)'."""
    amount = visit_charge_amount() if amount is None else Decimal(amount)
    return f"{gbp(amount)} + VAT ({gbp(with_vat(amount, rate))} including VAT)"
