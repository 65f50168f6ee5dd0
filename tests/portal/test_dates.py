"""Calendar months (portal/dates.py): contract terms and the ADR time."""

from datetime import date

import pytest

from portal.dates import add_months


@pytest.mark.parametrize(
    "day, months, result",
    [
        (date(2026, 1, 15), 12, date(2027, 1, 15)),  # a 12-month term
        (date(2026, 1, 31), 1, date(2026, 2, 28)),  # clamped to a shorter month
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # a leap year
        (date(2026, 11, 30), 3, date(2027, 2, 28)),  # across the year
        (date(2026, 3, 31), -1, date(2026, 2, 28)),  # backwards
        (date(2026, 1, 10), -13, date(2024, 12, 10)),
        (date(2026, 5, 5), 0, date(2026, 5, 5)),
    ],
)
def test_the_same_day_months_later_or_earlier(day, months, result):
    assert add_months(day, months) == result
