"""Engineers are warned before a repair target is missed: once when it is at risk (within
FAULT_AT_RISK_OFFICE_HOURS office hours), once more when it is overdue, and never again after that."""

import pytest
from django.core import mail

from faults import services
from faults.models import EventKind, Status
from faults.tasks import faults_alert_repair_targets
from tests.faults.helpers import report
from tests.helpers import ldn

pytestmark = pytest.mark.django_db

REPORTED = ldn(2026, 11, 23, 10, 0)  # Monday: target Wednesday 25 November, 17:30


def engineer_alerts():
    return [m for m in mail.outbox if m.subject.startswith("Fault repair targets")]


def test_engineers_are_alerted_once_when_at_risk_and_once_when_overdue(alice, eric, clock_at, on_commit):
    fault = report(alice, at=REPORTED)

    clock_at(ldn(2026, 11, 25, 12, 0))  # 5.5 office hours left: not yet at risk
    with on_commit():
        assert faults_alert_repair_targets() == {"overdue": 0, "at_risk": 0}
    clock_at(ldn(2026, 11, 25, 13, 45))  # 3.75 office hours left
    with on_commit():
        assert faults_alert_repair_targets() == {"overdue": 0, "at_risk": 1}
        assert faults_alert_repair_targets() == {"overdue": 0, "at_risk": 0}
    clock_at(ldn(2026, 11, 25, 17, 30))  # the target has come
    with on_commit():
        assert faults_alert_repair_targets() == {"overdue": 1, "at_risk": 0}
    clock_at(ldn(2026, 11, 26, 10, 0))
    with on_commit():
        assert faults_alert_repair_targets() == {"overdue": 0, "at_risk": 0}

    at_risk, overdue = engineer_alerts()
    assert at_risk.to == ["Eric Engineer <eric@121com.co.uk>"]
    assert at_risk.subject == "Fault repair targets: 0 overdue, 1 at risk"
    assert (
        f"{fault.reference}  Alice Archer (alice)  FTTC fibre broadband, ME17 4AA  target Wed 25 Nov 2026, 17:30"
        in at_risk.body
    )
    assert overdue.subject == "Fault repair targets: 1 overdue, 0 at risk"
    fault.refresh_from_db()
    assert fault.alert_level == "overdue"
    alerts = fault.events.filter(kind=EventKind.ALERT)
    assert [e.text for e in alerts] == [
        "Engineers alerted: repair target at risk.",
        "Engineers alerted: repair target overdue.",
    ]
    assert all(e.internal for e in alerts)


def test_a_fault_found_overdue_at_once_gets_one_alert_not_two(alice, eric, clock_at, on_commit):
    report(alice, at=REPORTED)
    clock_at(ldn(2026, 11, 27, 9, 0))

    with on_commit():
        assert faults_alert_repair_targets() == {"overdue": 1, "at_risk": 0}
        assert faults_alert_repair_targets() == {"overdue": 0, "at_risk": 0}

    assert len(engineer_alerts()) == 1


def test_resolved_and_not_our_fault_faults_are_never_alerted(alice, bob, eric, clock_at):
    repaired = report(alice, at=REPORTED)
    services.fault_set_status(fault=repaired, to=Status.INVESTIGATING, by=eric, now=REPORTED)
    services.fault_set_status(fault=repaired, to=Status.RESOLVED, by=eric, now=ldn(2026, 11, 24, 9, 0))
    not_ours = report(bob, at=REPORTED)
    services.fault_set_status(fault=not_ours, to=Status.NOT_OUR_FAULT, by=eric, now=ldn(2026, 11, 24, 9, 0))
    clock_at(ldn(2026, 11, 27, 9, 0))

    assert faults_alert_repair_targets() == {"overdue": 0, "at_risk": 0}
    assert not engineer_alerts()
