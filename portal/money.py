"""Money arithmetic: Decimal, to the penny, prices stored excluding VAT (portal/formats.py writes it in words).

VAT here is for showing one item's price with VAT (rounded half-up to the penny); invoices apply their
own VAT rule per invoice.
"""

from decimal import ROUND_HALF_UP, Decimal

from portal import policy

PENNY = Decimal("0.01")


def vat_rate():
    return Decimal(policy.value("VAT_RATE"))


def with_vat(amount, rate=None):
    """`amount` (excluding VAT) with VAT added at PORTAL_POLICY["VAT_RATE"], rounded half-up to the penny."""
    rate = vat_rate() if rate is None else Decimal(rate)
    return (Decimal(amount) * (1 + rate)).quantize(PENNY, rounding=ROUND_HALF_UP)
