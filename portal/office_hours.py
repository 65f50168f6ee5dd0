"""The portal's business calendar: the only place that does office-hours arithmetic.

The Code defines office hours as "Monday - Friday 9am to 5:30pm, excluding bank
holidays": 09:00 to 17:30 Europe/London local time, closed at weekends and on
England & Wales bank holidays (substitute days included). 09:00 is open, 17:30
is closed. Every function takes aware datetimes in any zone and returns aware
datetimes in UTC; use london() to display them.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from numbers import Real
from zoneinfo import ZoneInfo

import holidays

OPENING = time(9, 0)
CLOSING = time(17, 30)
TZ = ZoneInfo("Europe/London")

_ONE_DAY = timedelta(days=1)


@cache
def _bank_holidays(year: int) -> frozenset[date]:
    # The GB calendar includes "(observed)" substitute days by default, which
    # are real days off (e.g. Mon 28 Dec 2026 for Boxing Day on a Saturday).
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def _require_aware(dt: datetime, name: str = "datetime") -> datetime:
    if not isinstance(dt, datetime):
        raise TypeError(f"{name} must be a datetime, not {type(dt).__name__}")
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(
            f"{name} must be timezone-aware (got naive {dt!r}); office hours are "
            "defined in Europe/London time, so a naive value is ambiguous"
        )
    return dt


def london(dt: datetime) -> datetime:
    """Convert an aware datetime to Europe/London local time (for display)."""
    return _require_aware(dt).astimezone(TZ)


def _as_date(d: date) -> date:
    # An aware datetime means "the London day it falls on"; a naive one is refused.
    if isinstance(d, datetime):
        return london(d).date()
    if not isinstance(d, date):
        raise TypeError(f"expected a date, not {type(d).__name__}")
    return d


def is_working_day(d: date) -> bool:
    """True on Monday to Friday unless it is an England & Wales bank holiday."""
    d = _as_date(d)
    return d.weekday() < 5 and d not in _bank_holidays(d.year)


def _next_working_day(d: date) -> date:
    """The first working day strictly after d."""
    d += _ONE_DAY
    while not is_working_day(d):
        # Jump straight from Saturday to Monday.
        d += timedelta(days=7 - d.weekday()) if d.weekday() >= 5 else _ONE_DAY
    return d


def add_working_days(d: date, n: int) -> date:
    """The n-th working day after d (n=0 returns d unchanged)."""
    d = _as_date(d)
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"n must be an int, not {type(n).__name__}")
    if n < 0:
        raise ValueError(f"n must not be negative (got {n})")
    for _ in range(n):
        d = _next_working_day(d)
    return d


def _window(d: date) -> tuple[datetime, datetime]:
    """The day's opening and closing instants, in UTC.

    Built as London wall-clock times and then converted, so BST/GMT is applied
    per day. The clocks change at night, so 09:00 and 17:30 are never ambiguous
    or missing, and every window is exactly 8.5 real hours long.
    """
    return opening_on(d), closing_on(d)


def london_time(d: date, at: time) -> datetime:
    """The instant (UTC) of a London wall-clock time on a date: 13:00 on 1 July is 12:00 UTC. For times
    of day the calendar names (opening, closing, a visit window's edges); never at a clock change's hour."""
    return datetime.combine(_as_date(d), at, tzinfo=TZ).astimezone(UTC)


def opening_on(d: date) -> datetime:
    """When the office opens on date `d` (09:00 London), in UTC, whether or not `d` is a working day."""
    return london_time(d, OPENING)


def closing_on(d: date) -> datetime:
    """When the office closes on date `d` (17:30 London), in UTC: the end of a working day's deadlines."""
    return london_time(d, CLOSING)


def is_before_opening(at: datetime) -> bool:
    """True if `at` is earlier than 09:00 London on its own day (a report before the office opens counts
    that day as the first one worked)."""
    return london(at).time() < OPENING


def is_open(at: datetime) -> bool:
    """True if `at` falls within office hours (09:00 inclusive, 17:30 exclusive)."""
    local = london(at)
    return is_working_day(local.date()) and OPENING <= local.time() < CLOSING


def next_opening(at: datetime) -> datetime:
    """`at` itself (in UTC) if open, otherwise the start of the next office day."""
    if is_open(at):
        return at.astimezone(UTC)
    local = london(at)
    d = local.date()
    if is_working_day(d) and local.time() < OPENING:
        return _window(d)[0]
    return _window(_next_working_day(d))[0]


def _to_timedelta(hours: float | int | Decimal | timedelta) -> timedelta:
    if isinstance(hours, timedelta):
        delta = hours
    elif isinstance(hours, (Real, Decimal)) and not isinstance(hours, bool):
        as_float = float(hours)
        if not math.isfinite(as_float):
            raise ValueError(f"hours must be finite (got {hours!r})")
        # Same microsecond rounding as timedelta(hours=float(h)); from here on
        # everything stays in timedelta so repeated steps cannot drift.
        delta = timedelta(hours=as_float)
    else:
        raise TypeError(f"hours must be a number or timedelta, not {type(hours).__name__}")
    if delta < timedelta(0):
        raise ValueError(f"hours must not be negative (got {hours!r})")
    return delta


def add_office_hours(start: datetime, hours: float | int | Decimal | timedelta) -> datetime:
    """The instant `hours` of office time after `start`, in UTC.

    A clock started outside office hours starts at the next opening. Hours that
    run out exactly at 17:30 give 17:30 that day, not the next morning.
    """
    _require_aware(start, "start")
    remaining = _to_timedelta(hours)
    current = next_opening(start)
    day = london(current).date()
    while True:
        closes = _window(day)[1]
        available = closes - current
        # "<=" is the 17:30 edge: using up the hours exactly at closing stops there.
        if remaining <= available:
            return current + remaining
        remaining -= available
        day = _next_working_day(day)
        current = _window(day)[0]


def office_hours_between(start: datetime, end: datetime) -> timedelta:
    """The office time between two instants (zero when end <= start)."""
    # Compare in UTC: same-tzinfo comparisons ignore fold, which would get the
    # repeated autumn hour wrong.
    start = _require_aware(start, "start").astimezone(UTC)
    end = _require_aware(end, "end").astimezone(UTC)
    total = timedelta(0)
    if end <= start:
        return total
    day = london(start).date()
    last = london(end).date()
    if not is_working_day(day):
        day = _next_working_day(day)
    while day <= last:
        opens, closes = _window(day)
        overlap = min(closes, end) - max(opens, start)
        if overlap > timedelta(0):
            total += overlap
        day = _next_working_day(day)
    return total
