from django.db.models import Count, Q

from complaints.models import Complaint, Status
from portal.dashboard import dashboard_card


@dashboard_card(position=40)
def complaints(customer):
    counts = Complaint.objects.filter(customer=customer).aggregate(
        total=Count("pk"), open=Count("pk", filter=~Q(status=Status.CLOSED))
    )
    return {"template": "complaints/_dashboard_card.html", **counts}
