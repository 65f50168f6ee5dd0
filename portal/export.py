"""Correspondence in the customer's data export: every email and letter we sent or owe them."""

from accounts.data_export import exporter
from portal.models import OutboxMessage


@exporter("correspondence")
def correspondence(customer):
    return [
        {
            "kind": m.kind,
            "channel": m.get_channel_display(),
            "subject": m.subject,
            "text": m.body_text,
            "created_at": m.created_at,
            "status": m.get_status_display(),
            "sent_at": m.sent_at,
        }
        for m in OutboxMessage.objects.filter(customer=customer).order_by("created_at", "id")
    ]
