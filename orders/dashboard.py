"""The orders card on the customer's account overview (portal/dashboard.py)."""

from orders.models import Order, OrderStatus, Service, ServiceStatus
from portal.dashboard import dashboard_card
from portal.figures import Figure, placeholders

OPEN_ORDERS = [OrderStatus.PLACED, OrderStatus.CONFIRMED, OrderStatus.IN_PROGRESS]


@dashboard_card(
    position=20,
    figures={
        "active": Figure.count(Service, "status <> %s", ServiceStatus.CEASED),
        "cancelling": Figure.count(Service, "status = %s", ServiceStatus.CANCELLING),
        "open_orders": Figure.count(Order, f"status IN {placeholders(OPEN_ORDERS)}", *OPEN_ORDERS),
    },
)
def orders(customer, figures):
    return {"template": "orders/_dashboard_card.html", **figures}
