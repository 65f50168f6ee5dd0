"""Staff work on faults in the admin: record phoned and emailed ones with the real time, triage, move
them on, offer visit times, record what a visit found, and waive a charge with a reason."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from faults.models import Channel, ChargeStatus, Fault, Location, Outcome, SlotStatus, Status, VisitCharge, VisitSlot
from tests.faults.helpers import AFTER_VISIT, booked, investigating, make_service, report
from tests.helpers import emails_to, ldn, visible_text

pytestmark = pytest.mark.django_db

RECORD = reverse("admin:faults_fault_record")


def action(fault, name):
    return reverse("admin:faults_fault_action", args=[fault.pk, name])


@pytest.fixture
def as_eric(client, eric, clock_at):
    clock_at(ldn(2026, 11, 23, 14, 0))  # Monday afternoon
    client.force_login(eric)
    return client


def test_an_engineer_records_a_phoned_fault_with_the_time_it_really_came_in(as_eric, alice, eric, on_commit):
    service = make_service(alice, "pstn")

    with on_commit():
        response = as_eric.post(
            RECORD,
            {
                "service": service.pk,
                "channel": Channel.PHONE,
                "reported_at": "2026-11-23T10:15",
                "description": "No dial tone since this morning; tried another handset.",
            },
            follow=True,
        )

    fault = Fault.objects.get()
    assert f"Fault {fault.reference} recorded; repair target Wed 25 Nov 2026, 17:30." in visible_text(response)
    assert (fault.customer, fault.channel, fault.recorded_by) == (alice, Channel.PHONE, eric)
    assert fault.reported_at == ldn(2026, 11, 23, 10, 15)
    assert fault.repair_due_at == ldn(2026, 11, 25, 17, 30)
    assert not fault.checks.exists()
    assert emails_to("alice@example.co.uk")[0].subject == f"We have your fault report ({fault.reference})"
    assert fault.events.get().text == "Fault reported by phone on PSTN line rental."


def test_a_phoned_fault_outside_office_hours_is_refused_with_where_to_report_instead(as_eric, alice):
    service = make_service(alice, "pstn")

    response = as_eric.post(
        RECORD,
        {
            "service": service.pk,
            "channel": Channel.PHONE,
            "reported_at": "2026-11-21T11:00",
            "description": "Line dead.",
        },
    )

    page = visible_text(response)
    assert "Our phone lines are open in office hours only" in page
    assert "The customer can report a fault online at any hour, or by email." in page
    assert not Fault.objects.exists()


def test_an_emailed_fault_can_have_come_in_at_any_hour(as_eric, alice):
    service = make_service(alice, "pstn")

    as_eric.post(
        RECORD,
        {
            "service": service.pk,
            "channel": Channel.EMAIL,
            "reported_at": "2026-11-22T23:40",
            "description": "Crackling on the line all weekend.",
        },
    )

    fault = Fault.objects.get()
    assert (fault.channel, fault.reported_at) == (Channel.EMAIL, ldn(2026, 11, 22, 23, 40))


def test_a_fault_cannot_be_recorded_as_reported_in_the_future(as_eric, alice):
    service = make_service(alice, "pstn")

    response = as_eric.post(
        RECORD,
        {
            "service": service.pk,
            "channel": Channel.PHONE,
            "reported_at": "2026-11-23T15:00",
            "description": "Line dead.",
        },
    )

    assert "The time reported cannot be in the future." in visible_text(response)
    assert not Fault.objects.exists()


def test_triage_and_status_through_the_action_pages(as_eric, alice):
    fault = report(alice, at=ldn(2026, 11, 23, 10, 0))

    as_eric.post(action(fault, "location"), {"location": Location.OUR_NETWORK, "note": "Exchange card fault."})
    status_page = as_eric.get(action(fault, "status")).content.decode()
    response = as_eric.post(action(fault, "status"), {"to": Status.RESOLVED, "note": ""})

    fault.refresh_from_db()
    assert fault.location == Location.OUR_NETWORK
    assert 'value="visit_booked"' not in status_page  # only the customer's acceptance books a visit
    assert "A fault that is reported cannot become resolved." in visible_text(response)
    assert fault.status == Status.REPORTED


def test_the_offer_form_says_what_is_wrong_with_each_time(as_eric, alice, eric):
    fault = report(alice, at=ldn(2026, 11, 23, 10, 0))
    investigating(fault, eric, at=ldn(2026, 11, 23, 11, 0))

    weekend = visible_text(as_eric.post(action(fault, "offer"), {"date_1": "2026-11-28", "window_1": "morning"}))
    holiday = visible_text(as_eric.post(action(fault, "offer"), {"date_1": "2026-12-25", "window_1": "morning"}))
    past = visible_text(as_eric.post(action(fault, "offer"), {"date_1": "2026-11-23", "window_1": "morning"}))
    evening = visible_text(as_eric.post(action(fault, "offer"), {"date_1": "2026-11-24", "window_1": "evening"}))
    half = visible_text(
        as_eric.post(action(fault, "offer"), {"date_1": "2026-11-24", "window_1": "morning", "date_2": "2026-11-25"})
    )

    assert "Saturday 28 November 2026 is a weekend day: engineers attend Monday to Friday" in weekend
    assert "Friday 25 December 2026 is a bank holiday" in holiday
    assert "Monday 23 November 2026, morning (09:00 to 13:00) has already begun or passed" in past
    assert "Select a valid choice. evening is not one of the available choices." in evening
    assert "Give both the date and the time, or neither." in half
    assert not VisitSlot.objects.exists()

    as_eric.post(
        action(fault, "offer"),
        {"date_1": "2026-11-24", "window_1": "morning", "date_2": "2026-11-25", "window_2": "afternoon"},
    )
    assert list(VisitSlot.objects.values_list("date", "window", "status")) == [
        (date(2026, 11, 24), "morning", SlotStatus.OFFERED),
        (date(2026, 11, 25), "afternoon", SlotStatus.OFFERED),
    ]


def test_the_outcome_page_shows_the_charge_and_a_chargeable_outcome_can_be_waived(client, alice, eric, clock_at):
    fault, visit = booked(alice, eric)
    clock_at(AFTER_VISIT)
    client.force_login(eric)
    change = client.get(reverse("admin:faults_fault_change", args=[fault.pk])).content.decode()
    assert action(fault, "outcome") in change

    form = visible_text(client.get(action(fault, "outcome")))
    assert (
        "A chargeable outcome (no fault found, no access, fault in customer equipment) adds a charge of "
        "£85.00 + VAT (£102.00 inc. VAT)" in form
    )
    client.post(action(fault, "outcome"), {"outcome": Outcome.CUSTOMER_EQUIPMENT, "notes": "Faulty extension lead."})

    charge = VisitCharge.objects.get()
    assert (charge.amount, charge.status) == (Decimal("85.00"), ChargeStatus.PENDING)
    fault.refresh_from_db()
    assert (fault.status, fault.location) == (Status.NOT_OUR_FAULT, Location.CUSTOMER_EQUIPMENT)
    listing = visible_text(client.get(reverse("admin:faults_visitcharge_changelist") + "?status=pending"))
    assert fault.reference in listing

    waive = reverse("admin:faults_visitcharge_action", args=[charge.pk, "waive"])
    assert waive in client.get(reverse("admin:faults_visitcharge_change", args=[charge.pk])).content.decode()
    assert "This field is required." in visible_text(client.post(waive, {"reason": ""}))
    client.post(waive, {"reason": "First visit of a new customer: goodwill."})
    charge.refresh_from_db()
    assert (charge.status, charge.waived_by, charge.waived_reason) == (
        ChargeStatus.WAIVED,
        eric,
        "First visit of a new customer: goodwill.",
    )
    # The visit's outcome is in: there is no booked visit left to record one for.
    again = visible_text(client.post(action(fault, "outcome"), {"outcome": Outcome.FIXED}))
    assert "No visit is booked for this fault" in again
    assert VisitCharge.objects.count() == 1


def test_the_outcome_action_needs_a_booked_visit(as_eric, alice, eric):
    fault = report(alice, at=ldn(2026, 11, 23, 10, 0))
    investigating(fault, eric, at=ldn(2026, 11, 23, 11, 0))

    change = as_eric.get(reverse("admin:faults_fault_change", args=[fault.pk])).content.decode()
    response = as_eric.post(action(fault, "outcome"), {"outcome": Outcome.NO_ACCESS})

    assert action(fault, "outcome") not in change
    assert "No visit is booked for this fault: the customer has not accepted a time." in visible_text(response)


def test_customer_services_record_phoned_faults_but_leave_the_work_to_engineers(client, sam, alice, clock_at):
    clock_at(ldn(2026, 11, 23, 14, 0))
    fault = report(alice, at=ldn(2026, 11, 23, 10, 0))
    client.force_login(sam)

    assert fault.reference in client.get("/admin/faults/fault/").content.decode()
    assert client.get(action(fault, "status")).status_code == 403
    assert client.post(action(fault, "status"), {"to": Status.INVESTIGATING}).status_code == 403
    assert Fault.objects.get().status == Status.REPORTED
    # They answer the phone line the Code gives for faults, so they can record what a caller reports.
    assert client.get(RECORD).status_code == 200


def test_staff_find_a_fault_by_its_reference_and_see_which_are_overdue(client, eric, alice, bob, clock_at):
    mine = report(alice, at=ldn(2026, 11, 23, 10, 0))  # due Wed 25 Nov 17:30
    later = report(bob, at=ldn(2026, 11, 26, 10, 0))  # due Mon 30 Nov 17:30
    clock_at(ldn(2026, 11, 26, 11, 0))
    client.force_login(eric)

    found = client.get("/admin/faults/fault/", {"q": mine.reference}).context["cl"].result_list
    overdue = client.get("/admin/faults/fault/", {"repair": "overdue"}).context["cl"].result_list

    assert list(found) == [mine]
    assert list(overdue) == [mine]
    assert later not in overdue


def test_an_engineer_sets_a_faults_own_repair_target_and_the_customer_is_told_why(as_eric, alice, eric, on_commit):
    from django.core import mail

    from faults import services
    from faults.models import EventKind

    fault = report(alice, at=ldn(2026, 11, 23, 10, 0))  # default target: Wednesday 25 November 17:30
    fault.alert_level = "at_risk"
    fault.save(update_fields=["alert_level"])

    with on_commit():
        response = as_eric.post(
            action(fault, "target"), {"due_at": "2026-11-27T13:00", "reason": "We need another operator's engineer."}
        )

    fault.refresh_from_db()
    assert response.status_code == 302
    assert services.repair_due(fault.reported_at) != fault.repair_due_at
    assert fault.repair_due_at == ldn(2026, 11, 27, 13, 0)
    assert fault.alert_level == ""  # engineers are alerted afresh against the new target
    assert fault.events.filter(kind=EventKind.REPAIR_TARGET, by=eric).exists()
    [email] = [m for m in mail.outbox if "repair target" in m.subject]
    assert "Friday 27 November at 13:00: We need another operator's engineer." in email.body


def test_a_repair_target_in_the_past_or_without_a_reason_is_refused(as_eric, alice):
    fault = report(alice, at=ldn(2026, 11, 23, 10, 0))
    before = fault.repair_due_at

    past = as_eric.post(action(fault, "target"), {"due_at": "2026-11-20T13:00", "reason": "Late."})
    no_reason = as_eric.post(action(fault, "target"), {"due_at": "2026-11-27T13:00", "reason": ""})

    assert "must be in the future" in visible_text(past)
    assert "This field is required" in visible_text(no_reason)
    fault.refresh_from_db()
    assert fault.repair_due_at == before
