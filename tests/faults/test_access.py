"""A customer sees only their own faults: every URL with an id answers 404 for anyone else's, for GET
and POST alike, and nothing changes."""

from datetime import date

import pytest
from django.urls import reverse

from faults.models import EventKind, Fault, FaultEvent, SlotStatus, Status, VisitSlot
from portal.models import OutboxMessage
from tests.faults.helpers import investigating, make_service, offer, report
from tests.helpers import ldn

pytestmark = pytest.mark.django_db


@pytest.fixture
def alices(alice, eric):
    """Alice's fault with a visit time on offer, and her service."""
    service = make_service(alice, "fttc")
    fault = report(alice, service, at=ldn(2026, 11, 28, 22, 30))
    investigating(fault, eric, at=ldn(2026, 11, 30, 9, 5))
    [slot] = offer(fault, eric, at=ldn(2026, 11, 30, 9, 10), slots=[(date(2026, 12, 1), "morning")])
    return service, fault, slot


@pytest.fixture
def as_bob(client, bob, clock_at):
    clock_at(ldn(2026, 11, 30, 9, 30))
    make_service(bob, "pstn")  # he holds services of his own
    client.force_login(bob)
    return client


def snapshot():
    return (
        list(Fault.objects.values_list("pk", "status")),
        list(VisitSlot.objects.values_list("pk", "status")),
        FaultEvent.objects.count(),
        OutboxMessage.objects.count(),
    )


def test_another_customers_fault_page_is_not_found(as_bob, alices):
    _, fault, _ = alices
    assert as_bob.get(reverse("faults:fault_detail", args=[fault.pk])).status_code == 404


def test_adding_information_to_another_customers_fault_is_not_found_and_adds_nothing(as_bob, alices):
    _, fault, _ = alices
    before = snapshot()

    response = as_bob.post(reverse("faults:fault_message", args=[fault.pk]), {"text": "Ha ha."})

    assert response.status_code == 404
    assert snapshot() == before
    assert not FaultEvent.objects.filter(kind=EventKind.CUSTOMER_MESSAGE).exists()


def test_accepting_a_visit_time_of_another_customers_fault_is_not_found_and_books_nothing(as_bob, alices):
    _, fault, slot = alices
    before = snapshot()

    response = as_bob.post(
        reverse("faults:slot_accept", args=[fault.pk, slot.pk]), {"charge_understood": "on", "amount_shown": "85.00"}
    )

    assert response.status_code == 404
    assert snapshot() == before
    slot.refresh_from_db()
    assert slot.status == SlotStatus.OFFERED
    assert Fault.objects.get().status == Status.INVESTIGATING


def test_reaching_alices_slot_through_bobs_own_fault_is_not_found_either(as_bob, bob, alices):
    _, _, slot = alices
    his = report(bob, at=ldn(2026, 11, 30, 9, 0))
    before = snapshot()

    response = as_bob.post(
        reverse("faults:slot_accept", args=[his.pk, slot.pk]), {"charge_understood": "on", "amount_shown": "85.00"}
    )

    assert response.status_code == 404
    assert snapshot() == before


def test_reporting_a_fault_on_another_customers_service_is_not_found_and_records_nothing(as_bob, alices):
    service, _, _ = alices
    url = reverse("faults:fault_report", args=[service.pk])
    before = snapshot()

    assert as_bob.get(url).status_code == 404
    assert as_bob.post(url, {"step": 0, "answer": "yes"}).status_code == 404
    assert as_bob.post(url, {"step": 4, "description": "Someone else's line is down."}).status_code == 404

    assert snapshot() == before
    assert not any(key.startswith("faults.report") for key in as_bob.session.keys())  # noqa: SIM118 (a session is not iterable)


def test_bob_sees_only_his_own_faults_in_his_list(as_bob, bob, alices):
    _, fault, _ = alices
    his = report(bob, at=ldn(2026, 11, 30, 9, 0))

    page = as_bob.get(reverse("faults:fault_list")).content.decode()

    assert his.reference in page
    assert fault.reference not in page


def test_staff_are_sent_to_the_admin_and_visitors_to_log_in(client, eric, alices):
    _, fault, _ = alices
    detail = reverse("faults:fault_detail", args=[fault.pk])

    assert client.get(detail)["Location"].startswith(reverse("accounts:login"))
    client.force_login(eric)
    assert client.get(detail)["Location"] == reverse("admin:faults_fault_changelist")
