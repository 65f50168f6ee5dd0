"""One function per message about an account: its kind, subject and templates (templates/emails/accounts/).

Each is called inside the transaction of the change it reports, so the message is saved with it or
not at all. `base_url` is the portal's own address as the visitor reached it ("https://host"): the
worker that sends the email has no request to ask.
"""

from datetime import timedelta

from django.urls import reverse

from portal import data_export
from portal import outbox
from portal.models import OutboxMessage

# The stored body holds this placeholder; the worker puts the real path in the copy it sends
# (accounts/forms.py, reset_link_at_send), so nobody reading the outbox sees a working link.
RESET_PATH = "[[reset-path]]"


def password_reset(customer, *, site_url, by_staff=False, now=None):
    """A link to choose a new password: asked for on the public form, or sent by staff at the customer's
    request (only an administrator sets a password)."""
    return outbox.email(
        kind="password_reset", to_email=customer.email, to_name=customer.display_name,
        template="accounts/password_reset", subject="Reset your 121 Communications password",
        context={"user": customer, "reset_link": f"{site_url}{RESET_PATH}", "by_staff": by_staff},
        customer=customer, concerning=customer, now=now,
    )


def email_changed_old(customer, *, old_email, new_email, now=None):
    """Tell the customer, where the change reaches them only if it was really theirs to make, that staff
    changed their email address: at the old address, or by post when they had no email address."""
    context = {"customer": customer, "old_email": old_email, "new_email": new_email, "when": now}
    subject = "The email address on your 121 Communications account has changed"
    if old_email:
        return outbox.email(kind="email_changed_old", to_email=old_email, to_name=customer.display_name,
                            template="accounts/email_changed_old", subject=subject, context=context,
                            customer=customer, concerning=customer, now=now)
    if customer.address.strip() and customer.postcode.strip():
        return outbox.letter(kind="email_changed_old", to_name=customer.full_name,
                             address_lines=customer.postal_lines[1:], template="accounts/email_changed_old",
                             subject=subject, context=context, customer=customer, concerning=customer, now=now)
    return None


def email_changed_new(customer, *, old_email, new_email, now=None):
    return outbox.email(
        kind="email_changed_new", to_email=new_email, to_name=customer.display_name,
        template="accounts/email_changed_new",
        subject="This is now the email address of your 121 Communications account",
        context={"customer": customer, "old_email": old_email, "new_email": new_email, "when": now},
        customer=customer, concerning=customer, now=now,
    )


REGISTRATION_PATH = "[[registration-path]]"
data_export.unkept_secret(REGISTRATION_PATH, "a link to finish creating the account, not kept")

# However often someone registers with one address, its owner gets at most this many emails a day.
ATTEMPT_NOTICES_PER_DAY = 1
CONFIRMATIONS_PER_DAY = 3


def sent_today(kind, email, *, now):
    return OutboxMessage.objects.filter(kind=kind, to_email__iexact=email, created_at__gt=now - timedelta(days=1)).count()


def registration_confirm(pending, *, base_url, link_days, now):
    """The link that finishes a registration. Like a password reset link it is made by the worker as it
    sends (registration_link_at_send below): nobody reading the outbox sees a working one."""
    return outbox.email(
        kind="registration_confirm", to_email=pending.email, to_name=pending.details["full_name"],
        template="accounts/registration_confirm", subject="Finish creating your 121 Communications account",
        context={"username": pending.username, "link": f"{base_url}{REGISTRATION_PATH}", "link_days": link_days},
        concerning=pending, now=now,
    )


def registration_attempt(owner, *, base_url, now):
    """Someone registered with an address that already has an account: its owner hears of it, the
    registration page says nothing (accounts.services.registration_start)."""
    return outbox.email(
        kind="registration_attempt", to_email=owner.email, to_name=owner.full_name or owner.username,
        template="accounts/registration_attempt", subject="A new 121 Communications account for your address?",
        context={"owner": owner, "login_link": f"{base_url}{reverse('accounts:login')}",
                 "reset_link": f"{base_url}{reverse('accounts:password_reset')}"},
        customer=None if owner.is_staff else owner, concerning=owner, now=now,
    )


@outbox.fill_at_send("registration_confirm")
def registration_link_at_send(message):
    from accounts.services import registration_token

    pending = message.concerning
    if pending is None:  # confirmed, replaced or expired since: the link leads to a fresh start
        return {REGISTRATION_PATH: reverse("accounts:register")}
    return {REGISTRATION_PATH: reverse("accounts:register_confirm", kwargs={"token": registration_token(pending)})}
