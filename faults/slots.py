"""Engineer visit times: only inside office hours, on working days, and in the future.

Code (Fault Repair): "engineers only attend to faults in normal working hours (Monday - Friday 9am to
5:30pm, excluding bank holidays)". A visit is a morning (09:00 to 13:00) or an afternoon (13:00 to
17:30) in London. Which days are working days, and when they open and close, is portal/office_hours.py's
to say, nobody else's.
"""

from datetime import date, datetime, time

from faults.models import Window
from portal.formats import day_text
from portal.office_hours import (
    CLOSING,
    OPENING,
    closing_on,
    is_open,
    is_working_day,
    london_time,
)
from portal.workflow import Refused

MIDDAY = time(13, 0)
WINDOWS = {Window.MORNING: (OPENING, MIDDAY), Window.AFTERNOON: (MIDDAY, CLOSING)}


def slot_text(day, window):
    """'Monday 30 November 2026, morning (09:00 to 13:00)'."""
    label = Window(window).label
    return f"{day_text(day)}, {label[0].lower()}{label[1:]}"


def window_times(day, window):
    """The visit's start and end: London wall-clock times that day (BST or GMT), in UTC."""
    start, end = WINDOWS[window]
    return london_time(day, start), london_time(day, end)


def validate(day, window, *, now):
    """Return (start_at, end_at) for a visit on `day` in `window`, or raise Refused saying why not."""
    if not isinstance(day, date) or isinstance(day, datetime):
        raise Refused("Give the date of the visit.")
    if window not in WINDOWS:
        raise Refused(
            "Choose a morning (09:00 to 13:00) or an afternoon (13:00 to 17:30): engineers attend only in office hours."
        )
    if not is_working_day(day):
        why = "is a weekend day" if day.weekday() >= 5 else "is a bank holiday"
        raise Refused(f"{day_text(day)} {why}: engineers attend Monday to Friday, 9am to 5:30pm, except bank holidays.")
    start_at, end_at = window_times(day, window)
    # Belt and braces: the window must lie inside the office day the calendar knows.
    if not (is_open(start_at) and end_at <= closing_on(day)):
        raise Refused("That time is outside office hours.")
    if start_at <= now:
        raise Refused(f"{slot_text(day, window)} has already begun or passed: choose a time in the future.")
    return start_at, end_at
