"""What only the orders pages and messages say: contract terms, the VAT rate, our cancellation notice.
Dates and money are the portal's: {% load formats %} (portal/formats.py)."""

from django import template

from portal import policy
from portal.formats import plural

register = template.Library()


@register.filter
def term(months):
    """12 -> '12 months'; 0 -> 'none'"""
    return plural(months, "month") if months else "none"


@register.simple_tag
def vat_percent():
    """The VAT rate as people read it: 20"""
    return f"{(policy.value('VAT_RATE') * 100).normalize():f}"


@register.simple_tag
def cancellation_notice():
    """Our notice on a cancellation as customers read it: 'the next working day', '2 working days'."""
    days = policy.value("CANCELLATION_NOTICE_WORKING_DAYS")
    return "the next working day" if days <= 1 else plural(days, "working day")
