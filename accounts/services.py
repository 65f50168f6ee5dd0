"""Every change to a customer's account goes through these functions."""

from django.db import transaction
from django.utils import timezone

from accounts import messages
from accounts.models import AccountEvent, AccountEventKind, ConsentChannel, MarketingConsent, User
from portal import outbox


class AccountRefused(Exception):
    """What staff asked for cannot be done to this account; the message is for them."""


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


@transaction.atomic
def customer_send_password_reset(*, customer, by, site_url, now=None):
    """Staff send a customer, at their request, the same link the public "forgot your password" form sends.

    Only an administrator sets a password (accounts/admin.py); everyone else sends this link, which goes
    to the address on the account and nowhere else. Staff accounts are not reset this way either.
    """
    now = now or timezone.now()
    if customer.is_staff:
        raise AccountRefused(f"{customer.full_name} ({customer.username}) is a member of staff: only an administrator "
                             "sets their password.")
    if not customer.is_active:
        raise AccountRefused(f"The account {customer.username} is closed: nobody can log in to it.")
    if not customer.email:
        raise AccountRefused(f"{customer.display_name} ({customer.username}) has no email address, so no reset link "
                             "can be sent. Add their address first if they gave you one.")
    message = messages.password_reset(customer, site_url=site_url, by_staff=True, now=now)
    return AccountEvent.objects.create(
        customer=customer, kind=AccountEventKind.RESET_LINK_SENT, by=by, at=now, message=message,
        text=f"A link to choose a new password was emailed to {customer.email}.")


@transaction.atomic
def customer_email_changed_by_staff(*, customer, old_email, by, now=None):
    """Record that staff changed a customer's email address (the record is already saved) and tell both
    the old address and the new one, so a change the customer did not ask for cannot pass unnoticed:
    otherwise an insider could move an account to an address of theirs and reset its password.

    A customer who had no email address is told by post instead, if we have their postal address. A
    change of letter case only is no change. Returns the event, or None when there was nothing to record.
    """
    now = now or timezone.now()
    new_email = customer.email
    if customer.is_staff or old_email.strip().lower() == new_email.strip().lower():
        return None
    notice = messages.email_changed_old(customer, old_email=old_email, new_email=new_email, now=now)
    confirmation = messages.email_changed_new(customer, old_email=old_email, new_email=new_email, now=now) \
        if new_email else None
    before, after = old_email or "no email address", new_email or "no email address (letters by post)"
    return AccountEvent.objects.create(
        customer=customer, kind=AccountEventKind.EMAIL_CHANGED, by=by, at=now, message=notice or confirmation,
        text=f"Email address changed from {before} to {after}.")
