"""Prices on the catalogue and orders, as customers read them (portal/money.py does the arithmetic)."""

from portal.money import gbp, with_vat

vat_inclusive = with_vat


def price_text(amount, per=""):
    """'£25.00 a month + VAT (£30.00 inc. VAT)'; `per` is what the price is for ('a month', 'set-up')."""
    if amount is None:
        return "Price on request"
    per = f" {per}" if per else ""
    return f"{gbp(amount)}{per} + VAT ({gbp(vat_inclusive(amount))} inc. VAT)"
