"""An engineer in the admin: what a visit needs is on the fault; customers' records are not theirs to open,
and no page they use offers a link that answers 403."""

import re
from collections import deque

import pytest
from django.urls import reverse

from faults import services
from faults.models import Outcome
from orders.models import OrderChannel
from orders.services import order_place
from tests.faults.helpers import AFTER_VISIT, booked
from tests.helpers import visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def alices_visit(alice, eric, clock_at):
    """Alice's fault, with a visit that found her own equipment at fault (a pending charge) and a contact
    for visits on the service; and an order of hers, so every list an engineer reads has a row."""
    fault, visit = booked(alice, eric)
    service = fault.service
    service.fault_contact_name, service.fault_contact_phone = "Arthur Archer", "07700 900123"
    service.address = "12 Orchard Way\nBoughton Monchelsea\nMaidstone"
    service.save()
    clock_at(AFTER_VISIT)
    services.visit_record_outcome(visit=visit, outcome=Outcome.CUSTOMER_EQUIPMENT, by=eric, now=AFTER_VISIT)
    order_place(
        customer=alice,
        product=service.product,
        address="12 Orchard Way\nMaidstone",
        postcode="ME17 4AA",
        contact_name="Alice Archer",
        contact_phone="01622 000101",
        channel=OrderChannel.PHONE,
        received_at=AFTER_VISIT,
        now=AFTER_VISIT,
        entered_by=eric,
    )
    fault.refresh_from_db()
    return fault


def test_an_engineer_cannot_open_a_customers_record(client, eric, alice):
    client.force_login(eric)

    assert client.get(reverse("admin:accounts_user_change", args=[alice.pk])).status_code == 403
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 403
    assert "Customers and staff" not in visible_text(client.get(reverse("admin:index")))


def test_the_fault_shows_an_engineer_what_the_visit_needs(client, eric, alices_visit):
    client.force_login(eric)

    text = visible_text(client.get(reverse("admin:faults_fault_change", args=[alices_visit.pk])))

    assert "Customer: Alice Archer" in text
    assert "Service address: 12 Orchard Way, Boughton Monchelsea, Maidstone, ME17 4AA" in text
    assert "Contact for visits: Arthur Archer, 07700 900123" in text
    assert "Customer's phone: 01622 000000" in text
    assert "alice@example.co.uk" not in text  # her record is not the visit's business


def test_the_fault_names_the_customer_without_a_link_to_her_record_for_an_engineer(client, eric, sam, alices_visit):
    customer_url = reverse("admin:accounts_user_change", args=[alices_visit.customer.pk])
    fault_url = reverse("admin:faults_fault_change", args=[alices_visit.pk])

    client.force_login(eric)
    as_engineer = client.get(fault_url)
    client.force_login(sam)
    as_customer_services = client.get(fault_url).content.decode()

    assert "Alice Archer (alice)" in visible_text(as_engineer)
    assert customer_url not in as_engineer.content.decode()
    assert customer_url in as_customer_services  # who may open her record still gets the link


def test_the_fault_says_when_no_contact_for_visits_was_given(client, eric, alice):
    fault, _ = booked(alice, eric)
    client.force_login(eric)

    text = visible_text(client.get(reverse("admin:faults_fault_change", args=[fault.pk])))

    assert "Contact for visits: None given: call the customer" in text


def _admin_links(html):
    for href in re.findall(r'href="(/admin/[^"#?]*)', html):
        if not any(part in href for part in ("/logout/", "/password_change/", "/jsi18n/")):
            yield href


def test_no_admin_page_an_engineer_can_reach_fails_or_offers_a_forbidden_link(client, eric, alices_visit):
    """Every page reachable by following links from the admin's front page, as the engineer clicks."""
    client.force_login(eric)
    seen, waiting, broken = set(), deque([(reverse("admin:index"), None)]), []

    while waiting:
        url, linked_from = waiting.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url, follow=True)
        if response.status_code != 200:
            broken.append((url, response.status_code, linked_from))
            continue
        waiting.extend((link, url) for link in _admin_links(response.content.decode()))

    assert broken == []
    assert reverse("admin:faults_fault_change", args=[alices_visit.pk]) in seen
    assert reverse("admin:faults_visitcharge_change", args=[alices_visit.charges.get().pk]) in seen
    assert reverse("admin:orders_service_change", args=[alices_visit.service.pk]) in seen
    assert reverse("admin:portal_outboxmessage_change", args=[alices_visit.ack_message.pk]) in seen
    assert not any(url.startswith("/admin/accounts/") for url in seen)
