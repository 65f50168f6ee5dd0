"""The complaints card on the customer's account overview (portal/dashboard.py)."""

from complaints.models import Complaint, Status
from portal.dashboard import dashboard_card
from portal.figures import Figure


@dashboard_card(
    position=40,
    figures={"total": Figure.count(Complaint), "open": Figure.count(Complaint, "status <> %s", Status.CLOSED)},
)
def complaints(customer, figures):
    return {"template": "complaints/_dashboard_card.html", **figures}
