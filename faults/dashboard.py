"""The faults card on the customer's account overview (portal/dashboard.py)."""

from django.db.models import Count, Exists, OuterRef, Q

from faults.models import CONCLUDED_STATUSES, Fault, SlotStatus, Status, VisitSlot
from portal.dashboard import dashboard_card


@dashboard_card(position=30)
def faults(customer):
    # Faults waiting for the customer to choose one of the visit times offered.
    waiting = Q(Exists(VisitSlot.objects.filter(fault=OuterRef("pk"), status=SlotStatus.OFFERED)))
    waiting &= Q(status=Status.INVESTIGATING)
    counts = Fault.objects.filter(customer=customer).aggregate(
        total=Count("pk"),
        open=Count("pk", filter=~Q(status__in=CONCLUDED_STATUSES)),
        waiting=Count("pk", filter=waiting),
    )
    # Named and linked, looked up only when there is one (most overviews have none).
    to_choose = []
    if counts.pop("waiting"):
        to_choose = list(
            Fault.objects.filter(waiting, customer=customer).select_related("service__product").order_by("pk")
        )
    return {"template": "faults/_dashboard_card.html", **counts, "to_choose": to_choose}
