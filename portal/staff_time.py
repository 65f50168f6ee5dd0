"""Times staff type into the admin: when a call, email or letter really reached us, and repair targets.

One check for every staff form that takes such a time (and for the services behind them), so that a
slip of the keyboard (year 1, year 9999) gets a clear message on its field and nothing is saved, instead
of overflowing the business calendar (portal/office_hours.py) or storing a deadline nobody could meet.

The range, decided here:
- a time something reached us is never in the future, and never before EARLIEST (1 January 2000). That
  is earlier than anything the portal will ever record (the Code it keeps is approved under the
  Communications Act 2003), so only a mistyped year falls before it;
- a repair target is in the future and at most TARGET_HORIZON (a year) ahead: a longer one is a mistyped
  year, and would leave a fault without a deadline that means anything.
"""

from datetime import UTC, datetime, timedelta

from django import forms

from portal import clock as portal_clock

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
EARLIEST_TEXT = "1 January 2000"
TARGET_HORIZON = timedelta(days=366)


def received_problem(value, *, now, what="The time received"):
    """Why `value` cannot be the time something reached us, or None when it can."""
    if value > now:
        return f"{what} cannot be in the future."
    if value < EARLIEST:
        return f"{what} cannot be before {EARLIEST_TEXT}: check the year."
    return None


def target_problem(value, *, now, what="A new repair target"):
    """Why `value` cannot be a repair target set now, or None when it can."""
    if value <= now:
        return f"{what} must be in the future."
    if value > now + TARGET_HORIZON:
        return f"{what} cannot be more than a year ahead: check the year."
    return None


class _StaffTime:
    """Adds the check above to a form field. `clock` is read when the form is validated (the faults app
    passes its own, which its tests move); `target` checks a deadline instead of a time received."""

    def __init__(self, *args, clock=None, target=False, what=None, **kwargs):
        self.clock = clock or (lambda: portal_clock.now())  # read at each check: a test may move the clock
        self.target = target
        self.what = what
        super().__init__(*args, **kwargs)

    def validate(self, value):
        super().validate(value)
        if value in self.empty_values:
            return
        check = target_problem if self.target else received_problem
        problem = check(value, now=self.clock(), **({"what": self.what} if self.what else {}))
        if problem:
            raise forms.ValidationError(problem, code="staff_time")


class StaffTimeField(_StaffTime, forms.DateTimeField):
    """One date-and-time input (the action pages' datetime-local fields)."""


class StaffSplitTimeField(_StaffTime, forms.SplitDateTimeField):
    """The admin's date and time pair (its add forms for orders and cancellations)."""
