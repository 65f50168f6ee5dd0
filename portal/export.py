"""Correspondence in the customer's data export: every email and letter we sent or owe them."""

import re

from django.utils.html import strip_tags

from portal.data_export import exporter, in_words
from portal.models import CodeCopyRequest, InboundMessage, OutboxMessage


def _letter_text(html):
    """A letter is kept as the HTML its PDF is made from: its words, one paragraph a line."""
    text = strip_tags(re.sub(r"(?is)<(style|head)\b.*?</\1>", "", html))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


@exporter("correspondence")
def correspondence(customer):
    messages = OutboxMessage.objects.filter(customer=customer).prefetch_related("attachments")
    return [
        {
            "kind": m.kind,
            "channel": m.get_channel_display(),
            "to": m.to_name,
            "email_address": m.to_email,
            "postal_address": m.postal_address,
            "subject": m.subject,
            "text": in_words(m.body_text or _letter_text(m.body_html)),
            "attachments": [{"filename": a.filename, "text": _letter_text(a.source_html)} for a in m.attachments.all()],
            "created_at": m.created_at,
            "status": m.get_status_display(),
            "sent_at": m.sent_at,
        }
        for m in messages.order_by("created_at", "id")
    ]


@exporter("code_of_practice_copies")
def code_copies(customer):
    """Copies of the Code asked for while logged in (the form keeps what was typed)."""
    return [
        {
            "name": r.name,
            "method": r.get_method_display(),
            "email": r.email,
            "postal_address": r.address,
            "postcode": r.postcode,
            "received_at": r.received_at,
        }
        for r in CodeCopyRequest.objects.filter(customer=customer).order_by("received_at", "id")
    ]


@exporter("emails_received")
def emails_received(customer):
    """Emails the customer sent to our mailbox (matched by their address, or linked by staff), as we read them."""
    return [
        {
            "reference": m.reference,
            "received_at": m.received_at,
            "from": m.from_address,
            "subject": m.subject,
            "text": m.text,
            "attachments": [a.filename for a in m.attachments.all()],
            "status": m.get_status_display(),
            "case": m.case_reference,
        }
        for m in InboundMessage.objects.filter(customer=customer)
        .prefetch_related("attachments")
        .order_by("received_at", "id")
    ]
