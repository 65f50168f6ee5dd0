"""Every change to a customer's account goes through these functions. What the rules do not allow is
refused with portal.workflow.Refused, whose message is for the person who asked."""

import unicodedata
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core import signing
from django.db import transaction

from accounts import emails
from accounts.models import AccountEvent, AccountEventKind, ConsentChannel, MarketingConsent, PendingRegistration, User
from portal import clock, outbox
from portal.workflow import Refused

# How long the link that finishes a registration works; unconfirmed registrations go after that.
_TOKEN_SALT = "accounts.registration"


@transaction.atomic
def customer_register(
    *,
    username,
    password=None,
    password_hash=None,
    full_name,
    email,
    phone="",
    address="",
    postcode="",
    customer_type,
    company_name="",
    correspondence,
    marketing_opt_in,
    now=None,
):
    now = now or clock.now()
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
    if password_hash:
        customer.password = password_hash  # chosen at registration, kept only as its hash meanwhile
    else:
        customer.set_password(password)
    customer.full_clean(exclude=["password"])
    customer.save()
    MarketingConsent.objects.create(
        customer=customer, opted_in=marketing_opt_in, channel=ConsentChannel.REGISTRATION, at=now
    )
    emails.welcome(customer, now=now)
    return customer


# --- Registration with an email address: confirmed by a link before the account exists --------------
#
# Decision: the registration page never says whether an email address has an account (a customer's or
# a member of staff's). Whatever the address, it answers "check your email": a new address gets the
# link that finishes the registration, an address with an account gets an email telling its owner
# (with their account username and how to log in or reset the password), and nothing is made.
# An account username, on the other hand, is a handle the customer chooses and quotes in letters, so a
# taken one is refused on the form ("That account username is taken"), as it must be for the newcomer
# to choose another; it tells nothing about anyone's email address, and it is checked before and
# independently of the address. Usernames waiting for confirmation count as taken, except by a new
# registration of the same address, which replaces the old one (a newcomer who lost the email or
# forgot the password simply registers again). That exception tells someone who already knows both a
# waiting username and its address only that a registration is waiting, never that an account exists.
# Finishing asks for the password chosen: whoever registers with someone else's address cannot have
# that person confirm an account whose password the registrant knows.


def registration_token(pending):
    return signing.dumps(pending.pk, salt=_TOKEN_SALT)


def registration_pending(*, token, now=None):
    """The registration a link finishes, or None when the link is wrong, used, replaced or too old."""
    now = now or clock.now()
    try:
        pk = signing.loads(token, salt=_TOKEN_SALT, max_age=timedelta(days=settings.REGISTRATION_LINK_DAYS))
    except signing.BadSignature:
        return None
    return PendingRegistration.objects.filter(
        pk=pk, created_at__gt=now - timedelta(days=settings.REGISTRATION_LINK_DAYS)
    ).first()


def username_waiting(*, username, email):
    """Whether another address's registration, still waiting for confirmation, holds this username."""
    return PendingRegistration.objects.filter(username=username.lower()).exclude(email__iexact=email).exists()


def registrations_expire(*, now=None):
    """Delete every registration whose link no longer works. Returns how many."""
    now = now or clock.now()
    deleted, _ = PendingRegistration.objects.filter(
        created_at__lte=now - timedelta(days=settings.REGISTRATION_LINK_DAYS)
    ).delete()
    return deleted


@transaction.atomic
def registration_start(*, username, password, email, details, marketing_opt_in, base_url, now=None):
    """Answer a registration that gives an email address, the same way whoever owns the address.

    Returns the waiting registration, or None when the address already has an account (its owner is
    told, at most once a day) or has had CONFIRMATIONS_PER_DAY links today (nothing more is sent)."""
    now = now or clock.now()
    registrations_expire(now=now)
    owner = User.objects.filter(email__iexact=email).first()
    if owner is not None:
        if emails.sent_today("registration_attempt", email, now=now) < emails.ATTEMPT_NOTICES_PER_DAY:
            emails.registration_attempt(owner, base_url=base_url, now=now)
        return None
    if emails.sent_today("registration_confirm", email, now=now) >= emails.CONFIRMATIONS_PER_DAY:
        return None
    PendingRegistration.objects.filter(email__iexact=email).delete()
    pending = PendingRegistration.objects.create(
        username=username.lower(),
        email=email,
        details=details,
        marketing_opt_in=marketing_opt_in,
        password=make_password(password),
        created_at=now,
    )
    emails.registration_confirm(pending, base_url=base_url, link_days=settings.REGISTRATION_LINK_DAYS, now=now)
    return pending


def registration_password_matches(pending, password):
    return check_password(password, pending.password)


@transaction.atomic
def registration_confirm(*, pending, now=None):
    """Make the account of a registration whose link was opened. Refused when the address or the username
    was taken meanwhile (another way in, such as staff adding the customer)."""
    now = now or clock.now()
    pending = PendingRegistration.objects.select_for_update().filter(pk=pending.pk).first()
    if pending is None:
        raise Refused("This link has expired or was already used.")
    if User.objects.filter(email__iexact=pending.email).exists():
        pending.delete()
        raise Refused("This email address has an account already: log in, or reset your password.")
    if User.objects.filter(username=pending.username).exists():
        pending.delete()
        raise Refused(
            f"The account username {pending.username} was taken meanwhile. Please register again and choose another."
        )
    customer = customer_register(
        username=pending.username,
        password_hash=pending.password,
        email=pending.email,
        marketing_opt_in=pending.marketing_opt_in,
        now=now,
        **pending.details,
    )
    # The email that brought them here is part of their correspondence from now on (data export).
    outbox.messages_concerning(pending).update(customer=customer)
    PendingRegistration.objects.filter(email__iexact=pending.email).delete()
    return customer


@transaction.atomic
def customer_update_details(*, customer, fields):
    """Save the details a customer may change themselves; `fields` maps field name to value."""
    editable = {"full_name", "email", "phone", "address", "postcode", "customer_type", "company_name", "correspondence"}
    unknown = set(fields) - editable
    if unknown:
        raise Refused(f"Not editable by the customer: {', '.join(sorted(unknown))}.")
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
        raise Refused("A choice received by phone, letter or email is recorded by a member of staff.")
    return MarketingConsent.objects.create(
        customer=customer,
        opted_in=opted_in,
        channel=channel,
        recorded_by=recorded_by,
        note=note,
        at=now or clock.now(),
    )


def _same_address(typed, stored):
    """The same email address once Unicode case and compatibility forms are set aside, as Django's own
    reset form compares them: the database's case-blind match also pairs "ı" with "I", and a reset link must
    never go to an address only the database thinks is the same."""  # noqa: RUF002 (the dotless i is the point)

    def folded(address):
        return unicodedata.normalize("NFKC", address).casefold()

    return folded(typed) == folded(stored)


@transaction.atomic
def customer_password_reset_request(*, email, site_url, now=None):
    """The public "forgot your password" form: every active customer account with that address and a
    password gets the link, at the address on the account. Staff accounts are reset by an administrator,
    not from the public form. The page says the same whatever happens: it never tells whether an address
    has an account. Returns the messages queued."""
    now = now or clock.now()
    customers = User.objects.filter(email__iexact=email, is_active=True, is_staff=False).order_by("pk")
    return [
        emails.password_reset(customer, site_url=site_url, now=now)
        for customer in customers
        if customer.has_usable_password() and _same_address(email, customer.email)
    ]


@transaction.atomic
def customer_send_password_reset(*, customer, by, site_url, now=None):
    """Staff send a customer, at their request, the same link the public "forgot your password" form sends.

    Only an administrator sets a password (accounts/admin.py); everyone else sends this link, which goes
    to the address on the account and nowhere else. Staff accounts are not reset this way either.
    """
    now = now or clock.now()
    if customer.is_staff:
        raise Refused(
            f"{customer.full_name} ({customer.username}) is a member of staff: only an administrator "
            "sets their password."
        )
    if not customer.is_active:
        raise Refused(f"The account {customer.username} is closed: nobody can log in to it.")
    if not customer.email:
        raise Refused(
            f"{customer.display_name} ({customer.username}) has no email address, so no reset link "
            "can be sent. Add their address first if they gave you one."
        )
    message = emails.password_reset(customer, site_url=site_url, by_staff=True, now=now)
    return AccountEvent.objects.create(
        customer=customer,
        kind=AccountEventKind.RESET_LINK_SENT,
        by=by,
        at=now,
        message=message,
        text=f"A link to choose a new password was emailed to {customer.email}.",
    )


@transaction.atomic
def customer_email_changed_by_staff(*, customer, old_email, by, now=None):
    """Record that staff changed a customer's email address (the record is already saved) and tell both
    the old address and the new one, so a change the customer did not ask for cannot pass unnoticed:
    otherwise an insider could move an account to an address of theirs and reset its password.

    A customer who had no email address is told by post instead, if we have their postal address. A
    change of letter case only is no change. Returns the event, or None when there was nothing to record.
    """
    now = now or clock.now()
    new_email = customer.email
    if customer.is_staff or old_email.strip().lower() == new_email.strip().lower():
        return None
    notice = emails.email_changed_old(customer, old_email=old_email, new_email=new_email, now=now)
    confirmation = (
        emails.email_changed_new(customer, old_email=old_email, new_email=new_email, now=now) if new_email else None
    )
    before, after = old_email or "no email address", new_email or "no email address (letters by post)"
    return AccountEvent.objects.create(
        customer=customer,
        kind=AccountEventKind.EMAIL_CHANGED,
        by=by,
        at=now,
        message=notice or confirmation,
        text=f"Email address changed from {before} to {after}.",
    )
