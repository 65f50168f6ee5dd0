"""The mailbox's part of the demo data (`make run`): two emails as the poller leaves them, so the triage
list has something to show: one from Alice waiting for customer services (with its receipt), and an
out-of-office note kept aside as a robot's."""

from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from portal.demo import demo_step
from portal.inbound.sorting import sort
from portal.inbound.storing import store


def _email(*, sender, subject, body, sent_at, **headers):
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, "121 Communications <Brian@121com.co.uk>", subject
    message["Date"], message["Message-ID"] = format_datetime(sent_at), make_msgid(domain="example.co.uk")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message.as_bytes()


@demo_step(position=90)
def inbound_emails(customers, staff, now):
    alice = customers.get("alice")
    if alice is None:
        return
    at = now - timedelta(hours=2)
    for raw in (
        _email(
            sender=f"{alice.full_name} <{alice.email}>",
            subject="Moving house in January",
            body="Hello,\n\nWe move on 15 January. Can my broadband move with us? My account username is alice.\n\nAlice",
            sent_at=at,
        ),
        _email(
            sender="Auto Reply <facilities@example.org>",
            subject="Out of office",
            body="I am out of the office until Monday.",
            sent_at=at,
            Auto_Submitted="auto-replied",
        ),
    ):
        message, _ = store(raw, received_at=at, source="demo", now=now)
        sort(message.pk, now=now)
