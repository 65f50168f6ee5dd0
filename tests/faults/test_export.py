"""Data Protection: the customer's data export holds her faults with their checks, timeline, engineer
visits and charges, and nothing of anyone else's."""

import json

import pytest

from faults import services
from faults.models import Outcome
from portal.data_export import export_json
from tests.faults.helpers import AFTER_VISIT, booked, report
from tests.helpers import ldn

pytestmark = pytest.mark.django_db


def test_the_export_holds_her_faults_checks_events_visits_and_charges(alice, bob, eric):
    fault, visit = booked(alice, eric)
    services.fault_add_note(fault=fault, by=eric, text="Line test: high attenuation.", now=AFTER_VISIT)
    services.visit_record_outcome(
        visit=visit, outcome=Outcome.NO_ACCESS, by=eric, now=AFTER_VISIT, notes="Nobody answered the door."
    )
    report(bob, at=ldn(2026, 11, 30, 10, 0))

    [exported] = json.loads(export_json(alice))["faults"]

    assert exported["reference"] == fault.reference
    assert exported["service"] == "FTTC fibre broadband"
    assert exported["checks"][0]["question"] == "Is your router switched on, and have you restarted it?"
    assert len(exported["checks"]) == 4
    whats = [e["what"] for e in exported["events"]]
    assert whats[:2] == ["Fault reported", "Status changed"]
    assert "Engineer visit booked" in whats and "Charge for the visit" in whats
    note = next(e for e in exported["events"] if e["what"] == "Internal note")
    assert note["staff_note"] is True  # everything held about her, marked as staff notes
    [exported_visit] = exported["visits"]
    assert exported_visit["date"] == "2026-12-01"
    assert exported_visit["status"] == "Accepted"
    assert exported_visit["outcome"] == "No access to the premises"
    assert exported_visit["charge_shown_when_accepting"] == "85.00"
    [charge] = exported["charges"]
    assert (charge["amount_excluding_vat"], charge["status"]) == ("85.00", "Pending: on your next invoice")


def test_a_customer_with_no_faults_exports_an_empty_list(alice):
    assert json.loads(export_json(alice))["faults"] == []


def test_the_export_says_how_her_message_reached_us_and_that_it_waits_for_our_answer(alice):
    fault = report(alice, at=ldn(2026, 11, 30, 10, 0))
    services.fault_add_customer_message(
        fault=fault,
        customer=alice,
        text="The light is green again.",
        received_at=ldn(2026, 11, 30, 10, 30),
        via="email",
        now=ldn(2026, 11, 30, 10, 35),
    )

    [exported] = json.loads(export_json(alice))["faults"]

    [message] = [e for e in exported["events"] if e["what"] == "Information from you"]
    assert (message["text"], message["reached_us_by"]) == ("The light is green again.", "Email")
    assert exported["waiting_for_our_answer_since"] == message["at"]
