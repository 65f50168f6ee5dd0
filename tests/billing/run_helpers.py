"""Helpers of the billing run tests: services held, suspended and cancelled as the orders app leaves them,
and the catalogue put back (a transactional test elsewhere empties every table)."""

import importlib
from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.apps import apps

from orders.models import (
    Cancellation,
    CancellationChannel,
    CancellationStatus,
    Order,
    Product,
    Service,
    ServiceEvent,
    ServiceEventKind,
    ServiceStatus,
    WithdrawalReason,
)
from portal.office_hours import TZ


def catalogue():
    if not Product.objects.exists():
        importlib.import_module("orders.migrations.0002_catalogue").add_products(apps, None)
    return {p.code: p for p in Product.objects.all()}


def at_noon(day):
    return datetime.combine(day, time(12, 0), tzinfo=TZ)


def held(customer, code="fttc", *, start=date(2026, 6, 1), price=None, setup_fee=None, ceased_on=None):
    """A service the customer holds from `start`, from a completed order (the set-up fee agreed on it)."""
    product = catalogue()[code]
    price = Decimal(price) if price is not None else product.monthly_price
    order = Order.objects.create(
        customer=customer,
        product=product,
        status="completed",
        address=customer.address or "1 Test Street",
        postcode=customer.postcode or "ME14 1AA",
        contact_name=customer.full_name,
        monthly_price=price,
        setup_fee=Decimal(setup_fee) if setup_fee is not None else product.setup_fee,
        received_at=at_noon(start),
        confirmation_due_at=at_noon(start),
    )
    return Service.objects.create(
        customer=customer,
        product=product,
        order=order,
        address=order.address,
        postcode=order.postcode,
        start_date=start,
        minimum_term_end=start,
        monthly_price=price,
        status=ServiceStatus.CEASED if ceased_on else ServiceStatus.ACTIVE,
        ceased_on=ceased_on,
    )


def suspend(service, on, *, resumed_on=None):
    """Suspended for non-payment on `on` (and restored on `resumed_on`), as the timeline records it."""
    ServiceEvent.objects.create(service=service, kind=ServiceEventKind.SUSPENDED, at=at_noon(on), text="Suspended")
    if resumed_on:
        ServiceEvent.objects.create(
            service=service, kind=ServiceEventKind.RESUMED, at=at_noon(resumed_on), text="Restored"
        )
    else:
        Service.objects.filter(pk=service.pk).update(status=ServiceStatus.SUSPENDED)


def cancel(service, *, withdrawal_date, received=None):
    """A cancellation in hand: the service is withdrawn on `withdrawal_date` and charged until the day before."""
    Service.objects.filter(pk=service.pk).update(status=ServiceStatus.CANCELLING)
    return Cancellation.objects.create(
        service=service,
        channel=CancellationChannel.PORTAL,
        received_at=at_noon(received or withdrawal_date.replace(day=1)),
        quoted_username=service.customer.username,
        withdrawal_date=withdrawal_date,
        withdrawal_reason=WithdrawalReason.NOTICE,
        status=CancellationStatus.ACTIVE,
        service_status_before=ServiceStatus.ACTIVE,
    )


def issue_time(day):
    """06:00 London on `day`: when the run issues that morning's invoices."""
    return datetime.combine(day, time(6, 0), tzinfo=TZ)


@pytest.fixture
def media(settings, tmp_path):
    """Stored PDFs go to this test's own folder (the storage API's MEDIA_ROOT)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
