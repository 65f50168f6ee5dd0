"""The account's own part of the customer's data export."""

from axes.models import AccessAttempt, AccessFailureLog, AccessLog

from accounts.models import ConsentChannel
from portal.data_export import exporter

NOT_KEPT = "(not kept: django-axes stores it masked)"
SESSION_FINGERPRINT = "(a fingerprint of the log-in session, kept but not shown: it is a security key)"
FORM_TOKEN = "(a form security token, kept but not shown: it is a security key)"


@exporter("account")
def account(customer):
    return {
        "account_username": customer.username,
        "full_name": customer.full_name,
        "company_name": customer.company_name,
        "email": customer.email,
        "phone": customer.phone,
        "postal_address": customer.address,
        "postcode": customer.postcode,
        "customer_type": customer.get_customer_type_display(),
        "correspondence": customer.get_correspondence_display(),
        "joined": customer.date_joined,
        "last_login": customer.last_login,
        "password": "(kept only as a one-way hash, which cannot be turned back into the password)",
    }


def _recorded_by(consent):
    if consent.recorded_by is None:
        return (
            "you" if consent.channel in (ConsentChannel.PORTAL, ConsentChannel.REGISTRATION) else "121 Communications"
        )
    return f"{consent.recorded_by.full_name or consent.recorded_by.username}, 121 Communications staff"


@exporter("marketing_consent")
def marketing_consent(customer):
    return [
        {
            "opted_in": c.opted_in,
            "at": c.at,
            "channel": c.get_channel_display(),
            "recorded_by": _recorded_by(c),
            "note": c.note,
        }
        for c in customer.marketing_consents.select_related("recorded_by").order_by("at", "id")
    ]


@exporter("account_changes_by_staff")
def account_changes_by_staff(customer):
    return [
        {"at": e.at, "what": e.get_kind_display(), "details": e.text}
        for e in customer.account_events.order_by("at", "id")
    ]


def _form_data(text):
    """What django-axes kept of a failed log-in form: the password and what was typed are stored
    masked; the form's security token is a secret, named here and not shown."""
    lines = []
    for line in (text or "").splitlines():
        key, equals, value = line.partition("=")
        if equals and key == "csrfmiddlewaretoken":
            line = f"{key}={FORM_TOKEN}"
        elif equals and value and set(value) == {"*"}:
            line = f"{key}={NOT_KEPT}"
        lines.append(line)
    return "\n".join(lines)


def _attempt(record):
    return {
        "at": record.attempt_time,
        "internet_address": record.ip_address,
        "browser": record.user_agent,
        "browser_accepts": record.http_accept,
        "page": record.path_info,
    }


@exporter("login_records")
def login_records(customer):
    """What django-axes keeps: every log-in, and failed attempts until they are cleared.

    Its rows name the account by its username (accounts.backends.axes_username turns an email address
    into the account's username). Attempts on that name from before the account existed were someone
    else's, not this customer's, so they stay out."""
    mine = {"username": customer.username, "attempt_time__gte": customer.date_joined}
    return {
        "logins": [
            {**_attempt(r), "logged_out_at": r.logout_time, "session": SESSION_FINGERPRINT if r.session_hash else ""}
            for r in AccessLog.objects.filter(**mine).order_by("attempt_time", "id")
        ],
        "failed_attempts": [
            {
                **_attempt(r),
                "failures": r.failures_since_start,
                "form_sent": _form_data(r.post_data),
                "address_query": _form_data(r.get_data),
            }
            for r in AccessAttempt.objects.filter(**mine).order_by("attempt_time", "id")
        ],
        "failed_attempts_log": [
            {**_attempt(r), "locked_out": r.locked_out}
            for r in AccessFailureLog.objects.filter(**mine).order_by("attempt_time", "id")
        ],
    }
