"""Tests for portal.office_hours, the portal's business calendar."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.office_hours import (
    CLOSING,
    OPENING,
    TZ,
    add_office_hours,
    add_working_days,
    is_open,
    is_working_day,
    london,
    next_opening,
    office_hours_between,
)

UTC = UTC
NEW_YORK = ZoneInfo("America/New_York")


def ldn(*args: int) -> datetime:
    """An aware Europe/London datetime."""
    return datetime(*args, tzinfo=TZ)


# (start London, hours, deadline London, why)
WORKED_EXAMPLES = [
    (ldn(2026, 11, 27, 16, 0), 4, ldn(2026, 11, 30, 11, 30), "1.5 h Friday, 2.5 h Monday"),
    (ldn(2026, 11, 28, 10, 0), 4, ldn(2026, 11, 30, 13, 0), "clock starts at Monday's opening"),
    (ldn(2026, 12, 24, 15, 0), 4, ldn(2026, 12, 29, 10, 30), "25 Dec and 28 Dec (substitute) are holidays"),
    (ldn(2026, 4, 1, 12, 0), 24, ldn(2026, 4, 8, 10, 30), "Good Friday and Easter Monday skipped"),
    (ldn(2026, 3, 27, 17, 0), 24, ldn(2026, 4, 1, 15, 30), "the clocks go forward in between"),
    (ldn(2026, 11, 24, 17, 30), 4, ldn(2026, 11, 25, 13, 0), "17:30 is already closed"),
]
WORKED_IDS = [why for *_, why in WORKED_EXAMPLES]


@pytest.mark.parametrize("start, hours, expected, why", WORKED_EXAMPLES, ids=WORKED_IDS)
def test_it_matches_the_worked_examples(start, hours, expected, why):
    assert add_office_hours(start, hours) == expected


@pytest.mark.parametrize("start, hours, expected, why", WORKED_EXAMPLES, ids=WORKED_IDS)
def test_it_returns_deadlines_in_utc(start, hours, expected, why):
    deadline = add_office_hours(start, hours)
    assert deadline.tzinfo is UTC
    assert london(deadline).replace(tzinfo=None) == expected.replace(tzinfo=None)


@pytest.mark.parametrize("zone", [UTC, NEW_YORK], ids=["UTC", "New_York"])
@pytest.mark.parametrize("start, hours, expected, why", WORKED_EXAMPLES, ids=WORKED_IDS)
def test_it_gives_the_same_answer_whatever_zone_the_start_is_in(start, hours, expected, why, zone):
    assert add_office_hours(start.astimezone(zone), hours) == expected


def test_it_counts_the_whole_of_a_window_as_eight_and_a_half_hours_across_a_clock_change():
    # Sun 2026-03-29 is when the clocks go forward; Fri and Mon windows are 8.5 h each.
    assert office_hours_between(ldn(2026, 3, 27, 9), ldn(2026, 3, 30, 17, 30)) == timedelta(hours=17)
    assert add_office_hours(ldn(2026, 10, 23, 9), 17) == ldn(2026, 10, 26, 17, 30)


def test_it_stops_at_closing_time_when_the_hours_run_out_exactly_then():
    assert add_office_hours(ldn(2026, 11, 24, 9), 8.5) == ldn(2026, 11, 24, 17, 30)
    assert add_office_hours(ldn(2026, 11, 24, 16), 1.5) == ldn(2026, 11, 24, 17, 30)


def test_it_returns_next_opening_when_adding_zero_hours():
    assert add_office_hours(ldn(2026, 11, 28, 10), 0) == ldn(2026, 11, 30, 9)
    assert add_office_hours(ldn(2026, 11, 24, 17, 30), timedelta(0)) == ldn(2026, 11, 25, 9)
    assert add_office_hours(ldn(2026, 11, 24, 12), 0) == ldn(2026, 11, 24, 12)


def test_it_handles_large_hour_counts():
    # 2000 h = 235 full 8.5 h days + 2.5 h, so 11:30 on the 236th working day.
    start = ldn(2026, 1, 5, 9)  # a Monday
    deadline = add_office_hours(start, 2000)
    last_day = add_working_days(date(2026, 1, 5), 235)
    assert last_day == date(2026, 12, 7)
    assert deadline == ldn(2026, 12, 7, 11, 30)
    assert office_hours_between(start, deadline) == timedelta(hours=2000)


@pytest.mark.parametrize(
    "hours",
    [3, 1.5, Decimal("1.5"), timedelta(minutes=90)],
    ids=["int", "float", "Decimal", "timedelta"],
)
def test_it_accepts_hours_as_int_float_decimal_or_timedelta(hours):
    start = ldn(2026, 11, 24, 9)
    expected = start + (hours if isinstance(hours, timedelta) else timedelta(hours=float(hours)))
    assert add_office_hours(start, hours) == expected


@pytest.mark.parametrize("hours", [-1, -0.5, Decimal("-1"), timedelta(minutes=-1)])
def test_it_rejects_negative_hours(hours):
    with pytest.raises(ValueError, match="negative"):
        add_office_hours(ldn(2026, 11, 24, 9), hours)


@pytest.mark.parametrize("hours", ["4", None, [4], True])
def test_it_rejects_non_numeric_hours(hours):
    with pytest.raises(TypeError):
        add_office_hours(ldn(2026, 11, 24, 9), hours)


@pytest.mark.parametrize("hours", [float("nan"), float("inf")])
def test_it_rejects_non_finite_hours(hours):
    with pytest.raises(ValueError):
        add_office_hours(ldn(2026, 11, 24, 9), hours)


NAIVE = datetime(2026, 11, 24, 12, 0)
AWARE = ldn(2026, 11, 24, 12, 0)


@pytest.mark.parametrize(
    "call",
    [
        lambda: is_open(NAIVE),
        lambda: next_opening(NAIVE),
        lambda: add_office_hours(NAIVE, 1),
        lambda: office_hours_between(NAIVE, AWARE),
        lambda: office_hours_between(AWARE, NAIVE),
        lambda: london(NAIVE),
        lambda: is_working_day(NAIVE),
        lambda: add_working_days(NAIVE, 1),
    ],
    ids=[
        "is_open",
        "next_opening",
        "add_office_hours",
        "office_hours_between-start",
        "office_hours_between-end",
        "london",
        "is_working_day",
        "add_working_days",
    ],
)
def test_it_rejects_naive_datetimes_everywhere(call):
    with pytest.raises(ValueError, match="timezone-aware"):
        call()


@pytest.mark.parametrize(
    "at, expected",
    [
        (ldn(2026, 11, 24, 9, 0), True),
        (ldn(2026, 11, 24, 17, 30), False),
        (ldn(2026, 11, 24, 17, 29, 59), True),
        (ldn(2026, 11, 24, 8, 59, 59), False),
        (ldn(2026, 11, 28, 12, 0), False),  # Saturday
        (ldn(2026, 12, 25, 12, 0), False),  # Christmas Day
        (ldn(2026, 12, 28, 12, 0), False),  # Boxing Day substitute
        (ldn(2026, 8, 31, 12, 0), False),  # summer bank holiday
        (datetime(2026, 7, 1, 8, 30, tzinfo=UTC), True),  # 08:30 UTC is 09:30 BST
    ],
    ids=[
        "09:00",
        "17:30",
        "17:29:59",
        "08:59:59",
        "Saturday",
        "Christmas",
        "substitute-day",
        "summer-bank-holiday",
        "given-in-UTC",
    ],
)
def test_it_knows_when_the_office_is_open(at, expected):
    assert is_open(at) is expected


def test_it_finds_the_next_opening_over_a_bank_holiday_weekend():
    opening = next_opening(ldn(2026, 8, 28, 18, 0))
    assert opening == ldn(2026, 9, 1, 9, 0)
    assert opening.tzinfo is UTC
    assert opening == datetime(2026, 9, 1, 8, 0, tzinfo=UTC)  # 09:00 BST


def test_it_finds_the_same_days_opening_before_nine():
    assert next_opening(ldn(2026, 11, 24, 7, 0)) == ldn(2026, 11, 24, 9, 0)


def test_it_returns_the_moment_itself_when_already_open():
    at = datetime(2026, 11, 24, 7, 15, tzinfo=NEW_YORK)  # 12:15 in London
    opening = next_opening(at)
    assert opening == at
    assert opening.tzinfo is UTC


@pytest.mark.parametrize(
    "start, end, expected",
    [
        (ldn(2026, 11, 24, 10), ldn(2026, 11, 24, 12, 15), timedelta(hours=2, minutes=15)),
        (ldn(2026, 11, 27, 16), ldn(2026, 11, 30, 11, 30), timedelta(hours=4)),
        (ldn(2026, 11, 24, 7), ldn(2026, 11, 24, 20), timedelta(hours=8, minutes=30)),
        (ldn(2026, 11, 28, 7), ldn(2026, 11, 29, 20), timedelta(0)),
        (ldn(2026, 11, 24, 12), ldn(2026, 11, 24, 12), timedelta(0)),
        (ldn(2026, 11, 24, 12), ldn(2026, 11, 24, 10), timedelta(0)),
        (ldn(2026, 12, 24, 15), ldn(2026, 12, 29, 10, 30), timedelta(hours=4)),
    ],
    ids=[
        "same-day",
        "across-a-weekend",
        "start-and-end-outside-hours",
        "all-weekend",
        "end-equals-start",
        "end-before-start",
        "across-christmas",
    ],
)
def test_it_measures_office_hours_between_two_moments(start, end, expected):
    assert office_hours_between(start, end) == expected


def test_it_measures_between_moments_given_in_different_zones():
    start = ldn(2026, 11, 27, 16).astimezone(NEW_YORK)
    end = ldn(2026, 11, 30, 11, 30).astimezone(UTC)
    assert office_hours_between(start, end) == timedelta(hours=4)


@pytest.mark.parametrize(
    "d, expected",
    [
        (date(2026, 11, 24), True),
        (date(2026, 11, 28), False),
        (date(2026, 11, 29), False),
        (date(2026, 12, 25), False),
        (date(2026, 12, 28), False),
        (date(2026, 8, 31), False),
        (date(2026, 4, 3), False),
        (date(2026, 4, 6), False),
    ],
)
def test_it_knows_which_days_are_working_days(d, expected):
    assert is_working_day(d) is expected


def test_it_adds_working_days_across_a_bank_holiday():
    # Fri 28 Aug 2026 -> skip the weekend and Mon 31 Aug (summer bank holiday).
    assert add_working_days(date(2026, 8, 28), 1) == date(2026, 9, 1)
    assert add_working_days(date(2026, 8, 28), 3) == date(2026, 9, 3)
    # Thu 24 Dec 2026 -> skip 25 Dec, the weekend and the 28 Dec substitute day.
    assert add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 29)
    assert add_working_days(date(2026, 11, 24), 0) == date(2026, 11, 24)


def test_it_rejects_negative_working_days():
    with pytest.raises(ValueError):
        add_working_days(date(2026, 11, 24), -1)


def test_it_exposes_the_opening_hours_and_zone():
    assert (OPENING.hour, OPENING.minute) == (9, 0)
    assert (CLOSING.hour, CLOSING.minute) == (17, 30)
    assert str(TZ) == "Europe/London"


# --- properties -------------------------------------------------------------

ZONES = [TZ, UTC, NEW_YORK, ZoneInfo("Asia/Tokyo"), ZoneInfo("Australia/Sydney")]

aware_datetimes = st.datetimes(
    min_value=datetime(2024, 1, 1),
    max_value=datetime(2030, 12, 31, 23, 59, 59),
    timezones=st.sampled_from(ZONES),
)
MAX_HOURS = 200
hour_timedeltas = st.one_of(
    st.integers(0, MAX_HOURS * 60).map(lambda m: timedelta(minutes=m)),
    st.integers(0, MAX_HOURS * 3600).map(lambda s: timedelta(seconds=s)),
)
positive_hour_timedeltas = st.one_of(
    st.integers(1, MAX_HOURS * 60).map(lambda m: timedelta(minutes=m)),
    st.integers(1, MAX_HOURS * 3600).map(lambda s: timedelta(seconds=s)),
)
hour_floats = st.floats(min_value=0, max_value=MAX_HOURS, allow_nan=False, allow_infinity=False)
any_hours = st.one_of(hour_timedeltas, hour_floats)


def as_timedelta(hours) -> timedelta:
    return hours if isinstance(hours, timedelta) else timedelta(hours=float(hours))


@settings(max_examples=200, deadline=None)
@given(start=aware_datetimes, hours=any_hours)
def test_it_never_puts_a_deadline_before_its_start(start, hours):
    assert add_office_hours(start, hours) >= start


@settings(max_examples=200, deadline=None)
@given(start=aware_datetimes, hours=any_hours)
def test_it_counts_back_exactly_the_hours_it_added(start, hours):
    deadline = add_office_hours(start, hours)
    assert office_hours_between(start, deadline) == as_timedelta(hours)


@settings(max_examples=200, deadline=None)
@given(start=aware_datetimes, hours=any_hours)
def test_it_always_lands_in_office_hours_or_exactly_at_closing(start, hours):
    deadline = add_office_hours(start, hours)
    assert deadline.tzinfo is UTC
    local = london(deadline)
    at_closing = local.time() == CLOSING and is_working_day(local.date())
    assert is_open(deadline) or at_closing


@settings(max_examples=200, deadline=None)
@given(start=aware_datetimes, x=hour_timedeltas, y=positive_hour_timedeltas)
def test_it_composes_additions(start, x, y):
    # y must be positive: adding zero hours to a 17:30 deadline moves it to the
    # next opening (zero hours returns next_opening), whereas x + 0 stops at 17:30.
    assert add_office_hours(start, x + y) == add_office_hours(add_office_hours(start, x), y)


@settings(max_examples=200, deadline=None)
@given(start=aware_datetimes)
def test_it_opens_next_no_earlier_than_asked_and_always_open_then(start):
    opening = next_opening(start)
    assert opening >= start
    assert is_open(opening)
    assert office_hours_between(start, opening) == timedelta(0)
