"""One function per message the site-wide part of the portal sends: its kind, subject and context. The
kind is the template's name (templates/emails/portal/<kind>.txt and .html, templates/letters/portal/
<kind>.html). Each is called inside the transaction of the change it reports.

Alerts to a staff group about a case are portal.outbox.email_staff's; this part of the portal knows no
groups, so its one warning goes to customer services' shared mailbox."""

from django.conf import settings

from portal import outbox, throttle
from portal.models import CopyMethod
from portal.office_hours import is_open, next_opening
from portal.validators import header_value

# The kinds of this module's messages in words, for the outbox and the print queue.
outbox.name_kinds(
    {
        "code_copy": "Copy of the Code of Practice",
        "public_form_busy": "Alert: public forms busy",
        "inbound_receipt": "Receipt for an email",
    }
)

FORM_NAMES = {"code_copy": "copy of the Code of Practice", "price_list": "price list"}


CODE_COPY_SUBJECT = "The 121 Communications Code of Practice"


def code_copy(copy_request, *, now):
    """Code: "requesting a copy to be posted or emailed". By email, the Code comes as a PDF of the letter;
    by post, the letter itself, to the address typed."""
    if copy_request.method == CopyMethod.EMAIL:
        # The typed name stays out of an email to a typed address (portal/throttle.py says why).
        to_name = throttle.email_addressee(customer=copy_request.customer, email=copy_request.email)
        return outbox.email(
            kind="code_copy",
            to_email=copy_request.email,
            to_name=to_name,
            template="portal/code_copy",
            subject=CODE_COPY_SUBJECT,
            context={},
            customer=copy_request.customer,
            concerning=copy_request,
            now=now,
            attachments=[
                outbox.Attachment(
                    filename="121-communications-code-of-practice.pdf",
                    html=outbox.render_letter(
                        "portal/code_copy",
                        context={},
                        subject=CODE_COPY_SUBJECT,
                        to_name=to_name,
                        address_lines=[],
                        now=now,
                    ),
                )
            ],
        )
    lines = [line.strip() for line in copy_request.address.splitlines() if line.strip()] + [copy_request.postcode]
    return outbox.letter(
        kind="code_copy",
        to_name=copy_request.name,
        address_lines=lines,
        template="portal/code_copy",
        subject=CODE_COPY_SUBJECT,
        context={},
        customer=copy_request.customer,
        concerning=copy_request,
        now=now,
    )


def public_form_busy(alert, *, limit, now):
    """Customer services are warned that a public form is used far more than usual (portal/throttle.py).
    It goes to STAFF_ALERT_EMAIL, customer services' shared mailbox: the site-wide part knows no groups."""
    name = FORM_NAMES.get(alert.form, alert.form)
    return outbox.email(
        kind="public_form_busy",
        to_email=settings.STAFF_ALERT_EMAIL,
        to_name="Customer services",
        template="portal/public_form_busy",
        subject=f"The public {name} form is busy: {alert.count} requests in an hour",
        context={
            "alert": alert,
            "form_name": name,
            "limit": limit,
            "per_recipient_per_hour": settings.PUBLIC_FORM_LIMITS["per_recipient_per_hour"],
            "per_recipient_per_day": settings.PUBLIC_FORM_LIMITS["per_recipient_per_day"],
            "per_address_per_hour": settings.PUBLIC_FORM_LIMITS["per_address_per_hour"],
        },
        concerning=alert,
        now=now,
    )


def inbound_receipt(message, *, now):
    """The automatic receipt of an email that reached our mailbox (portal/inbound/sorting.py): sent at
    once, at any hour, quoting the email's reference and saying when the office next opens, threaded
    under the customer's email (In-Reply-To) so it sits with it in their mail program."""
    refused = [a for a in message.attachments.all() if a.refused]
    return outbox.email(
        kind="inbound_receipt",
        to_email=message.from_address,
        to_name=header_value(message.from_name) or (message.customer.display_name if message.customer else ""),
        template="portal/inbound_receipt",
        subject=f"We have received your email ({message.reference})",
        context={
            "email": message,
            "office_open": is_open(now),
            "next_opening": next_opening(now),
            "refused": refused,
            "max_attachment_bytes": settings.INBOUND_MAX_ATTACHMENT_BYTES,
        },
        customer=message.customer,
        concerning=message,
        in_reply_to=message.message_id,
        references=[*message.references.split(), message.message_id] if message.message_id else (),
        now=now,
    )
