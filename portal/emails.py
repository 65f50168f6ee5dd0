"""One function per message the site-wide part of the portal sends: its kind, subject and templates
(templates/emails/portal/<kind>.txt and .html). Each is called inside the transaction of the change it
reports."""

from django.conf import settings

from portal import outbox

FORM_NAMES = {"code_copy": "copy of the Code of Practice", "price_list": "price list"}


def public_form_busy(alert, *, limit, now):
    """Customer services are warned that a public form is used far more than usual (portal/throttle.py).
    It goes to STAFF_ALERT_EMAIL, customer services' shared mailbox: the site-wide part knows no groups."""
    name = FORM_NAMES.get(alert.form, alert.form)
    return outbox.email(
        kind="public_form_busy", to_email=settings.STAFF_ALERT_EMAIL, to_name="Customer services",
        template="portal/public_form_busy",
        subject=f"The public {name} form is busy: {alert.count} requests in an hour",
        context={"alert": alert, "form_name": name, "limit": limit,
                 "per_recipient_per_hour": settings.PUBLIC_FORM_LIMITS["per_recipient_per_hour"],
                 "per_recipient_per_day": settings.PUBLIC_FORM_LIMITS["per_recipient_per_day"],
                 "per_address_per_hour": settings.PUBLIC_FORM_LIMITS["per_address_per_hour"]},
        concerning=alert, now=now,
    )
