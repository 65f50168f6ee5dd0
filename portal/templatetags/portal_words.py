"""Display formats in words, for pages that must read as plain English."""

from datetime import timedelta

from django import template

register = template.Library()


def _count(number, unit):
    return f"{number} {unit}{'' if number == 1 else 's'}"


@register.filter
def duration_in_words(value):
    """A length of time as a person says it: "15 minutes", "1 hour", "1 hour and 30 minutes", "2 days".

    Rounded to the nearest minute (django-axes turns a setting in hours into a float, which may be a
    microsecond off). Anything that is not a timedelta is shown as it is."""
    if not isinstance(value, timedelta):
        return value
    minutes = max(round(value.total_seconds() / 60), 0)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [_count(n, unit) for n, unit in ((days, "day"), (hours, "hour"), (minutes, "minute")) if n]
    if not parts:
        return "less than a minute"
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
