"""What the reminder ladder's tests share: the catalogue, services a customer holds, and the portal's clock
moved to a London day."""

import importlib
from datetime import date, time, timedelta
from decimal import Decimal

from django.apps import apps

from orders.models import Product, Service, ServiceEvent
from portal import clock
from portal.models import OutboxMessage
from portal.office_hours import london_time

# The invoice of the ladder's tests: issued on 1 January 2027, due on 15 January.
ISSUED = date(2027, 1, 1)
DUE = ISSUED + timedelta(days=14)


def catalogue():
    """The catalogue of the data migration (a transactional test elsewhere may have emptied it)."""
    importlib.import_module("orders.migrations.0002_catalogue").add_products(apps, None)


def holds(customer, *codes):
    """Active services the customer holds, as the orders app makes them from completed orders."""
    if not Product.objects.exists():
        catalogue()
    made = []
    for code in codes:
        product = Product.objects.get(code=code)
        made.append(
            Service.objects.create(
                customer=customer,
                product=product,
                address=customer.address,
                postcode=customer.postcode,
                start_date=date(2026, 6, 1),
                minimum_term_end=date(2027, 6, 1),
                monthly_price=product.monthly_price or Decimal("0"),
            )
        )
    return made


def days_late(n, hour=10):
    """The moment n days after the invoice's due date, at `hour` London time."""
    return london_time(DUE + timedelta(days=n), time(hour, 0))


def move_clock(monkeypatch, moment):
    monkeypatch.setattr(clock, "now", lambda: moment)
    return moment


def statuses(services):
    return [Service.objects.get(pk=s.pk).status for s in services]


def service_events(service, kind):
    return list(ServiceEvent.objects.filter(service=service, kind=kind).values_list("text", flat=True))


def messages(kind, customer):
    return list(OutboxMessage.objects.filter(kind=kind, customer=customer).order_by("id"))
