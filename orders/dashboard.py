"""The orders card on the customer's account overview (portal/dashboard.py)."""

from django.db.models import Count, Q

from orders.models import Order, OrderStatus, Service, ServiceStatus
from portal.dashboard import dashboard_card

OPEN_ORDERS = [OrderStatus.PLACED, OrderStatus.CONFIRMED, OrderStatus.IN_PROGRESS]


@dashboard_card(position=20)
def orders(customer):
    held = Service.objects.filter(customer=customer).aggregate(
        active=Count("pk", filter=~Q(status=ServiceStatus.CEASED)),
        cancelling=Count("pk", filter=Q(status=ServiceStatus.CANCELLING)),
    )
    open_orders = Order.objects.filter(customer=customer, status__in=OPEN_ORDERS).count()
    return {"template": "orders/_dashboard_card.html", "open_orders": open_orders, **held}
