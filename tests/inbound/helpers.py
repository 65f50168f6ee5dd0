"""Emails as customers' mail programs (and robots) write them, as bytes for the mailbox."""

from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid

from portal.inbound.poller import fetch_mail
from portal.models import InboundMessage


def email(
    *,
    sender="alice@example.co.uk",
    name="Alice Archer",
    subject="Hello",
    body="Hello, this is Alice.",
    html=None,
    message_id=None,
    in_reply_to=None,
    references=None,
    headers=None,
    attachments=(),
    date=None,
):
    """An email as a mail program sends it (CRLF line ends, a Message-ID unless message_id="")."""
    message = EmailMessage(policy=SMTP)
    message["From"] = f"{name} <{sender}>" if name else sender
    message["To"] = "121 Communications <Brian@121com.co.uk>"
    message["Subject"] = subject
    if message_id != "":
        message["Message-ID"] = message_id or make_msgid(domain="mail.example.co.uk")
    if date is not None:
        message["Date"] = format_datetime(date)
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    for key, value in (headers or {}).items():
        message[key] = value
    if html is not None and body is None:
        message.set_content(html, subtype="html")
    else:
        message.set_content(body)
        if html is not None:
            message.add_alternative(html, subtype="html")
    for filename, content, mimetype in attachments:
        maintype, subtype = mimetype.split("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()


def bounce(*, original_message_id, to="nobody@example.co.uk"):
    """A delivery status notification as a mail server sends it: multipart/report, from MAILER-DAEMON,
    with an empty Return-Path."""
    return (
        "Return-Path: <>\r\n"
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.co.uk>\r\n"
        "To: Brian@121com.co.uk\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: {make_msgid(domain='mx.example.co.uk')}\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"\r\n'
        "\r\n"
        "--BOUNDARY\r\n"
        "Content-Type: text/plain\r\n\r\n"
        f"Your message to {to} could not be delivered.\r\n"
        "--BOUNDARY\r\n"
        "Content-Type: message/delivery-status\r\n\r\n"
        f"Final-Recipient: rfc822; {to}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "--BOUNDARY\r\n"
        "Content-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {original_message_id}\r\n"
        "--BOUNDARY--\r\n"
    ).encode()


def poll(**kwargs):
    """One pass of the poller, as the periodic job and `manage.py fetch_mail` run it."""
    return fetch_mail(**kwargs)


def stored(**filters):
    return InboundMessage.objects.filter(**filters)
