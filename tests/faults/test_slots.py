"""Code (Fault Repair): "engineers only attend to faults in normal working hours (Monday - Friday 9am to
5:30pm, excluding bank holidays)" and "Should an engineer need to visit your premises we will agree this
with you". Visit times are mornings or afternoons on working days, in the future; a visit is booked
only when the customer accepts one, after being told it may be charged."""

import re
from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from faults import services, slots
from faults.models import EventKind, SlotStatus, Status, VisitSlot
from portal.workflow import Refused
from tests.faults.helpers import accept, investigating, offer, report
from tests.helpers import emails_to, ldn, visible_text

pytestmark = pytest.mark.django_db

REPORTED = ldn(2026, 11, 28, 22, 30)  # Saturday night
MONDAY_MORNING = ldn(2026, 11, 30, 9, 10)


@pytest.fixture
def fault(alice, eric):
    fault = report(alice, at=REPORTED)
    investigating(fault, eric, at=MONDAY_MORNING)
    return fault


CANNOT_OFFER = [
    (date(2026, 12, 5), "morning", "Saturday 5 December 2026 is a weekend day", "a Saturday"),
    (date(2026, 12, 6), "afternoon", "Sunday 6 December 2026 is a weekend day", "a Sunday"),
    (date(2026, 12, 25), "morning", "Friday 25 December 2026 is a bank holiday", "Christmas Day"),
    (date(2026, 12, 28), "afternoon", "Monday 28 December 2026 is a bank holiday", "Boxing Day's substitute"),
    (date(2026, 11, 27), "afternoon", "has already begun or passed", "a past date"),
    (date(2026, 11, 30), "morning", "has already begun or passed", "a window already begun"),
    (date(2026, 12, 1), "evening", "Choose a morning (09:00 to 13:00) or an afternoon (13:00 to 17:30)", "the evening"),
    (date(2026, 12, 1), "all_day", "Choose a morning (09:00 to 13:00) or an afternoon (13:00 to 17:30)", "all day"),
    (date(2026, 12, 1), "", "Choose a morning", "no window"),
]


@pytest.mark.parametrize("day, window, message, why", CANNOT_OFFER, ids=[why for *_, why in CANNOT_OFFER])
def test_a_time_outside_office_hours_on_working_days_cannot_be_offered(fault, eric, day, window, message, why):
    with pytest.raises(Refused, match=re.escape(message)):
        offer(fault, eric, at=MONDAY_MORNING, slots=[(day, window)])

    assert not VisitSlot.objects.exists()
    assert not fault.events.filter(kind=EventKind.SLOTS_OFFERED).exists()


def test_one_bad_time_among_two_offers_neither(fault, eric):
    with pytest.raises(Refused, match="bank holiday"):
        offer(fault, eric, at=MONDAY_MORNING, slots=[(date(2026, 12, 1), "morning"), (date(2026, 12, 25), "morning")])

    assert not VisitSlot.objects.exists()


def test_a_visit_is_a_london_morning_or_afternoon_whatever_the_clocks_say():
    assert slots.window_times(date(2026, 12, 1), "morning") == (
        datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
        datetime(2026, 12, 1, 13, 0, tzinfo=UTC),
    )
    assert slots.window_times(date(2026, 6, 2), "afternoon") == (  # BST: London is UTC+1
        datetime(2026, 6, 2, 12, 0, tzinfo=UTC),
        datetime(2026, 6, 2, 16, 30, tzinfo=UTC),
    )


def test_offered_times_are_not_a_booking_until_the_customer_accepts_one(fault, eric, on_commit):
    with on_commit():
        offered = offer(
            fault, eric, at=MONDAY_MORNING, slots=[(date(2026, 11, 30), "afternoon"), (date(2026, 12, 1), "morning")]
        )

    fault.refresh_from_db()
    assert fault.status == Status.INVESTIGATING
    assert [s.status for s in offered] == [SlotStatus.OFFERED, SlotStatus.OFFERED]
    assert services.booked_visit(fault) is None
    email = emails_to("alice@example.co.uk")[-1]
    assert email.subject == f"An engineer visit: please choose a time ({fault.reference})"
    assert "Monday 30 November 2026, afternoon (13:00 to 17:30)" in email.body
    assert "Tuesday 1 December 2026, morning (09:00 to 13:00)" in email.body
    assert "we may charge £85.00 + VAT (£102.00 inc. VAT)" in email.body
    # Staff cannot record what a visit found before the customer has accepted one.
    with pytest.raises(Refused, match="Only a booked visit"):
        services.visit_record_outcome(visit=offered[0], outcome="fixed", by=eric, now=ldn(2026, 11, 30, 15, 0))


def test_visit_times_are_offered_only_while_the_fault_is_being_investigated(alice, eric):
    fault = report(alice, at=REPORTED)

    with pytest.raises(Refused, match="while a fault is being investigated; this one is reported"):
        offer(fault, eric, at=MONDAY_MORNING, slots=[(date(2026, 12, 1), "morning")])


def test_the_same_time_cannot_be_offered_twice(fault, eric):
    offer(fault, eric, at=MONDAY_MORNING, slots=[(date(2026, 12, 1), "morning")])

    with pytest.raises(Refused, match="Tuesday 1 December 2026, morning .* is already offered"):
        offer(fault, eric, at=MONDAY_MORNING, slots=[(date(2026, 12, 1), "morning")])


def accept_url(slot):
    return reverse("faults:slot_accept", args=[slot.fault_id, slot.pk])


@pytest.fixture
def two_offered(fault, eric):
    return offer(
        fault, eric, at=MONDAY_MORNING, slots=[(date(2026, 11, 30), "afternoon"), (date(2026, 12, 1), "morning")]
    )


@pytest.fixture
def as_alice(client, alice, clock_at):
    clock_at(ldn(2026, 11, 30, 9, 30))
    client.force_login(alice)
    return client


def test_the_customer_must_tick_that_she_understands_the_charge_before_accepting(as_alice, fault, two_offered):
    response = as_alice.post(accept_url(two_offered[0]), {"amount_shown": "85.00"}, follow=True)

    assert "Please tick the box to say you understand the charge before accepting a visit." in visible_text(response)
    fault.refresh_from_db()
    assert fault.status == Status.INVESTIGATING
    assert {s.status for s in VisitSlot.objects.all()} == {SlotStatus.OFFERED}


def test_accepting_one_time_books_it_and_withdraws_the_others(as_alice, alice, fault, two_offered, on_commit):
    first, second = two_offered
    page = visible_text(as_alice.get(reverse("faults:fault_detail", args=[fault.pk])))
    assert "An engineer visit: please choose a time" in page
    assert "we may charge £85.00 + VAT (£102.00 inc. VAT) for the visit" in page

    with on_commit():
        response = as_alice.post(accept_url(second), {"charge_understood": "on", "amount_shown": "85.00"}, follow=True)

    assert "Your engineer visit is booked: Tuesday 1 December 2026, morning (09:00 to 13:00)." in visible_text(response)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (SlotStatus.WITHDRAWN, SlotStatus.ACCEPTED)
    assert (second.accepted_by, second.accepted_at) == (alice, ldn(2026, 11, 30, 9, 30))
    fault.refresh_from_db()
    assert fault.status == Status.VISIT_BOOKED
    assert services.booked_visit(fault) == second
    assert emails_to("alice@example.co.uk")[-1].subject == f"Your engineer visit is booked ({fault.reference})"
    booked_event = fault.events.get(kind=EventKind.VISIT_BOOKED)
    assert booked_event.by == alice
    assert "may be charged £85.00 + VAT (£102.00 inc. VAT)" in booked_event.text


def test_a_withdrawn_time_cannot_be_accepted(as_alice, fault, two_offered):
    first, second = two_offered
    as_alice.post(accept_url(second), {"charge_understood": "on", "amount_shown": "85.00"})

    response = as_alice.post(accept_url(first), {"charge_understood": "on", "amount_shown": "85.00"}, follow=True)

    assert "Monday 30 November 2026, afternoon (13:00 to 17:30) is no longer offered" in visible_text(response)
    first.refresh_from_db()
    assert first.status == SlotStatus.WITHDRAWN
    assert VisitSlot.objects.filter(status=SlotStatus.ACCEPTED).get() == second


def test_a_time_of_another_fault_cannot_be_accepted_through_this_one(as_alice, alice, eric, fault, two_offered):
    other = report(alice, at=REPORTED)
    investigating(other, eric, at=MONDAY_MORNING)
    [theirs] = offer(other, eric, at=MONDAY_MORNING, slots=[(date(2026, 12, 2), "morning")])

    response = as_alice.post(
        reverse("faults:slot_accept", args=[fault.pk, theirs.pk]), {"charge_understood": "on", "amount_shown": "85.00"}
    )

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == SlotStatus.OFFERED
    fault.refresh_from_db()
    assert fault.status == Status.INVESTIGATING


def test_a_time_that_has_begun_by_the_time_she_accepts_is_refused(as_alice, clock_at, fault, two_offered):
    clock_at(ldn(2026, 11, 30, 13, 5))  # Monday afternoon's window has begun

    response = as_alice.post(
        accept_url(two_offered[0]), {"charge_understood": "on", "amount_shown": "85.00"}, follow=True
    )

    assert "has already begun or passed" in visible_text(response)
    assert not VisitSlot.objects.filter(status=SlotStatus.ACCEPTED).exists()


def test_a_time_offered_on_a_working_day_is_refused_if_the_calendar_now_says_otherwise(alice, fault, two_offered):
    # Even a row that somehow holds a Sunday (edited by hand, say) cannot be booked.
    VisitSlot.objects.filter(pk=two_offered[1].pk).update(date=date(2026, 12, 6))
    slot = VisitSlot.objects.get(pk=two_offered[1].pk)

    with pytest.raises(Refused, match="Sunday 6 December 2026 is a weekend day"):
        accept(slot, alice, at=ldn(2026, 11, 30, 9, 30))


# --- The charge shown must be accepted, always ---------------------------------------------------------


@pytest.mark.parametrize(
    "sent",
    [
        {"charge_understood": "on"},
        {"charge_understood": "on", "amount_shown": ""},
        {"charge_understood": "on", "amount_shown": "NaN"},
        {"charge_understood": "on", "amount_shown": "a lot"},
    ],
    ids=["amount left out", "amount empty", "not a number", "words"],
)
def test_accepting_without_the_charge_shown_books_nothing(as_alice, fault, two_offered, sent):
    response = as_alice.post(accept_url(two_offered[0]), sent, follow=True)

    assert (
        "We could not tell which charge you were shown, so the visit is not booked. Please read the charge on "
        "this page and accept again."
    ) in visible_text(response)
    fault.refresh_from_db()
    assert fault.status == Status.INVESTIGATING
    assert {s.status for s in VisitSlot.objects.all()} == {SlotStatus.OFFERED}
    assert not fault.events.filter(kind=EventKind.VISIT_BOOKED).exists()


@pytest.mark.parametrize("amount_shown", [None, "", "NaN", "sNaN", "Infinity", 85.0])
def test_the_service_books_nothing_without_the_amount_shown(alice, fault, two_offered, amount_shown):
    with pytest.raises(Refused, match="We could not tell which charge you were shown"):
        services.visit_slot_accept(
            slot=two_offered[0],
            customer=alice,
            charge_understood=True,
            amount_shown=amount_shown,
            now=ldn(2026, 11, 30, 9, 30),
        )

    assert not VisitSlot.objects.filter(status=SlotStatus.ACCEPTED).exists()


def test_the_service_cannot_be_called_without_saying_what_was_shown(alice, fault, two_offered):
    with pytest.raises(TypeError, match="amount_shown"):
        services.visit_slot_accept(
            slot=two_offered[0], customer=alice, charge_understood=True, now=ldn(2026, 11, 30, 9, 30)
        )


def test_the_accept_form_carries_the_amount_shown(as_alice, fault, two_offered):
    html = as_alice.get(reverse("faults:fault_detail", args=[fault.pk])).content.decode()

    forms = re.findall(r"<form\b[^>]*accept/\"[^>]*>(.*?)</form>", html, flags=re.S)
    assert len(forms) == 2
    assert all('name="amount_shown" value="85.00"' in form for form in forms)
