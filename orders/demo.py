"""Demo data: Alice holds FTTC (started three months ago) and has a shared hosting order placed; Carol's
bakery holds an ISDN2 line. Made through the services, so each has its timeline and its messages."""

from datetime import time, timedelta

from django.db.models import F

from orders import services
from orders.models import OrderChannel, Product
from portal.dates import add_months
from portal.demo import demo_step
from portal.models import Channel, OutboxMessage, Status
from portal.office_hours import london, london_time


def _held_service(customer, product, *, start, by):
    """An order taken by phone a fortnight before `start` and completed on it, as history."""
    started_at = london_time(start, time(10, 0))
    received_at = started_at - timedelta(days=14)
    order = services.order_place(
        customer=customer,
        product=product,
        channel=OrderChannel.PHONE,
        received_at=received_at,
        entered_by=by,
        address=customer.address,
        postcode=customer.postcode,
        contact_name=customer.full_name,
        contact_phone=customer.phone,
        contact_email=customer.email,
        now=received_at,
    )
    order = services.order_confirm(order=order, by=by, now=received_at + timedelta(hours=1))
    order = services.order_start(order=order, by=by, now=received_at + timedelta(days=1))
    services.order_complete(order=order, by=by, start_date=start, now=started_at)
    # Those messages went long ago: two minutes after they were written, letters posted.
    waiting = OutboxMessage.objects.filter(customer=customer, status=Status.QUEUED)
    waiting.filter(channel=Channel.EMAIL).update(status=Status.SENT, sent_at=F("created_at") + timedelta(minutes=2))
    waiting.filter(channel=Channel.LETTER).update(status=Status.POSTED, sent_at=F("created_at") + timedelta(hours=2))


@demo_step
def orders_demo(customers, staff, now):
    products = {p.code: p for p in Product.objects.all()}
    today = london(now).date()
    alice, carol, sam = customers["alice"], customers["carolsbakery"], staff["sam"]
    _held_service(alice, products["fttc"], start=add_months(today, -3), by=sam)
    _held_service(carol, products["isdn2"], start=add_months(today, -5), by=sam)
    services.order_place(
        customer=alice,
        product=products["shared-hosting"],
        address=alice.address,
        postcode=alice.postcode,
        contact_name=alice.full_name,
        contact_phone=alice.phone,
        contact_email=alice.email,
        notes="For the village hall's website.",
        now=now,
    )
