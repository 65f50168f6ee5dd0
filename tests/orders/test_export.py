"""The customer's data export holds their orders, services (with timelines) and cancellations, and
nothing of anybody else's."""

import json

from django.urls import reverse
from django.utils import timezone

from orders import services
from orders.models import CancellationChannel
from tests.orders.helpers import place


def download(client, customer):
    client.force_login(customer)
    return json.loads(client.post(reverse("accounts:export_download")).content)


def test_the_export_holds_orders_services_and_cancellations(client, alice, bob, alices_fttc, products):
    order = place(alice, products["shared-hosting"], notes="For the village hall.")
    cancellation = services.cancellation_request(
        service=alices_fttc,
        channel=CancellationChannel.PORTAL,
        received_at=timezone.now(),
        quoted_username="alice",
        recorded_by=alice,
    )
    place(bob, products["fttc"], contact_name="Bob Brown")

    data = download(client, alice)

    references = [o["reference"] for o in data["orders"]]
    assert references == [alices_fttc.order.reference, order.reference]
    hosting = data["orders"][1]
    assert (hosting["product"], hosting["notes"], hosting["status"]) == (
        "Shared web hosting",
        "For the village hall.",
        "Placed",
    )
    assert hosting["events"][0]["what"] == "Order received in the portal."
    [service] = data["services"]
    assert (service["reference"], service["status"]) == (alices_fttc.reference, "Cancelling")
    assert service["minimum_term_end"] == alices_fttc.minimum_term_end.isoformat()
    assert service["events"][0]["what"].startswith("Service started on")
    assert service["events"][-1]["what"].startswith("Cancellation requested (portal form")
    [request] = service["cancellations"]
    assert request["reference"] == cancellation.reference
    assert request["withdrawal_date"] == cancellation.withdrawal_date.isoformat()
    assert request["account_username_quoted"] == "alice"
    assert "Bob Brown" not in json.dumps(data)


def test_bob_gets_only_his_own(client, alice, bob, alices_fttc, products):
    place(bob, products["fttc"], contact_name="Bob Brown")

    data = download(client, bob)

    assert len(data["orders"]) == 1 and data["services"] == []
    assert "Alice" not in json.dumps(data["orders"])
