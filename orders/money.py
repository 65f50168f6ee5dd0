"""Prices as customers read them: stored excluding VAT, shown with VAT added.

VAT here is for display only: the price of one item with VAT, rounded half-up to the penny. Invoices
apply their own VAT rule per invoice (billing).
"""

from decimal import ROUND_HALF_UP, Decimal

from portal import policy

PENNY = Decimal("0.01")


def vat_inclusive(amount, *, rate=None):
    """`amount` (excluding VAT) with VAT added at PORTAL_POLICY["VAT_RATE"], rounded half-up to the penny."""
    rate = Decimal(policy.value("VAT_RATE") if rate is None else rate)
    return (Decimal(amount) * (1 + rate)).quantize(PENNY, rounding=ROUND_HALF_UP)


def gbp(amount):
    """£1,234.50"""
    return f"£{Decimal(amount).quantize(PENNY, rounding=ROUND_HALF_UP):,.2f}"


def price_text(amount, per=""):
    """'£25.00 a month + VAT (£30.00 inc. VAT)'; `per` is what the price is for ('a month', 'set-up')."""
    if amount is None:
        return "Price on request"
    per = f" {per}" if per else ""
    return f"{gbp(amount)}{per} + VAT ({gbp(vat_inclusive(amount))} inc. VAT)"
