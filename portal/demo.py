"""Demo data for the embedded default: a few customers, staff and records so a newcomer sees the portal
working (`make run`).

Every app, accounts included, adds its records through `demo_step`, as it adds its part of the data export
and its dashboard card: accounts' step (position 0) makes the demo customers and staff and fills the two
dicts every later step receives. The demo loads once: a database that already has the demo's users is left
as it is.

    @demo_step                      # or @demo_step(position=10)
    def complaints(customers, staff, now): ...
"""

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db import transaction

from portal import clock

PASSWORD = "demo-pass-121"

_steps: list[tuple[int, Callable]] = []
# The demo logins printed when the portal starts, in order: registered by the step that makes them.
_logins: list[str] = []


def demo_step(func=None, *, position=50):
    """Register func(customers: dict[str, User], staff: dict[str, User], now) that adds demo data."""

    def register(step):
        _steps.append((position, step))
        _steps.sort(key=lambda item: item[0])
        return step

    return register(func) if func is not None else register


def demo_logins(usernames):
    """The usernames the demo makes, to be printed as its logins (with the password PASSWORD)."""
    _logins.extend(name for name in usernames if name not in _logins)


@transaction.atomic
def load(*, now=None):
    """Run every app's demo step once (not again on a database that has the demo's users). Returns the
    logins to print."""
    now = now or clock.now()
    if not get_user_model().objects.filter(username__in=_logins).exists():
        customers, staff = {}, {}
        for _, step in _steps:
            step(customers, staff, now)
    return logins()


def logins():
    """The demo users that exist, as (username, who) pairs to print."""
    users = {u.username: u for u in get_user_model().objects.filter(username__in=_logins).prefetch_related("groups")}
    found = []
    for name in _logins:
        user = users.get(name)
        if user is None:
            continue
        if not user.is_staff:
            who = "customer: " + user.display_name
        elif user.is_superuser:
            who = "staff: administrator"
        else:
            who = "staff: " + ", ".join(g.name for g in user.groups.all())
        found.append((name, who))
    return found
