"""The customer's fault list and the staff changelist cost the same number of queries for 1 fault or 50."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from faults.models import Fault
from tests.faults.helpers import ldn, make_service, report

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/faults/fault/"


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries), response


def add_faults(customer, count, start=0):
    services = [make_service(customer, code) for code in ("fttc", "pstn", "shared-hosting")]
    for n in range(start, start + count):
        report(customer, services[n % 3], at=ldn(2026, 11, 23, 10, n % 60))


def test_the_customer_fault_list_costs_the_same_for_1_or_50_faults(client, alice, clock_at):
    clock_at(ldn(2026, 11, 23, 12, 0))
    add_faults(alice, 1)
    client.force_login(alice)
    client.get(reverse("faults:fault_list"))  # warm the session and content-type caches

    one, _ = queries(client, reverse("faults:fault_list"))
    add_faults(alice, 49, start=1)
    fifty, response = queries(client, reverse("faults:fault_list"))

    assert Fault.objects.count() == 50
    assert response.content.decode().count("FLT-0") == 50
    assert fifty == one
    print(f"customer fault list: {one} queries for 1 fault, {fifty} for 50")


def test_the_admin_changelist_costs_the_same_for_1_or_50_faults(client, alice, eric, clock_at):
    clock_at(ldn(2026, 11, 25, 14, 0))  # Wednesday afternoon: Monday's faults are at risk
    add_faults(alice, 1)
    client.force_login(eric)
    client.get(CHANGELIST)

    one, _ = queries(client, CHANGELIST)
    add_faults(alice, 49, start=1)
    fifty, response = queries(client, CHANGELIST)

    assert response.context["cl"].result_count == 50
    assert response.content.decode().count("At risk") >= 50
    assert fifty == one
    print(f"admin fault changelist: {one} queries for 1 fault, {fifty} for 50")
