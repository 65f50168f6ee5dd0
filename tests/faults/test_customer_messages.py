"""A customer's information on a fault reaches the engineers, once per message, and the fault shows
"customer replied, waiting for us" in the admin until staff write back (portal/customer_messages.py)."""

from datetime import date

import pytest
from django.core import mail
from django.urls import reverse

from accounts.groups import ENGINEERS
from faults import services
from faults.models import EventKind, Fault, Status
from portal.models import OutboxMessage
from portal.workflow import Refused
from tests.factories import StaffFactory
from tests.faults.helpers import investigating, offer, report
from tests.helpers import changelist_column, emails_to, ldn, visible_text

pytestmark = pytest.mark.django_db

REPORTED = ldn(2026, 11, 23, 10, 0)  # a Monday morning
LATER = ldn(2026, 11, 23, 11, 0)
CHANGELIST = reverse("admin:faults_fault_changelist")


@pytest.fixture
def ed(db):
    """A second engineer: a fault has no owner, so every engineer hears of its customer's messages."""
    return StaffFactory(username="ed", full_name="Ed Edwards", group=ENGINEERS)


@pytest.fixture
def fault(alice, on_commit):
    with on_commit():
        made = report(alice, at=REPORTED)
    mail.outbox.clear()
    return made


def alerts():
    return [m for m in mail.outbox if "Customer replied on fault" in m.subject]


def waiting(fault):
    return Fault.objects.get(pk=fault.pk).customer_waiting_since


def test_information_from_the_fault_page_reaches_every_engineer_and_nobody_else(
    client, alice, eric, ed, sam, fault, clock_at, on_commit
):
    clock_at(LATER)
    client.force_login(alice)

    with on_commit():
        response = client.post(
            reverse("faults:fault_message", args=[fault.pk]),
            {"text": "It also drops when the phone rings."},
            follow=True,
        )

    assert "Thank you: your information is added to the fault, and our engineers are told." in visible_text(response)
    assert sorted(to for m in alerts() for to in m.to) == [
        "Ed Edwards <ed@121com.co.uk>",
        "Eric Engineer <eric@121com.co.uk>",
    ]
    alert = alerts()[0]
    assert alert.subject == f"Customer replied on fault {fault.reference}: Alice Archer (alice)"
    assert (
        f"Alice Archer (alice) wrote about fault {fault.reference} (FTTC fibre broadband, ME17 4AA; reported) "
        "in the portal on Mon 23 Nov 2026, 11:00:"
    ) in alert.body
    assert "It also drops when the phone rings." in alert.body
    assert emails_to("sam@121com.co.uk") == []
    assert waiting(fault) == LATER


def test_each_message_is_alerted_once(alice, eric, fault, on_commit):
    with on_commit():
        services.fault_add_customer_message(fault=fault, customer=alice, text="One.", received_at=LATER, now=LATER)
        services.fault_add_customer_message(fault=fault, customer=alice, text="Two.", received_at=LATER, now=LATER)

    assert [m.body.count("One.") + 2 * m.body.count("Two.") for m in alerts()] == [1, 2]
    assert OutboxMessage.objects.filter(kind="fault_customer_message").count() == 2
    assert fault.events.filter(kind=EventKind.CUSTOMER_MESSAGE).count() == 2


def test_an_emailed_reply_takes_the_same_path_at_the_time_it_reached_us(
    client, alice, eric, fault, clock_at, on_commit
):
    reached = ldn(2026, 11, 23, 10, 40)

    with on_commit():
        event = services.fault_add_customer_message(
            fault=fault, customer=alice, text="The light is now green.", received_at=reached, via="email", now=LATER
        )

    assert (event.at, event.via) == (reached, "email")
    assert waiting(fault) == reached
    assert "by email on Mon 23 Nov 2026, 10:40:" in alerts()[0].body
    clock_at(LATER)
    client.force_login(alice)
    page = visible_text(client.get(reverse("faults:fault_detail", args=[fault.pk])))
    assert "you · by email Information from you The light is now green." in page


def test_a_message_said_to_reach_us_before_the_fault_was_reported_is_refused(alice, fault):
    with pytest.raises(Refused, match="cannot have reached us before the case it is about"):
        services.fault_add_customer_message(
            fault=fault, customer=alice, text="Hello.", received_at=ldn(2026, 11, 20, 9, 0), now=LATER
        )

    assert waiting(fault) is None
    assert alerts() == []


def message(fault, alice):
    services.fault_add_customer_message(fault=fault, customer=alice, text="Any news?", received_at=LATER, now=LATER)


@pytest.mark.parametrize(
    "answer",
    [
        lambda f, eric: services.fault_reply(fault=f, by=eric, text="We are testing the line now.", now=LATER),
        lambda f, eric: services.fault_set_status(fault=f, to=Status.INVESTIGATING, by=eric, now=LATER),
        lambda f, eric: services.fault_set_location(fault=f, location="our_network", by=eric, now=LATER),
    ],
    ids=["a reply", "a status change she is told of", "where the fault lies"],
)
def test_staff_writing_to_the_customer_answers_her(alice, eric, fault, answer):
    message(fault, alice)

    answer(Fault.objects.get(pk=fault.pk), eric)

    assert waiting(fault) is None


def test_visit_times_offered_answer_her(alice, eric, fault):
    investigating(fault, eric, at=LATER)
    message(fault, alice)

    offer(Fault.objects.get(pk=fault.pk), eric, at=LATER, slots=[(date(2026, 11, 25), "morning")])

    assert waiting(fault) is None


def test_an_internal_note_leaves_her_waiting(alice, eric, fault):
    message(fault, alice)

    services.fault_add_note(fault=fault, by=eric, text="Line test shows noise.", now=LATER)

    assert waiting(fault) == LATER


def fault_rows(response):
    """{reference: the text of its Customer replied column} for each row of the changelist."""
    return changelist_column(response, "customer_replied", "FLT")


def test_the_admin_list_shows_which_customers_wait_for_us_and_filters_by_it(client, alice, bob, eric, fault):
    quiet = report(bob, at=REPORTED)
    message(fault, alice)
    client.force_login(eric)

    assert fault_rows(client.get(CHANGELIST)) == {
        fault.reference: "Waiting for us since Mon 23 Nov 11:00",
        quiet.reference: "-",
    }
    assert list(fault_rows(client.get(CHANGELIST, {"replied": "waiting"}))) == [fault.reference]
    assert list(fault_rows(client.get(CHANGELIST, {"replied": "no"}))) == [quiet.reference]
    page = visible_text(client.get(reverse("admin:faults_fault_change", args=[fault.pk])))
    assert "Customer replied, waiting for us since: 23 Nov 2026, 11:00" in page  # the 24-hour clock


def test_closing_a_fault_leaves_nothing_waiting(alice, eric, fault):
    services.fault_set_status(fault=fault, to=Status.NOT_OUR_FAULT, by=eric, now=LATER)
    message(fault, alice)

    services.fault_set_status(fault=Fault.objects.get(pk=fault.pk), to=Status.CLOSED, by=None, now=LATER)

    assert waiting(fault) is None
