"""The public forms that send mail to an address the visitor types (the Code's copy, the price list): how
often they may, and what of the visitor's typing reaches the mail. One mechanism for both forms.

Limits (settings.PUBLIC_FORM_LIMITS), counted in the database so that every web process shares them:
- per visitor: PUBLIC_FORM_PER_ADDRESS_PER_HOUR uses from one IP address;
- per recipient: PUBLIC_FORM_PER_RECIPIENT_PER_HOUR and _PER_DAY messages to one inbox or one postal
  address, however many visitor addresses ask. A recipient is normalised first, so that spelling one
  address many ways does not make it many recipients: an email loses its case, its spaces and any
  "+tag" (and, at Gmail, its dots); a postal address is its postcode with the numbers in it (house,
  flat), or its first line when it has none. Only a hash of that key is stored: this table holds no
  address;
- overall: beyond PUBLIC_FORM_OVERALL_PER_HOUR uses of a form in an hour customer services are warned
  (once per form and hour), and the form stays open: closing it would refuse everybody because of one
  sender, who is held back by the two limits above.
Two requests at the same instant may both pass a limit that has one use left; the overshoot is one.

What a stranger types into our mail (decided here): the name a visitor gives is never put in an email
to the address they typed, since we cannot know that address is theirs ("Dear <whatever they typed>"
from our address is a spammer's tool). Such an email opens "Hello," and goes to the bare address
(email_addressee), unless a logged-in customer asks for it at their own account's address: then it
bears their account's name. A letter needs an addressee on the envelope, so a posted copy uses the name,
which the forms accept only when it looks like a name (portal/forms.py PersonNameField); staff see it in
the print queue before posting.
"""

import hashlib
import re
from collections import namedtuple
from datetime import UTC, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction

from portal import clock
from portal.models import PublicFormAlert, PublicFormUse
from portal.workflow import Refused

WINDOW = timedelta(hours=1)
DAY = timedelta(hours=24)
KEEP = DAY  # uses older than this count for nothing and are deleted

Recipient = namedtuple("Recipient", "kind key field")  # kind: "email" or "post"; field: the form field


class Throttled(Refused):
    """A public form used too often, by this visitor or for this recipient: the page answers 429."""


def client_ip(request):
    """The visitor's address. Behind our TLS proxy (BEHIND_TLS_PROXY) REMOTE_ADDR is the proxy's own, and
    the visitor's is the last entry of X-Forwarded-For: the one our proxy appended (entries before it
    are whatever the visitor sent, so they are never trusted)."""
    if settings.BEHIND_TLS_PROXY:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR") or None


# --- Recipients -------------------------------------------------------------------------------------

_GMAIL = {"gmail.com", "googlemail.com"}


def normalise_email(address):
    """' Dana.Dawson+code@Example.CO.UK' -> 'dana.dawson@example.co.uk'; Gmail ignores dots too."""
    address = "".join((address or "").split()).lower()
    local, at, domain = address.rpartition("@")
    if not at:
        return address
    local = local.split("+", 1)[0]
    if domain in _GMAIL:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def normalise_postal(address, postcode):
    """'Flat 2, 10 High St' + 'me14 1ab' -> 'ME141AB 2 10'; 'Rose Cottage\\nLoose' -> 'ME156AA rosecottage'."""
    postcode = "".join((postcode or "").split()).upper()
    numbers = sorted(int(n) for n in re.findall(r"\d+", address or ""))
    if numbers:
        return " ".join([postcode, *map(str, numbers)])
    first_line = next((line for line in (address or "").splitlines() if line.strip()), "")
    return f"{postcode} {re.sub(r'[^a-z]', '', first_line.lower())}"


def _hashed(kind, value):
    return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()


def email_recipient(address):
    return Recipient("email", _hashed("email", normalise_email(address)), "email")


def postal_recipient(address, postcode):
    return Recipient("post", _hashed("post", normalise_postal(address, postcode)), "address")


def email_addressee(*, customer, email):
    """The name an email to a typed address bears: the customer's own, when a logged-in customer asks for
    it at their account's address; otherwise none (the email opens "Hello,")."""
    if customer is not None and customer.email and normalise_email(customer.email) == normalise_email(email):
        return customer.display_name
    return ""


# --- The limits -------------------------------------------------------------------------------------


def _refusal(recipient, what, *, today):
    if recipient.kind == "post":
        if today:
            return (
                f"We have posted {what} to that address as many times today as we do. If it has not arrived "
                "in a few days, please call us on 01622 474730."
            )
        return f"We are already posting {what} to that address: please allow a few days for it to arrive."
    if today:
        return (
            f"We have sent {what} to that address as many times today as we do: please look in your inbox "
            "(and your junk mail folder), or call us on 01622 474730."
        )
    return (
        f"We sent {what} to that address less than an hour ago: please look in your inbox (and your junk mail folder)."
    )


def record_public_form_use(*, form, request, recipient, what, now=None):
    """Refuse (Throttled) when this visitor, or this recipient, had the form's mail too often; otherwise
    count the use, and warn customer services when everybody together passes the overall limit.
    `what` names the mail in the refusal ("our price list")."""
    now = now or clock.now()
    limits = settings.PUBLIC_FORM_LIMITS
    ip = client_ip(request)
    uses = PublicFormUse.objects.filter(form=form)
    if ip and uses.filter(ip=ip, at__gt=now - WINDOW).count() >= limits["per_address_per_hour"]:
        raise Throttled(
            "We have had many requests from here in the last hour. Please try again later, or call us on 01622 474730."
        )
    to_them = uses.filter(recipient=recipient.key)
    if to_them.filter(at__gt=now - WINDOW).count() >= limits["per_recipient_per_hour"]:
        raise Throttled(_refusal(recipient, what, today=False), field=recipient.field)
    if to_them.filter(at__gt=now - DAY).count() >= limits["per_recipient_per_day"]:
        raise Throttled(_refusal(recipient, what, today=True), field=recipient.field)
    PublicFormUse.objects.create(form=form, ip=ip, recipient=recipient.key, at=now)
    uses.filter(at__lt=now - KEEP).delete()
    count = uses.filter(at__gt=now - WINDOW).count()
    if count > limits["overall_per_hour"]:
        _warn_staff_once(form=form, count=count, limit=limits["overall_per_hour"], now=now)


def _warn_staff_once(*, form, count, limit, now):
    """One email to customer services per form and clock hour: the unique row is the claim."""
    from portal import emails

    hour = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    try:
        with transaction.atomic():
            alert = PublicFormAlert.objects.create(form=form, hour=hour, count=count, at=now)
            emails.public_form_busy(alert, limit=limit, now=now)
    except IntegrityError:
        return False  # already warned this hour
    return True
