from django import template
from django.db.models import Count, Q

from portal.models import Channel, OutboxMessage, Status

register = template.Library()


@register.inclusion_tag("admin/portal_alerts.html", takes_context=True)
def outbox_alerts(context):
    """What needs staff on the admin's front page: failed messages and letters waiting to be posted."""
    counts = OutboxMessage.objects.aggregate(
        failed=Count("pk", filter=Q(status=Status.FAILED)),
        to_print=Count("pk", filter=Q(channel=Channel.LETTER, status=Status.TO_PRINT)),
    )
    return {**counts, "request": context.get("request")}
