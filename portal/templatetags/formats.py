"""The portal's display formats for templates (portal/formats.py owns them): {% load formats %}.

    {{ fault.reported_at|datetime_text }}   Tuesday 12 January 2027, 14:05
    {{ complaint.adr_from|date_text }}      12 January 2027
    {{ slot.date|day_text }}                Tuesday 12 January 2027
    {{ fault.repair_due_at|when_text }}     Tuesday 12 January at 17:30
    {{ message.sent_at|short_datetime }}    Tue 12 Jan 2027, 14:05
    {{ event.at|time_text }}                14:05
    {{ invoice.gross|gbp }}                 £1,234.50
    {{ product.monthly_price|price:"a month" }}   £25.00 a month + VAT (£30.00 inc. VAT)
    {{ product.monthly_price|price_before_vat:"a month" }} {{ product.monthly_price|price_with_vat }}   the same halves
    {{ pause|duration_in_words }}           15 minutes
    {{ fault.status|status_badge:fault.get_status_display }}   <span class="status status-progress">Investigating</span>

An empty value (None, "") shows as nothing, so an optional date needs no {% if %} of its own.
"""

from django import template
from django.utils.html import format_html

from portal import formats

register = template.Library()


def _safe(func):
    def wrapped(value, *args):
        if value is None or value == "":
            return ""
        return func(value, *args)

    wrapped.__name__ = func.__name__
    wrapped.__doc__ = func.__doc__
    return wrapped


for _name in (
    "day_text",
    "date_text",
    "time_text",
    "when_text",
    "datetime_text",
    "short_datetime",
    "gbp",
    "duration_in_words",
):
    register.filter(_name, _safe(getattr(formats, _name)))


@register.filter
def price(amount, per=""):
    return formats.price_text(amount, per)


@register.filter
def price_before_vat(amount, per=""):
    """The first half of |price: '£25.00 a month + VAT'."""
    return formats.price_parts(amount, per)[0]


@register.filter
def price_with_vat(amount):
    """The second half of |price: '(£30.00 inc. VAT)'."""
    return formats.price_parts(amount)[1]


# The colour of a status badge (site.css), whatever the record: done, waiting on someone, ended, or in progress.
# The words always say the status too, so the colour is never the only sign.
_STATUS_TONES = {
    **dict.fromkeys(("resolved", "closed", "completed", "active"), "active"),
    **dict.fromkeys(("not_our_fault", "deadlocked", "cancelling", "suspended"), "waiting"),
    **dict.fromkeys(("cancelled", "rejected", "ceased"), "ended"),
}


@register.filter
def status_badge(status, label):
    """A status in words in its coloured badge: one filter, not an include per row of a list."""
    return format_html('<span class="status status-{}">{}</span>', _STATUS_TONES.get(status, "progress"), label)
