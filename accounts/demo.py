"""The demo's customers and staff (portal/demo.py runs this step first; every later step gets them)."""

from django.contrib.auth.models import Group

from accounts.groups import ACCOUNTS, CUSTOMER_SERVICES, ENGINEERS
from accounts.models import ConsentChannel, Correspondence, CustomerType, MarketingConsent, User
from portal.demo import PASSWORD, demo_logins, demo_step

CUSTOMERS = [
    dict(
        username="alice",
        full_name="Alice Archer",
        email="alice@example.co.uk",
        phone="01622 000101",
        address="12 Orchard Way\nBoughton Monchelsea\nMaidstone\nKent",
        postcode="ME17 4AA",
        customer_type=CustomerType.RESIDENTIAL,
        correspondence=Correspondence.EMAIL,
    ),
    dict(
        username="carolsbakery",
        full_name="Carol Baker",
        company_name="Carol's Bakery Ltd",
        email="",
        phone="01622 000303",
        address="3 High Street\nMaidstone\nKent",
        postcode="ME14 1AB",
        customer_type=CustomerType.BUSINESS,
        correspondence=Correspondence.POST,
    ),
]
STAFF = [
    dict(username="sam", full_name="Sam Service", email="sam@121com.co.uk", group=CUSTOMER_SERVICES),
    dict(username="ann", full_name="Ann Accounts", email="ann@121com.co.uk", group=ACCOUNTS),
    dict(username="eric", full_name="Eric Engineer", email="eric@121com.co.uk", group=ENGINEERS),
]
ADMIN = dict(username="admin", full_name="Portal Administrator", is_staff=True, is_superuser=True)

demo_logins([spec["username"] for spec in CUSTOMERS + STAFF] + [ADMIN["username"]])


def _user(spec):
    user, made = User.objects.get_or_create(username=spec["username"], defaults=spec)
    if made:
        user.set_password(PASSWORD)
        user.save()
    return user, made


@demo_step(position=0)
def users(customers, staff, now):
    for spec in CUSTOMERS:
        user, made = _user(spec)
        if made:
            MarketingConsent.objects.create(customer=user, opted_in=False, channel=ConsentChannel.REGISTRATION, at=now)
        customers[user.username] = user
    for spec in STAFF:
        spec = dict(spec)
        group = spec.pop("group")
        user, made = _user({**spec, "is_staff": True})
        if made:
            user.groups.add(Group.objects.get(name=group))
        staff[user.username] = user
    _user(ADMIN)
