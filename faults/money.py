"""The abortive-visit charge as customers and staff read it. Money is Decimal, to the penny."""

from decimal import ROUND_HALF_UP, Decimal

from portal import policy
from portal.money import PENNY, gbp, vat_rate, with_vat  # noqa: F401  (vat_rate, gbp used via this module)


def visit_charge_amount():
    """Code: "We reserve the right to charge for any abortive work or visit"; excluding VAT (a policy value)."""
    return Decimal(policy.value("ABORTIVE_VISIT_CHARGE")).quantize(PENNY, rounding=ROUND_HALF_UP)


def charge_text(amount=None, rate=None):
    """'£85.00 + VAT (£102.00 including VAT)'."""
    amount = visit_charge_amount() if amount is None else Decimal(amount)
    return f"{gbp(amount)} + VAT ({gbp(with_vat(amount, rate))} including VAT)"
