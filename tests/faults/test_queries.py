"""The customer's fault list and the staff changelist cost the same number of queries for 1 fault or 50."""

import pytest
from django.urls import reverse

from faults.models import Fault
from tests.faults.helpers import make_service, report
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
