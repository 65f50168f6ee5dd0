"""Lists cost the same number of queries with 1 row as with 50: no query per row.

The counts measured are printed with `-s` for the closing notes of the issue."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from orders.models import Cancellation, CancellationStatus, Order, OrderEvent, Service, ServiceEvent, ServiceStatus
from portal.models import OutboxMessage, Status
from tests.helpers import queries_for_get


def add_orders(customer, product, n):
    now = timezone.now()
    messages = OutboxMessage.objects.bulk_create(
        OutboxMessage(
            channel="email",
            kind="order_received",
            customer=customer,
            to_name="A",
            to_email="a@example.org",
            subject="Order",
            status=Status.SENT,
            sent_at=now,
            due_at=now + timedelta(hours=4),
        )
        for _ in range(n)
    )
    Order.objects.bulk_create(
        Order(
            customer=customer,
            product=product,
            address="1 Road\nMaidstone",
            postcode="ME14 1AA",
            contact_name="A",
            monthly_price=product.monthly_price,
            setup_fee=product.setup_fee,
            received_at=now - timedelta(minutes=i),
            confirmation_due_at=now + timedelta(hours=4),
            confirmation_message=message,
        )
        for i, message in enumerate(messages)
    )


def add_services(customer, product, n, *, by):
    """n services, every other one cancelling with a withdrawal date, each with a timeline."""
    held = Service.objects.bulk_create(
        Service(
            customer=customer,
            product=product,
            address="1 Road\nMaidstone",
            postcode="ME14 1AA",
            start_date=date(2026, 1, 1),
            minimum_term_end=date(2027, 1, 1),
            monthly_price=product.monthly_price,
            status=ServiceStatus.CANCELLING if i % 2 else ServiceStatus.ACTIVE,
        )
        for i in range(n)
    )
    Cancellation.objects.bulk_create(
        Cancellation(
            service=s,
            channel="portal",
            received_at=timezone.now(),
            quoted_username=customer.username,
            withdrawal_date=date(2027, 1, 1),
            withdrawal_reason="minimum_term",
            service_status_before=ServiceStatus.ACTIVE,
            status=CancellationStatus.ACTIVE,
            recorded_by=customer,
        )
        for s in held
        if s.status == ServiceStatus.CANCELLING
    )
    ServiceEvent.objects.bulk_create(ServiceEvent(service=s, kind="started", text="Started.", by=by) for s in held)
    return held


def compare(client, url, add, user):
    client.force_login(user)
    add(1)
    one = queries_for_get(client, url)
    add(49)
    fifty = queries_for_get(client, url)
    print(f"\n{url}: {one} queries with 1 row, {fifty} with 50")
    return one, fifty


@pytest.mark.parametrize(
    "url",
    [
        reverse("orders:service_list"),
        reverse("admin:orders_service_changelist"),
        reverse("admin:orders_cancellation_changelist"),
    ],
)
def test_the_services_pages_cost_the_same_with_1_and_50_services(client, alice, sam, fttc, url):
    user = sam if url.startswith("/admin/") else alice
    one, fifty = compare(client, url, lambda n: add_services(alice, fttc, n, by=sam), user)

    assert one == fifty


@pytest.mark.parametrize("url", [reverse("orders:order_list"), reverse("admin:orders_order_changelist")])
def test_the_orders_pages_cost_the_same_with_1_and_50_orders(client, alice, sam, fttc, url):
    user = sam if url.startswith("/admin/") else alice
    one, fifty = compare(client, url, lambda n: add_orders(alice, fttc, n), user)

    assert one == fifty


def test_a_service_page_costs_the_same_with_1_and_50_timeline_events(client, alice, sam, alices_fttc):
    client.force_login(alice)
    url = reverse("orders:service_detail", args=[alices_fttc.pk])
    one = queries_for_get(client, url)
    ServiceEvent.objects.bulk_create(
        ServiceEvent(service=alices_fttc, kind="settings", text=f"Change {i}", by=alice) for i in range(49)
    )

    fifty = queries_for_get(client, url)

    print(f"\n{url}: {one} queries with 1 event, {fifty} with 50")
    assert one == fifty
    assert one == 3  # the session, the customer, the service with its timeline and its cancellation in progress


def test_a_service_page_shows_its_cancellation_in_progress_for_no_query_more(client, alice, sam, fttc):
    [kept, cancelling] = add_services(alice, fttc, 2, by=sam)
    client.force_login(alice)

    without = queries_for_get(client, reverse("orders:service_detail", args=[kept.pk]))
    with_one = queries_for_get(client, reverse("orders:service_detail", args=[cancelling.pk]))
    page = client.get(reverse("orders:service_detail", args=[cancelling.pk])).content.decode()

    assert with_one == without
    assert "Cancellation requested" in page
    assert re.search(r'id="withdrawal-date">[^<]*1 January 2027<', page)
    assert "Cancellation requested" not in client.get(reverse("orders:service_detail", args=[kept.pk])).content.decode()


def test_an_order_page_costs_three_queries_however_long_its_timeline_and_hides_staff_notes(client, alice, sam, fttc):
    add_orders(alice, fttc, 1)
    order = Order.objects.get(customer=alice)
    client.force_login(alice)
    url = reverse("orders:order_detail", args=[order.pk])
    one = queries_for_get(client, url)
    OrderEvent.objects.bulk_create(
        [OrderEvent(order=order, kind="customer_message", text=f"Question {i}", by=alice) for i in range(20)]
        + [OrderEvent(order=order, kind="confirmed", text="Order accepted by us.", by=sam)]
        + [OrderEvent(order=order, kind="customer_message", text="Staff only: check the line.", by=sam, internal=True)]
    )

    many = queries_for_get(client, url)
    page = client.get(url).content.decode()

    assert one == many == 3  # the session, the customer, the order with its service and timeline
    assert "Question 19" in page and "Order accepted by us. <span" in page
    assert "Staff only" not in page
    assert page.index("Question 0") < page.index("Question 19")
