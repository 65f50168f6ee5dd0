"""Every change to a customer's account goes through these functions."""

from django.db import transaction
from django.utils import timezone

from accounts.models import ConsentChannel, MarketingConsent, User
from portal import outbox


@transaction.atomic
def customer_register(*, username, password, full_name, email, phone="", address="", postcode="",
                      customer_type, company_name="", correspondence, marketing_opt_in, now=None):
    now = now or timezone.now()
    customer = User(
        username=username.lower(),
        full_name=full_name,
        email=email,
        phone=phone,
        address=address,
        postcode=postcode,
        customer_type=customer_type,
        company_name=company_name,
        correspondence=correspondence,
        date_joined=now,
    )
    customer.set_password(password)
    customer.full_clean(exclude=["password"])
    customer.save()
    MarketingConsent.objects.create(
        customer=customer, opted_in=marketing_opt_in, channel=ConsentChannel.REGISTRATION, at=now
    )
    outbox.send_to_customer(
        customer,
        kind="welcome",
        template="accounts/welcome",
        subject="Welcome to 121 Communications",
        context={"customer": customer},
        concerning=customer,
        now=now,
    )
    return customer


@transaction.atomic
def customer_update_details(*, customer, fields, now=None):
    """Save the details a customer may change themselves; `fields` maps field name to value."""
    editable = {"full_name", "email", "phone", "address", "postcode", "customer_type", "company_name", "correspondence"}
    unknown = set(fields) - editable
    if unknown:
        raise ValueError(f"Not editable by the customer: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(customer, name, value)
    customer.full_clean(exclude=["password"])
    customer.save(update_fields=list(fields))
    return customer


def marketing_current(*, customer):
    """The customer's current choice: the latest recorded change; no record means not opted in."""
    latest = customer.marketing_consents.order_by("-at", "-id").first()
    return latest


@transaction.atomic
def marketing_consent_record(*, customer, opted_in, channel, recorded_by=None, note="", now=None):
    """Record a change of marketing choice. Recording the same choice again is a no-op."""
    User.objects.select_for_update().filter(pk=customer.pk).first()  # one change at a time per customer
    latest = marketing_current(customer=customer)
    if latest is not None and latest.opted_in == opted_in:
        return latest
    if channel != ConsentChannel.PORTAL and recorded_by is None and channel != ConsentChannel.REGISTRATION:
        raise ValueError("A choice received by phone, letter or email is recorded by a member of staff.")
    return MarketingConsent.objects.create(
        customer=customer,
        opted_in=opted_in,
        channel=channel,
        recorded_by=recorded_by,
        note=note,
        at=now or timezone.now(),
    )
