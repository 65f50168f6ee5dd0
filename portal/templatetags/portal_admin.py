from django import template
from django.db.models import Count, Q

from portal import message_access
from portal.models import Channel, OutboxMessage, Status

register = template.Library()


@register.inclusion_tag("admin/portal_alerts.html", takes_context=True)
def outbox_alerts(context):
    """What needs staff on the admin's front page: failed and unknown messages and letters waiting to be posted, of
    those the reader may read; letters only for those who run the print queue."""
    request = context.get("request")
    user = request.user
    # Only the rows in the index of what needs staff (portal_outbox_needs_staff), not the million sent ones.
    needing = OutboxMessage.objects.filter(status__in=[Status.FAILED, Status.UNKNOWN, Status.TO_PRINT])
    counts = message_access.readable_by(user, needing).aggregate(
        failed=Count("pk", filter=Q(status=Status.FAILED)),
        unknown=Count("pk", filter=Q(status=Status.UNKNOWN)),
        to_print=Count("pk", filter=Q(channel=Channel.LETTER, status=Status.TO_PRINT)),
    )
    if not user.has_perm("portal.view_printqueueletter"):
        counts["to_print"] = 0
    if not user.has_perm("portal.view_outboxmessage"):
        counts["failed"] = counts["unknown"] = 0
    return {**counts, "request": request}
