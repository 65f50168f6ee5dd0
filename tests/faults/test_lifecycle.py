"""A fault's status moves only along its workflow; every change is an event on the timeline and an
email (or letter) to the customer. Refused moves say why in plain words and change nothing."""

from datetime import date

import pytest
from django.core import mail
from django.urls import reverse

from faults import services
from faults.models import EventKind, Fault, FaultEvent, Location, SlotStatus, Status
from portal.models import OutboxMessage
from portal.workflow import InvalidTransition, Refused
from tests.faults.helpers import booked, investigating, offer, report
from tests.helpers import emails_to, ldn, visible_text

pytestmark = pytest.mark.django_db

MONDAY = ldn(2026, 11, 23, 10, 0)
LATER = ldn(2026, 11, 23, 11, 0)


def subjects(address="alice@example.co.uk"):
    return [m.subject for m in emails_to(address)]


def test_staff_investigate_resolve_and_close_a_fault_and_the_customer_hears_of_each_step(alice, eric, on_commit):
    with on_commit():
        fault = report(alice, at=MONDAY)
        services.fault_set_status(
            fault=fault, to=Status.INVESTIGATING, by=eric, now=LATER, note="We are testing your line from the exchange."
        )
        services.fault_set_status(
            fault=fault,
            to=Status.RESOLVED,
            by=eric,
            now=ldn(2026, 11, 24, 15, 0),
            note="A faulty card at the exchange was replaced.",
        )
        services.fault_set_status(fault=fault, to=Status.CLOSED, by=eric, now=ldn(2026, 11, 26, 9, 0))

    ref = fault.reference
    assert subjects() == [
        f"We have your fault report ({ref})",
        f"Your fault is now: being investigated ({ref})",
        f"Your fault is now: resolved ({ref})",
        f"Your fault is now: closed ({ref})",
    ]
    assert "A faulty card at the exchange was replaced." in emails_to("alice@example.co.uk")[2].body
    fault.refresh_from_db()
    assert (fault.status, fault.resolved_at, fault.closed_at) == (
        Status.CLOSED,
        ldn(2026, 11, 24, 15, 0),
        ldn(2026, 11, 26, 9, 0),
    )
    events = [(e.kind, e.text.splitlines()[0], e.by) for e in fault.events.all()]
    assert events == [
        (EventKind.REPORTED, "Fault reported online on FTTC fibre broadband.", alice),
        (EventKind.STATUS, "Reported → Being investigated.", eric),
        (EventKind.STATUS, "Being investigated → Resolved.", eric),
        (EventKind.STATUS, "Resolved → Closed.", eric),
    ]
    assert all(e.message_id for e in fault.events.all())


def test_a_fault_found_not_to_be_ours_is_closed_after_telling_the_customer(alice, eric, on_commit):
    with on_commit():
        fault = report(alice, at=MONDAY)
        services.fault_set_location(
            fault=fault,
            location=Location.OTHER_OPERATOR,
            by=eric,
            now=LATER,
            note="Openreach has a fault on the cable in your street.",
        )
        services.fault_set_status(fault=fault, to=Status.NOT_OUR_FAULT, by=eric, now=LATER)
        services.fault_set_status(fault=fault, to=Status.CLOSED, by=eric, now=LATER)

    ref = fault.reference
    assert subjects()[1:] == [
        f"Where the fault lies ({ref})",
        f"Your fault is now: not a fault on our network ({ref})",
        f"Your fault is now: closed ({ref})",
    ]
    location_email = emails_to("alice@example.co.uk")[1]
    assert "another operator's network" in location_email.body
    assert "we may not be responsible for its repair" in location_email.body
    fault.refresh_from_db()
    assert fault.location == Location.OTHER_OPERATOR
    assert fault.resolved_at == LATER  # the repair target stops when we know it is not ours


REFUSED = [
    (Status.REPORTED, Status.RESOLVED, "A fault that is reported cannot become resolved."),
    (Status.REPORTED, Status.CLOSED, "A fault that is reported cannot become closed."),
    (Status.INVESTIGATING, Status.CLOSED, "A fault that is being investigated cannot become closed."),
    (Status.INVESTIGATING, Status.INVESTIGATING, "A fault that is being investigated cannot be investigated."),
    (Status.RESOLVED, Status.INVESTIGATING, "A fault that is resolved cannot be investigated."),
    (Status.NOT_OUR_FAULT, Status.RESOLVED, "A fault that is not a fault on our network cannot become resolved."),
    (Status.CLOSED, Status.INVESTIGATING, "A fault that is closed cannot be investigated."),
    (Status.CLOSED, Status.REPORTED, "A fault that is closed cannot become reported."),
]
PATHS = {
    Status.REPORTED: [],
    Status.INVESTIGATING: [Status.INVESTIGATING],
    Status.RESOLVED: [Status.INVESTIGATING, Status.RESOLVED],
    Status.NOT_OUR_FAULT: [Status.NOT_OUR_FAULT],
    Status.CLOSED: [Status.NOT_OUR_FAULT, Status.CLOSED],
}


@pytest.mark.parametrize("start, to, message", REFUSED, ids=[f"{s}->{t}" for s, t, _ in REFUSED])
def test_a_move_the_workflow_does_not_allow_is_refused_clearly_and_changes_nothing(alice, eric, start, to, message):
    fault = report(alice, at=MONDAY)
    for step in PATHS[start]:
        services.fault_set_status(fault=fault, to=step, by=eric, now=LATER)
    before = (fault.events.count(), OutboxMessage.objects.count())

    with pytest.raises(InvalidTransition) as refusal:
        services.fault_set_status(fault=fault, to=to, by=eric, now=LATER)

    assert str(refusal.value) == message
    fault.refresh_from_db()
    assert fault.status == start
    assert (fault.events.count(), OutboxMessage.objects.count()) == before


@pytest.mark.parametrize("start", [Status.REPORTED, Status.INVESTIGATING])
def test_staff_cannot_book_a_visit_by_changing_the_status(alice, eric, start):
    fault = report(alice, at=MONDAY)
    for step in PATHS[start]:
        services.fault_set_status(fault=fault, to=step, by=eric, now=LATER)

    with pytest.raises(InvalidTransition, match="only when the customer accepts one of the times offered"):
        services.fault_set_status(fault=fault, to=Status.VISIT_BOOKED, by=eric, now=LATER)

    fault.refresh_from_db()
    assert fault.status == start


def test_going_back_to_investigating_cancels_the_booked_visit_and_tells_the_customer(alice, eric, on_commit):
    with on_commit():
        fault, slot = booked(alice, eric)
        services.fault_set_status(
            fault=fault,
            to=Status.INVESTIGATING,
            by=eric,
            now=ldn(2026, 11, 30, 14, 0),
            note="We found the fault at the exchange: no visit is needed.",
        )

    slot.refresh_from_db()
    assert slot.status == SlotStatus.WITHDRAWN
    assert services.booked_visit(fault) is None
    last = emails_to("alice@example.co.uk")[-1]
    assert (
        "The engineer visit booked for Tuesday 1 December 2026, afternoon (13:00 to 17:30) is cancelled." in last.body
    )
    assert fault.events.filter(kind=EventKind.VISIT_CANCELLED).exists()


def test_resolving_a_fault_withdraws_the_visit_times_still_on_offer(alice, eric):
    fault = report(alice, at=MONDAY)
    investigating(fault, eric, at=LATER)
    offer(fault, eric, at=LATER, slots=[(date(2026, 11, 25), "morning")])

    services.fault_set_status(fault=fault, to=Status.RESOLVED, by=eric, now=LATER)

    assert list(fault.slots.values_list("status", flat=True)) == [SlotStatus.WITHDRAWN]


def test_triage_records_where_the_fault_lies_once_per_change(alice, eric):
    fault = report(alice, at=MONDAY)
    assert fault.location == Location.UNKNOWN

    services.fault_set_location(fault=fault, location=Location.OUR_NETWORK, by=eric, now=LATER)
    with pytest.raises(Refused, match="already recorded as: our network"):
        services.fault_set_location(fault=fault, location=Location.OUR_NETWORK, by=eric, now=LATER)

    assert Fault.objects.get().location == Location.OUR_NETWORK
    assert fault.events.filter(kind=EventKind.LOCATION).count() == 1


def test_a_reply_reaches_the_customer_and_a_note_stays_with_staff(client, alice, eric, on_commit, clock_at):
    fault = report(alice, at=MONDAY)
    mail.outbox.clear()
    with on_commit():
        services.fault_reply(
            fault=fault, by=eric, text="Please leave the router on tonight so we can test it.", now=LATER
        )
        services.fault_add_note(fault=fault, by=eric, text="Line test shows high attenuation.", now=LATER)

    assert [m.subject for m in mail.outbox] == [f"A message about your fault ({fault.reference})"]
    assert FaultEvent.objects.get(kind=EventKind.NOTE).internal
    clock_at(LATER)
    client.force_login(alice)
    page = visible_text(client.get(reverse("faults:fault_detail", args=[fault.pk])))
    assert "Please leave the router on tonight so we can test it." in page
    assert "attenuation" not in page


def test_a_customer_adds_information_to_her_fault_and_it_is_on_the_timeline(client, alice, clock_at):
    fault = report(alice, at=MONDAY)
    clock_at(LATER)
    client.force_login(alice)

    response = client.post(
        reverse("faults:fault_message", args=[fault.pk]), {"text": "It also drops when the phone rings."}, follow=True
    )

    page = visible_text(response)
    assert "Thank you: your information is added to the fault, and our engineers are told." in page
    assert "Information from you" in page
    assert "It also drops when the phone rings." in page
    event = fault.events.get(kind=EventKind.CUSTOMER_MESSAGE)
    assert (event.by, event.at) == (alice, LATER)


def test_a_closed_fault_takes_no_more_information(client, alice, eric, clock_at):
    fault = report(alice, at=MONDAY)
    services.fault_set_status(fault=fault, to=Status.NOT_OUR_FAULT, by=eric, now=LATER)
    services.fault_set_status(fault=fault, to=Status.CLOSED, by=eric, now=LATER)
    clock_at(LATER)
    client.force_login(alice)

    response = client.post(reverse("faults:fault_message", args=[fault.pk]), {"text": "Still broken."})

    assert response.status_code == 400
    assert "This fault is closed. If the problem is back, please report a new fault." in visible_text(response)
    assert not fault.events.filter(kind=EventKind.CUSTOMER_MESSAGE).exists()


def test_the_account_overview_counts_open_faults_and_asks_for_a_visit_time(alice, eric):
    from portal.dashboard import cards_for

    def card(customer):
        return next(card for card in cards_for(customer) if card["template"] == "faults/_dashboard_card.html")

    fault = report(alice, at=MONDAY)
    investigating(fault, eric, at=LATER)
    offer(fault, eric, at=LATER, slots=[(date(2026, 11, 24), "morning"), (date(2026, 11, 25), "morning")])
    closed = report(alice, at=MONDAY)
    services.fault_set_status(fault=closed, to=Status.NOT_OUR_FAULT, by=eric, now=LATER)

    assert card(alice) == {"template": "faults/_dashboard_card.html", "total": 2, "open": 1, "to_choose": [fault]}


def test_the_account_overview_names_the_fault_waiting_for_a_visit_time_and_links_it(client, alice, eric):
    fault = report(alice, at=MONDAY)
    investigating(fault, eric, at=LATER)
    offer(fault, eric, at=LATER, slots=[(date(2026, 11, 24), "morning"), (date(2026, 11, 25), "morning")])
    client.force_login(alice)

    page = client.get(reverse("accounts:dashboard")).content.decode()

    assert "Please choose a time for an engineer visit</strong> for fault" in page
    assert f'href="{reverse("faults:fault_detail", args=[fault.pk])}#visit-offer">{fault.reference}</a>' in page
