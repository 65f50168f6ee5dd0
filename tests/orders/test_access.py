"""A customer reaches only their own orders, services and cancellations: another customer's id answers
404, for GET and POST alike, and changes nothing. Staff work in the admin; visitors must log in."""

import pytest
from django.urls import reverse
from django.utils import timezone

from orders import services
from orders.models import Cancellation, CancellationChannel, Order, Service, ServiceStatus
from tests.orders.helpers import place


@pytest.fixture
def alices_things(alice, alices_fttc, fttc):
    order = place(alice, fttc)
    cancellation = services.cancellation_request(
        service=alices_fttc,
        channel=CancellationChannel.PORTAL,
        received_at=timezone.now(),
        quoted_username="alice",
        recorded_by=alice,
    )
    return {"order": order, "service": alices_fttc, "cancellation": cancellation}


def id_urls(things):
    return [
        ("GET", reverse("orders:order_detail", args=[things["order"].pk])),
        ("GET", reverse("orders:service_detail", args=[things["service"].pk])),
        ("POST", reverse("orders:service_detail", args=[things["service"].pk])),
        ("GET", reverse("orders:service_cancel", args=[things["service"].pk])),
        ("POST", reverse("orders:service_cancel", args=[things["service"].pk])),
        ("POST", reverse("orders:cancellation_withdraw", args=[things["cancellation"].pk])),
    ]


def snapshot():
    return (
        list(Order.objects.values_list("pk", "status").order_by("pk")),
        list(Service.objects.values_list("pk", "status", "nickname", "fault_contact_name").order_by("pk")),
        list(Cancellation.objects.values_list("pk", "status").order_by("pk")),
    )


def test_every_id_url_answers_404_to_another_customer_and_changes_nothing(client, bob, alices_things):
    client.force_login(bob)
    before = snapshot()
    data = {
        "nickname": "Bob's now",
        "fault_contact_name": "Bob",
        "fault_contact_phone": "1",
        "quoted_username": "alice",
        "requested_date": "",
    }

    for method, url in id_urls(alices_things):
        response = client.get(url) if method == "GET" else client.post(url, data)
        assert response.status_code == 404, (method, url, response.status_code)
        assert "Alice" not in response.content.decode()

    assert snapshot() == before


def test_the_order_page_refuses_a_post_from_everybody_and_changes_nothing(client, alice, bob, alices_things):
    """It has no form: a POST is refused (405) before anything is looked up, whoever sends it."""
    url = reverse("orders:order_detail", args=[alices_things["order"].pk])
    before = snapshot()

    for customer in (alice, bob):
        client.force_login(customer)
        response = client.post(url, {"notes": "Changed"})
        assert response.status_code == 405
        assert "Alice" not in response.content.decode()

    assert snapshot() == before


def test_withdrawing_a_cancellation_by_get_is_refused_for_everybody(client, alice, bob, alices_things):
    url = reverse("orders:cancellation_withdraw", args=[alices_things["cancellation"].pk])

    for customer in (alice, bob):
        client.force_login(customer)
        assert client.get(url).status_code == 405

    assert Service.objects.get(pk=alices_things["service"].pk).status == ServiceStatus.CANCELLING


def test_an_id_that_does_not_exist_answers_404_like_another_customers(client, alice, alices_things):
    client.force_login(alice)

    assert client.get(reverse("orders:order_detail", args=[999999])).status_code == 404
    assert client.get(reverse("orders:service_detail", args=[999999])).status_code == 404
    assert client.post(reverse("orders:cancellation_withdraw", args=[999999])).status_code == 404


def test_the_owner_reaches_each_of_them(client, alice, alices_things):
    client.force_login(alice)

    for method, url in id_urls(alices_things):
        if method == "GET":
            assert client.get(url).status_code in (200, 302), url


def test_visitors_are_sent_to_log_in_and_staff_to_the_admin(client, sam, alices_things):
    url = reverse("orders:service_detail", args=[alices_things["service"].pk])

    visitor = client.get(url)
    client.force_login(sam)
    staff = client.get(url)

    assert visitor.status_code == 302 and visitor["Location"].startswith(reverse("accounts:login"))
    assert staff.status_code == 302 and staff["Location"] == reverse("admin:index")
    for name in ["orders:catalogue", "orders:order_list", "orders:service_list"]:
        assert client.get(reverse(name))["Location"] == reverse("admin:index")
