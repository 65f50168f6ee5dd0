"""None of the visit times offered suit the customer: she says so (with a note if she likes), the times
are withdrawn, the engineers are asked for others and the timeline shows it."""

from datetime import date

import pytest
from django.core import mail
from django.urls import reverse

from faults import services
from faults.models import EventKind, Fault, SlotStatus, Status, VisitSlot
from portal.models import OutboxMessage
from portal.workflow import Refused
from tests.faults.helpers import investigating, offer, report
from tests.helpers import ldn, visible_text

pytestmark = pytest.mark.django_db

REPORTED = ldn(2026, 11, 28, 22, 30)  # Saturday night
MONDAY_MORNING = ldn(2026, 11, 30, 9, 10)
MONDAY_LATER = ldn(2026, 11, 30, 9, 30)


@pytest.fixture
def fault(alice, eric):
    fault = report(alice, at=REPORTED)
    investigating(fault, eric, at=MONDAY_MORNING)
    return fault


@pytest.fixture
def two_offered(fault, eric):
    made = offer(
        fault, eric, at=MONDAY_MORNING, slots=[(date(2026, 11, 30), "afternoon"), (date(2026, 12, 1), "morning")]
    )
    mail.outbox.clear()
    return made


@pytest.fixture
def as_alice(client, alice, clock_at):
    clock_at(MONDAY_LATER)
    client.force_login(alice)
    return client


def decline_url(fault):
    return reverse("faults:slots_decline", args=[fault.pk])


def detail(client, fault):
    return visible_text(client.get(reverse("faults:fault_detail", args=[fault.pk])))


def test_the_page_offers_none_of_these_suit_me_with_an_optional_note(as_alice, fault, two_offered):
    html = as_alice.get(reverse("faults:fault_detail", args=[fault.pk])).content.decode()

    assert "None of these times suit you? Tell us and we will withdraw them and offer you others." in visible_text(
        as_alice.get(reverse("faults:fault_detail", args=[fault.pk]))
    )
    assert 'value="None of these suit me"' in html
    assert f'action="{decline_url(fault)}"' in html
    assert "When would suit you? (optional)" in html


def test_declining_withdraws_the_times_tells_the_engineers_and_shows_on_the_timeline(
    as_alice, alice, eric, sam, fault, two_offered, on_commit
):
    with on_commit():
        response = as_alice.post(decline_url(fault), {"note": "  Any weekday after 3pm, please.  "}, follow=True)

    page = visible_text(response)
    assert (
        "Thank you: we have withdrawn those times and asked our engineers to offer you others. We will email "
        "you when they do."
    ) in page
    assert "An engineer visit: please choose a time" not in page
    assert (
        "you Visit times did not suit you None of the times offered suit you: Monday 30 November 2026, "
        "afternoon (13:00 to 17:30); Tuesday 1 December 2026, morning (09:00 to 13:00). We will offer other "
        "times. Your note: Any weekday after 3pm, please."
    ) in page
    assert {s.status for s in VisitSlot.objects.all()} == {SlotStatus.DECLINED}
    fault.refresh_from_db()
    assert fault.status == Status.INVESTIGATING
    assert fault.customer_waiting_since == MONDAY_LATER
    event = fault.events.get(kind=EventKind.SLOTS_DECLINED)
    assert (event.by, event.at, event.internal) == (alice, MONDAY_LATER, False)

    [alert] = mail.outbox
    assert alert.to == ["Eric Engineer <eric@121com.co.uk>"]
    assert alert.subject == f"Visit times declined on fault {fault.reference}: Alice Archer (alice) asks for others"
    for text in [
        "Monday 30 November 2026, afternoon (13:00 to 17:30)",
        "Tuesday 1 December 2026, morning",
        "Any weekday after 3pm, please.",
        "Please offer other times",
    ]:
        assert text in alert.body


def test_a_note_is_optional(as_alice, fault, two_offered, on_commit):
    with on_commit():
        response = as_alice.post(decline_url(fault), {"note": ""}, follow=True)

    assert "we have withdrawn those times" in visible_text(response)
    assert "Your note" not in fault.events.get(kind=EventKind.SLOTS_DECLINED).text
    assert "Their note" not in mail.outbox[0].body


def test_declining_twice_changes_nothing_more_and_alerts_once(as_alice, fault, two_offered, on_commit):
    with on_commit():
        as_alice.post(decline_url(fault), {"note": "Afternoons please."})
        response = as_alice.post(decline_url(fault), {"note": "Afternoons please."}, follow=True)

    assert "There are no visit times waiting for your answer now." in visible_text(response)
    assert fault.events.filter(kind=EventKind.SLOTS_DECLINED).count() == 1
    assert OutboxMessage.objects.filter(kind="fault_slots_declined").count() == 1


def test_the_engineers_can_offer_the_same_times_again_and_she_can_accept_one(as_alice, alice, eric, fault, two_offered):
    as_alice.post(decline_url(fault), {"note": "Sorry, Tuesday morning does work after all."})

    [again] = offer(Fault.objects.get(pk=fault.pk), eric, at=MONDAY_LATER, slots=[(date(2026, 12, 1), "morning")])
    response = as_alice.post(
        reverse("faults:slot_accept", args=[fault.pk, again.pk]),
        {"charge_understood": "on", "amount_shown": "85.00"},
        follow=True,
    )

    assert "Your engineer visit is booked: Tuesday 1 December 2026, morning (09:00 to 13:00)." in visible_text(response)
    fault.refresh_from_db()
    assert fault.status == Status.VISIT_BOOKED
    assert fault.customer_waiting_since is None  # offering other times answered her


def test_a_note_with_a_nul_byte_is_refused_with_a_message_and_changes_nothing(as_alice, fault, two_offered):
    response = as_alice.post(decline_url(fault), {"note": "After 3pm\x00 please"})

    assert response.status_code == 400
    assert "contains a character that cannot be part of any text (a NUL byte)" in visible_text(response)
    assert {s.status for s in VisitSlot.objects.all()} == {SlotStatus.OFFERED}
    assert not fault.events.filter(kind=EventKind.SLOTS_DECLINED).exists()
    assert not OutboxMessage.objects.filter(kind="fault_slots_declined").exists()


def test_bob_cannot_decline_alices_times(client, bob, fault, two_offered, clock_at):
    clock_at(MONDAY_LATER)
    client.force_login(bob)

    response = client.post(decline_url(fault), {"note": "Ha ha."})

    assert response.status_code == 404
    assert {s.status for s in VisitSlot.objects.all()} == {SlotStatus.OFFERED}
    assert mail.outbox == []


def test_the_service_refuses_another_customer(bob, fault, two_offered):
    with pytest.raises(Refused, match="This is not your fault report."):
        services.visit_slots_decline(fault=fault, customer=bob, now=MONDAY_LATER)

    assert {s.status for s in VisitSlot.objects.all()} == {SlotStatus.OFFERED}


def test_carol_is_told_we_will_write_to_her(client, carol, eric, clock_at):
    fault = report(carol, at=REPORTED)
    investigating(fault, eric, at=MONDAY_MORNING)
    offer(fault, eric, at=MONDAY_MORNING, slots=[(date(2026, 12, 1), "morning")])
    clock_at(MONDAY_LATER)
    client.force_login(carol)

    response = client.post(decline_url(fault), {"note": ""}, follow=True)

    assert "We will write to you when they do." in visible_text(response)
