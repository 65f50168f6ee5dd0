"""The demo data: Alice's broadband fault from yesterday evening, investigated, with two visit times
offered; nothing at all when the orders demo has given her no broadband service."""

from datetime import timedelta

import pytest

from faults.demo import faults_demo
from faults.models import Fault, SlotStatus, Status
from tests.faults.helpers import make_service
from tests.helpers import ldn

pytestmark = pytest.mark.django_db

NOW = ldn(2026, 11, 25, 10, 0)  # a Wednesday morning


def test_the_demo_gives_alice_a_broadband_fault_with_two_visit_times_to_choose_from(alice, eric, carol):
    make_service(alice, "pstn")
    make_service(alice, "fttc")

    faults_demo({"alice": alice, "carolsbakery": carol}, {"eric": eric}, NOW)

    fault = Fault.objects.get()
    assert fault.service.product.family == "broadband"
    assert fault.status == Status.INVESTIGATING
    assert fault.reported_at == ldn(2026, 11, 24, 19, 40)
    assert fault.checks.count() == 4
    assert [s.status for s in fault.slots.all()] == [SlotStatus.OFFERED, SlotStatus.OFFERED]
    assert all(s.start_at > NOW for s in fault.slots.all())


def test_the_demo_step_does_nothing_without_a_broadband_service(alice, eric, carol):
    make_service(alice, "fttc", status="ceased")

    faults_demo({"alice": alice, "carolsbakery": carol}, {"eric": eric}, NOW + timedelta(days=1))

    assert not Fault.objects.exists()
