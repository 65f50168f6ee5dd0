"""One function per message the accounts app sends: its kind, subject and templates.

Each is called inside the transaction of the change it reports, so the message is saved with it or not
at all (portal/outbox.py); templates are under templates/emails/accounts/ (and letters/accounts/).
"""

from portal import outbox

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
