"""Demo data for the embedded default: a few customers and staff so a newcomer sees the portal working.

Each app adds its own demo records through `demo_step`, the same way the data export is extended.
"""

from collections.abc import Callable

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from accounts.groups import ACCOUNTS, CUSTOMER_SERVICES, ENGINEERS
from accounts.models import ConsentChannel, Correspondence, CustomerType, MarketingConsent, User

PASSWORD = "demo-pass-121"

CUSTOMERS = [
    dict(username="alice", full_name="Alice Archer", email="alice@example.co.uk", phone="01622 000101",
         address="12 Orchard Way\nBoughton Monchelsea\nMaidstone\nKent", postcode="ME17 4AA",
         customer_type=CustomerType.RESIDENTIAL, correspondence=Correspondence.EMAIL),
    dict(username="carolsbakery", full_name="Carol Baker", company_name="Carol's Bakery Ltd", email="",
         phone="01622 000303", address="3 High Street\nMaidstone\nKent", postcode="ME14 1AB",
         customer_type=CustomerType.BUSINESS, correspondence=Correspondence.POST),
]
STAFF = [
    dict(username="sam", full_name="Sam Service", email="sam@121com.co.uk", group=CUSTOMER_SERVICES),
    dict(username="ann", full_name="Ann Accounts", email="ann@121com.co.uk", group=ACCOUNTS),
    dict(username="eric", full_name="Eric Engineer", email="eric@121com.co.uk", group=ENGINEERS),
]

_steps: list[Callable] = []


def demo_step(func):
    """Register a function(customers: dict[str, User], staff: dict[str, User], now) that adds demo data."""
    _steps.append(func)
    return func


@transaction.atomic
def load(*, now=None):
    """Create the demo users (once) and run each app's demo step. Returns the logins to print."""
    now = now or timezone.now()
    customers, staff, created = {}, {}, False
    for spec in CUSTOMERS:
        user, made = User.objects.get_or_create(username=spec["username"], defaults=spec)
        if made:
            user.set_password(PASSWORD)
            user.save()
            MarketingConsent.objects.create(customer=user, opted_in=False, channel=ConsentChannel.REGISTRATION, at=now)
            created = True
        customers[user.username] = user
    for spec in STAFF:
        spec = dict(spec)
        group = spec.pop("group")
        user, made = User.objects.get_or_create(username=spec["username"], defaults={**spec, "is_staff": True})
        if made:
            user.set_password(PASSWORD)
            user.save()
            user.groups.add(Group.objects.get(name=group))
            created = True
        staff[user.username] = user
    admin, made = User.objects.get_or_create(
        username="admin", defaults={"full_name": "Portal Administrator", "is_staff": True, "is_superuser": True}
    )
    if made:
        admin.set_password(PASSWORD)
        admin.save()
    if created:
        for step in _steps:
            step(customers, staff, now)
    return logins()


def logins():
    """The demo users that exist, as (username, who) pairs to print."""
    names = [spec["username"] for spec in CUSTOMERS + STAFF] + ["admin"]
    users = {u.username: u for u in User.objects.filter(username__in=names).prefetch_related("groups")}
    found = []
    for name in names:
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
