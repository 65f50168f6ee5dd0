"""The faults card on the customer's account overview (portal/dashboard.py)."""

from django.db.models import Count, Q

from faults.models import CONCLUDED_STATUSES, Fault, SlotStatus, Status
from portal.dashboard import dashboard_card


@dashboard_card(position=30)
def faults(customer):
    counts = Fault.objects.filter(customer=customer).aggregate(
        # distinct: counting visit times joins the slots, which would count a fault once per slot.
        total=Count("pk", distinct=True),
        open=Count("pk", filter=~Q(status__in=CONCLUDED_STATUSES), distinct=True),
    )
    # The faults waiting for the customer to choose a visit time, named and linked (one query).
    to_choose = list(
        Fault.objects.filter(customer=customer, status=Status.INVESTIGATING, slots__status=SlotStatus.OFFERED)
        .select_related("service__product")
        .distinct()
        .order_by("pk")
    )
    return {"template": "faults/_dashboard_card.html", **counts, "to_choose": to_choose}
