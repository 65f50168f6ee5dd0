"""The faults app's own phrases for templates; dates, times and prices are portal's ({% load formats %})."""

from django import template

from faults import slots
from portal.formats import price_text

register = template.Library()


@register.filter
def slot_text(slot):
    """A visit time: 'Monday 30 November 2026, morning (09:00 to 13:00)'."""
    return slots.slot_text(slot.date, slot.window)


@register.filter
def charge_price(charge):
    """A visit charge at the VAT rate it was made with: '£85.00 + VAT (£102.00 inc. VAT)'."""
    return price_text(charge.amount, rate=charge.vat_rate)
