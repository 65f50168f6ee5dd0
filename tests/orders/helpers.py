"""Helpers of the orders tests: orders placed and services held through the services, as customers and
staff make them (what every app's tests share is in tests/helpers.py)."""

from datetime import datetime, time, timedelta

from orders import services
from orders.models import OrderChannel
from portal.office_hours import TZ


def place(customer, product, *, received_at=None, now=None, **extra):
    """An order as the portal places it (or, with received_at, as staff enter it)."""
    fields = dict(
        customer=customer,
        product=product,
        address="12 Orchard Way\nMaidstone",
        postcode="ME17 4AA",
        contact_name=customer.full_name,
        contact_phone="01622 000101",
        received_at=received_at,
        now=now or received_at,
    )
    if received_at is not None:
        fields["channel"] = OrderChannel.PHONE
    fields.update(extra)
    return services.order_place(**fields)


def hold(customer, product, *, start, by):
    """A service the customer holds from `start`: ordered by phone a fortnight before, then completed."""
    started_at = datetime.combine(start, time(10, 0), tzinfo=TZ)
    order = place(customer, product, received_at=started_at - timedelta(days=14))
    services.order_confirm(order=order, by=by, now=started_at - timedelta(days=13))
    services.order_start(order=order, by=by, now=started_at - timedelta(days=12))
    return services.order_complete(order=order, by=by, start_date=start, now=started_at).service
