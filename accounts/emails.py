"""One function per message about an account: its kind, subject and templates (templates/emails/accounts/).

Each is called inside the transaction of the change it reports, so the message is saved with it or
not at all. `base_url` is the portal's own address as the visitor reached it ("https://host"): the
worker that sends the email has no request to ask.
"""

from datetime import timedelta

from django.urls import reverse

from accounts import data_export
from portal import outbox
from portal.models import OutboxMessage

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
