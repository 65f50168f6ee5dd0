"""The customer's fault list and the staff changelist cost the same number of queries for 1 fault or 50; a
fault's page costs the same however many checks and visits it has."""

import pytest
from django.urls import reverse

from faults.models import Fault
from tests.faults.helpers import booked, make_service, report
from tests.helpers import ldn, queries_for_get

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/faults/fault/"


def add_faults(customer, count, start=0):
    services = [make_service(customer, code) for code in ("fttc", "pstn", "shared-hosting")]
    for n in range(start, start + count):
        report(customer, services[n % 3], at=ldn(2026, 11, 23, 10, n % 60))


def test_the_customer_fault_list_costs_the_same_for_1_or_50_faults(client, alice, clock_at):
    clock_at(ldn(2026, 11, 23, 12, 0))
    add_faults(alice, 1)
    client.force_login(alice)
    client.get(reverse("faults:fault_list"))  # warm the session and content-type caches

    one = queries_for_get(client, reverse("faults:fault_list"))
    add_faults(alice, 49, start=1)
    fifty = queries_for_get(client, reverse("faults:fault_list"))
    response = client.get(reverse("faults:fault_list"))

    assert Fault.objects.count() == 50
    assert response.content.decode().count("FLT-0") == 50
    assert fifty == one
    assert one == 3  # the session, the customer, then the faults and the services to report on together
    print(f"customer fault list: {one} queries for 1 fault, {fifty} for 50")


def test_the_admin_changelist_costs_the_same_for_1_or_50_faults(client, alice, eric, clock_at):
    clock_at(ldn(2026, 11, 25, 14, 0))  # Wednesday afternoon: Monday's faults are at risk
    add_faults(alice, 1)
    client.force_login(eric)
    client.get(CHANGELIST)

    one = queries_for_get(client, CHANGELIST)
    add_faults(alice, 49, start=1)
    fifty = queries_for_get(client, CHANGELIST)
    response = client.get(CHANGELIST)

    assert response.context["cl"].result_count == 50
    assert response.content.decode().count("At risk") >= 50
    assert fifty == one
    print(f"admin fault changelist: {one} queries for 1 fault, {fifty} for 50")


def test_a_fault_page_costs_three_queries_with_its_checks_and_one_more_for_visits(client, alice, eric, clock_at):
    clock_at(ldn(2026, 11, 30, 12, 0))
    fault = report(alice, at=ldn(2026, 11, 23, 10, 0))
    visited, _ = booked(alice, eric)
    client.force_login(alice)
    url = reverse("faults:fault_detail", args=[fault.pk])
    client.get(url)

    # The session, the customer, the fault with its service, its timeline and the checks made.
    no_visits = queries_for_get(client, url)
    with_visits = queries_for_get(client, reverse("faults:fault_detail", args=[visited.pk]))
    page = client.get(url).content.decode()

    assert no_visits == 3
    assert with_visits == 4  # and the visit times with their charges
    assert "Engineer visits" in client.get(reverse("faults:fault_detail", args=[visited.pk])).content.decode()
    assert "Engineer visits" not in page
    assert fault.checks.count() >= 3
    for check in fault.checks.all():
        assert check.question in page
    assert page.index(fault.checks.first().question) < page.index(fault.checks.last().question)
