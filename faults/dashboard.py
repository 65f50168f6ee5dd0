"""The faults card on the customer's account overview (portal/dashboard.py)."""

from django.db.models import Exists, OuterRef

from faults.models import CONCLUDED_STATUSES, Fault, SlotStatus, Status, VisitSlot
from portal.dashboard import dashboard_card
from portal.figures import Figure, placeholders

CONCLUDED = sorted(CONCLUDED_STATUSES)
SLOTS = VisitSlot._meta.db_table


@dashboard_card(
    position=30,
    figures={
        "total": Figure.count(Fault),
        "open": Figure.count(Fault, f"status NOT IN {placeholders(CONCLUDED)}", *CONCLUDED),
        # Faults waiting for the customer to choose one of the visit times offered.
        "waiting": Figure.count(
            Fault,
            f"status = %s AND EXISTS (SELECT 1 FROM {SLOTS} s WHERE s.fault_id = {Fault._meta.db_table}.id"
            " AND s.status = %s)",
            Status.INVESTIGATING,
            SlotStatus.OFFERED,
        ),
    },
)
def faults(customer, figures):
    # Named and linked, looked up only when there is one (most overviews have none).
    to_choose = []
    if figures["waiting"]:
        waiting = Exists(VisitSlot.objects.filter(fault=OuterRef("pk"), status=SlotStatus.OFFERED))
        to_choose = list(
            Fault.objects.filter(waiting, status=Status.INVESTIGATING, customer=customer)
            .select_related("service__product")
            .order_by("pk")
        )
    return {
        "template": "faults/_dashboard_card.html",
        "total": figures["total"],
        "open": figures["open"],
        "to_choose": to_choose,
    }
