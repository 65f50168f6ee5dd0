"""How the portal writes dates, times, money and lengths of time: the one owner of display formats.

Every page, email, letter and PDF shows a time in London and on the 24-hour clock, a date in words, and a
price as pounds "+ VAT" with the amount "inc. VAT". Templates use these through `{% load formats %}`
(portal/templatetags/formats.py); Python code (event texts, refusals, subjects) calls them directly. No
platform-specific strftime codes (glibc's "%-d"): the day of the month is written without them.

    day_text(date(2027, 1, 12))        'Tuesday 12 January 2027'
    date_text(date(2027, 1, 12))       '12 January 2027'
    time_text(moment)                  '14:05'
    when_text(moment)                  'Tuesday 12 January at 14:05'
    datetime_text(moment)              'Tuesday 12 January 2027, 14:05'
    short_datetime(moment)             'Tue 12 Jan 2027, 14:05'
    gbp(Decimal("1234.5"))             '£1,234.50'
    price_text(Decimal("25"), "a month")  '£25.00 a month + VAT (£30.00 inc. VAT)'
    duration_in_words(timedelta(minutes=90))  '1 hour and 30 minutes'
"""

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from portal.money import PENNY, with_vat
from portal.office_hours import london

INC_VAT = "inc. VAT"  # the one wording, next to an amount with VAT added


def _local(value):
    """A date stays a date; an aware datetime becomes London wall-clock time."""
    return london(value) if isinstance(value, datetime) else value


def day_text(value):
    """'Tuesday 12 January 2027': a date (or the London date of a time) with its weekday."""
    day = _local(value)
    return f"{day:%A} {day.day} {day:%B %Y}"


def date_text(value):
    """'12 January 2027'."""
    day = _local(value)
    return f"{day.day} {day:%B %Y}"


def time_text(value):
    """'14:05', London time on the 24-hour clock."""
    return f"{london(value):%H:%M}"


def when_text(value):
    """'Tuesday 12 January at 14:05': a time in the coming days, as a customer is told it."""
    local = london(value)
    return f"{local:%A} {local.day} {local:%B} at {local:%H:%M}"


def datetime_text(value):
    """'Tuesday 12 January 2027, 14:05': when something happened, in emails, letters and pages."""
    local = london(value)
    return f"{day_text(local)}, {local:%H:%M}"


def short_datetime(value):
    """'Tue 12 Jan 2027, 14:05': staff lists and messages, where space is short."""
    local = london(value)
    return f"{local:%a} {local.day} {local:%b %Y}, {local:%H:%M}"


def gbp(amount):
    """'£1,234.50' (and '-£12.00' for a credit)."""
    amount = Decimal(amount).quantize(PENNY, rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"


def price_text(amount, per="", rate=None):
    """'£25.00 a month + VAT (£30.00 inc. VAT)'; `per` says what it is for ('a month', 'set-up');
    'Price on request' for a product priced per site."""
    if amount is None:
        return "Price on request"
    before, with_tax = price_parts(amount, per, rate)
    return f"{before} {with_tax}"


def price_parts(amount, per="", rate=None):
    """The two halves of price_text, for a page that sets them on two lines:
    ('£25.00 a month + VAT', '(£30.00 inc. VAT)')."""
    per = f" {per}" if per else ""
    return f"{gbp(amount)}{per} + VAT", f"({gbp(with_vat(amount, rate))} {INC_VAT})"


def _count(number, unit):
    return f"{number} {unit}{'' if number == 1 else 's'}"


def duration_in_words(value):
    """A length of time as a person says it: '15 minutes', '1 hour', '1 hour and 30 minutes', '2 days'.

    Rounded to the nearest minute (django-axes turns a setting in hours into a float, which may be a
    microsecond off). Anything that is not a timedelta is returned as it is."""
    if not isinstance(value, timedelta):
        return value
    minutes = max(round(value.total_seconds() / 60), 0)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [_count(n, unit) for n, unit in ((days, "day"), (hours, "hour"), (minutes, "minute")) if n]
    if not parts:
        return "less than a minute"
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def plural(number, unit):
    """'1 working day', '3 working days'."""
    return _count(number, unit)


__all__ = [
    "INC_VAT",
    "date_text",
    "datetime_text",
    "day_text",
    "duration_in_words",
    "gbp",
    "plural",
    "price_text",
    "short_datetime",
    "time_text",
    "when_text",
]
