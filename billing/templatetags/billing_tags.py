"""How invoices and credit notes print a VAT rate (20%) and a quantity (1, 0.4516)."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def percent(rate):
    """0.200 -> '20%', 0.050 -> '5%', 0.175 -> '17.5%'."""
    value = (Decimal(rate) * 100).normalize()
    return f"{value:f}%"


@register.filter
def quantity(value):
    """A whole number without decimals (1), a fraction of a month to 4 places (0.4516)."""
    value = Decimal(value)
    return f"{value:.0f}" if value == value.to_integral_value() else f"{value:.4f}"
