"""Helpers of the faults tests: services to report on, and faults moved along through the services as
customers and staff would (what every app's tests share is in tests/helpers.py)."""

from datetime import date
from decimal import Decimal

from faults import services
from faults.checks import checks_for
from faults.models import Status
from orders.models import Product, Service
from tests.helpers import ldn

DESCRIPTION = "The broadband drops every few minutes in the evening and the router light flashes orange."


def make_service(customer, code="fttc", status="active"):
    """A service the customer holds, as the orders app would have made it from a completed order."""
    product = Product.objects.get(code=code)
    return Service.objects.create(
        customer=customer,
        product=product,
        address=customer.address,
        postcode=customer.postcode,
        start_date=date(2026, 1, 5),
        minimum_term_end=date(2027, 1, 5),
        monthly_price=product.monthly_price or Decimal("0"),
        status=status,
    )


def answers_for(service, answer="No"):
    return [answer if c.kind == "yes_no" else f"Answer to {c.key}" for c in checks_for(service)]


def report(customer, service=None, *, at, **kwargs):
    """A fault reported in the portal at `at`, every check answered."""
    service = service or make_service(customer)
    kwargs.setdefault("answers", answers_for(service))
    kwargs.setdefault("description", DESCRIPTION)
    return services.fault_report(customer=customer, service=service, reported_at=at, now=at, **kwargs)


def investigating(fault, by, *, at):
    return services.fault_set_status(fault=fault, to=Status.INVESTIGATING, by=by, now=at)


def offer(fault, by, *, at, slots):
    return services.visit_slots_offer(fault=fault, slots=slots, by=by, now=at)


def accept(slot, customer, *, at, **kwargs):
    kwargs.setdefault("charge_understood", True)
    kwargs.setdefault("amount_shown", services.visit_charge_amount())  # what the page shows
    return services.visit_slot_accept(slot=slot, customer=customer, now=at, **kwargs)


def booked(customer, engineer, *, slot_day=date(2026, 12, 1), window="afternoon"):
    """A fault reported on Saturday night (28 Nov 2026, 22:30), investigated on Monday morning, with one
    visit offered and accepted: Tuesday 1 December, afternoon, unless told otherwise."""
    fault = report(customer, at=ldn(2026, 11, 28, 22, 30))
    investigating(fault, engineer, at=ldn(2026, 11, 30, 9, 5))
    [slot] = offer(fault, engineer, at=ldn(2026, 11, 30, 9, 10), slots=[(slot_day, window)])
    accept(slot, customer, at=ldn(2026, 11, 30, 9, 20), amount_shown="85.00")
    fault.refresh_from_db()
    slot.refresh_from_db()
    return fault, slot


AFTER_VISIT = ldn(2026, 12, 1, 15, 0)  # the engineer has been (Tuesday afternoon)
