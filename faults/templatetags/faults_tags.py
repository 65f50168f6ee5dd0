from django import template

from faults import money
from faults.slots import slot_text as _slot_text

register = template.Library()


@register.filter
def charge_text(charge):
    """A VisitCharge (or an amount excluding VAT) as '£85.00 + VAT (£102.00 including VAT)'."""
    if hasattr(charge, "amount"):
        return money.charge_text(charge.amount, charge.vat_rate)
    return money.charge_text(charge)


@register.filter
def slot_text(slot):
    """'Monday 30 November 2026, morning (09:00 to 13:00)'."""
    return _slot_text(slot.date, slot.window)
