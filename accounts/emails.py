"""One function per message about an account: its kind, subject and context.

The kind is the template's name: kind "welcome" is templates/emails/accounts/welcome.txt and .html, and
templates/letters/accounts/welcome.html for a customer who takes letters only. Each is called inside
the transaction of the change it reports, so the message is saved with it or not at all. `site_url` and
`base_url` are the portal's own address as the visitor reached it ("https://host"): the worker that
sends the email has no request to ask.

Links that let someone into an account (a password reset, the end of a registration) are never stored:
the stored body holds a placeholder, and the worker puts the real path in the copy it sends (the
fill_at_send functions below), so nobody reading the outbox sees a working link.
"""

from datetime import timedelta

from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from portal import data_export, outbox
from portal.models import OutboxMessage

# The kinds of this module's messages in words, for the outbox and the print queue.
outbox.name_kinds(
    {
        "welcome": "Welcome",
        "password_reset": "Password reset link",
        "email_changed_old": "Email address changed (old address)",
        "email_changed_new": "Email address changed (new address)",
        "registration_confirm": "Registration link",
        "registration_attempt": "Registration attempt on an existing account",
    }
)

RESET_PATH = "[[reset-path]]"
data_export.unkept_secret(RESET_PATH, "a password reset link, not kept")
REGISTRATION_PATH = "[[registration-path]]"
data_export.unkept_secret(REGISTRATION_PATH, "a link to finish creating the account, not kept")

# However often someone registers with one address, its owner gets at most this many emails a day.
ATTEMPT_NOTICES_PER_DAY = 1
CONFIRMATIONS_PER_DAY = 3


def _to_customer(customer, kind, *, subject, context, by_post=None, now=None):
    """The accounts app's rule for a customer's message: as the customer asked (email, or letters only),
    or by post when `by_post` says so (portal.outbox.send_to_customer addresses it)."""
    return outbox.send_to_customer(
        customer,
        kind=kind,
        template=f"accounts/{kind}",
        subject=subject,
        context=context,
        concerning=customer,
        by_post=by_post,
        now=now,
    )


def _email(kind, *, to_email, to_name, subject, context, customer=None, concerning=None, now=None):
    """An email to one address, whatever the account's choice: only that address may receive it."""
    return outbox.email(
        kind=kind,
        to_email=to_email,
        to_name=to_name,
        template=f"accounts/{kind}",
        subject=subject,
        context=context,
        customer=customer,
        concerning=concerning,
        now=now,
    )


def welcome(customer, *, now=None):
    return _to_customer(customer, "welcome", subject="Welcome to 121 Communications", context={}, now=now)


def password_reset(customer, *, site_url, by_staff=False, now=None):
    """A link to choose a new password: asked for on the public form, or sent by staff at the customer's
    request (only an administrator sets a password). By email to the account's address, never by post."""
    return _email(
        "password_reset",
        to_email=customer.email,
        to_name=customer.display_name,
        subject="Reset your 121 Communications password",
        context={"user": customer, "reset_link": f"{site_url}{RESET_PATH}", "by_staff": by_staff},
        customer=customer,
        concerning=customer,
        now=now,
    )


@outbox.fill_at_send("password_reset")
def reset_link_at_send(message):
    user = message.concerning
    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return {RESET_PATH: path}


def email_changed_old(customer, *, old_email, new_email, now=None):
    """Tell the customer, where the change reaches them only if it was really theirs to make, that staff
    changed their email address: at the old address, or by post when they had no email address (nothing,
    when we have neither). Returns the message, or None."""
    context = {"customer": customer, "old_email": old_email, "new_email": new_email, "when": now}
    subject = "The email address on your 121 Communications account has changed"
    if old_email:
        return _email(
            "email_changed_old",
            to_email=old_email,
            to_name=customer.display_name,
            subject=subject,
            context=context,
            customer=customer,
            concerning=customer,
            now=now,
        )
    if outbox.has_postal_address(customer):
        return _to_customer(customer, "email_changed_old", subject=subject, context=context, by_post=True, now=now)
    return None


def email_changed_new(customer, *, old_email, new_email, now=None):
    return _email(
        "email_changed_new",
        to_email=new_email,
        to_name=customer.display_name,
        subject="This is now the email address of your 121 Communications account",
        context={"customer": customer, "old_email": old_email, "when": now},
        customer=customer,
        concerning=customer,
        now=now,
    )


def sent_today(kind, email, *, now):
    since = now - timedelta(days=1)
    return OutboxMessage.objects.filter(kind=kind, to_email__iexact=email, created_at__gt=since).count()


def registration_confirm(pending, *, base_url, link_days, now):
    """The link that finishes a registration, made by the worker as it sends (registration_link_at_send)."""
    return _email(
        "registration_confirm",
        to_email=pending.email,
        to_name=pending.details["full_name"],
        subject="Finish creating your 121 Communications account",
        context={"username": pending.username, "link": f"{base_url}{REGISTRATION_PATH}", "link_days": link_days},
        concerning=pending,
        now=now,
    )


@outbox.fill_at_send("registration_confirm")
def registration_link_at_send(message):
    from accounts.services import registration_token

    pending = message.concerning
    if pending is None:  # confirmed, replaced or expired since: the link leads to a fresh start
        return {REGISTRATION_PATH: reverse("accounts:register")}
    return {REGISTRATION_PATH: reverse("accounts:register_confirm", kwargs={"token": registration_token(pending)})}


def registration_attempt(owner, *, base_url, now):
    """Someone registered with an address that already has an account: its owner hears of it, the
    registration page says nothing (accounts.services.registration_start)."""
    return _email(
        "registration_attempt",
        to_email=owner.email,
        to_name=owner.full_name or owner.username,
        subject="A new 121 Communications account for your address?",
        context={
            "owner": owner,
            "login_link": f"{base_url}{reverse('accounts:login')}",
            "reset_link": f"{base_url}{reverse('accounts:password_reset')}",
        },
        customer=None if owner.is_staff else owner,
        concerning=owner,
        now=now,
    )
