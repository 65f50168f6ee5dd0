from django import template

from orders import money
from orders.services._common import day_text

register = template.Library()


@register.filter
def price(amount, per=""):
    """{{ product.monthly_price|price:"a month" }} -> £25.00 a month + VAT (£30.00 inc. VAT)"""
    return money.price_text(amount, per)


@register.filter
def gbp(amount):
    return money.gbp(amount)


@register.filter
def longdate(day):
    """Tuesday 12 January 2027"""
    return day_text(day) if day else ""


@register.filter
def term(months):
    """12 -> '12 months'; 0 -> 'none'"""
    if not months:
        return "none"
    return f"{months} month{'s' if months != 1 else ''}"


@register.simple_tag
def vat_percent():
    """The VAT rate as people read it: 20"""
    from portal import policy

    return f"{(policy.value('VAT_RATE') * 100).normalize():f}"


@register.simple_tag
def cancellation_notice():
    """Our notice on a cancellation as customers read it: 'the next working day'."""
    from orders.dates import notice_text
    from portal import policy

    return notice_text(policy.value("CANCELLATION_NOTICE_WORKING_DAYS"))
