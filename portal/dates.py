"""Calendar months, for contract terms and the ADR time (office hours live in office_hours.py)."""

import calendar
from datetime import date


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier, when negative), clamped to the end of a shorter month:
    31 January + 1 month is 28 (or 29) February. A 12-month term from 15 Jan 2026 ends on 15 Jan 2027."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
