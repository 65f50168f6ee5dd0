"""The one clock of the portal.

Services take `now` as an argument (CONVENTIONS: no hidden clock) and default to this when none is given;
views, tasks and the admin call it to pass one. A test that moves the whole portal in time (a browser test
on a Saturday night: the live server runs in the test's process) patches this one function.
"""

from datetime import date

from django.utils import timezone

from portal.office_hours import london


def now():
    """The aware UTC time now."""
    return timezone.now()


def today() -> date:
    """Today's date in London: contract dates, withdrawal dates and billing periods are London dates."""
    return london(now()).date()
