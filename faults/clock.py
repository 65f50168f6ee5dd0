"""The one clock the faults app reads when no `now` is passed.

Services take `now` as an argument (CONVENTIONS: no hidden clock); views, tasks and the admin pass
`clock.now()`. Keeping it in one function lets a browser test move the whole app to a Saturday night:
the live server runs in the test's process, so monkeypatching this function is enough.
"""

from django.utils import timezone


def now():
    return timezone.now()
