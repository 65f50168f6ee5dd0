"""A hold on the account (payment plan, vulnerable circumstances, dispute) pauses the reminder ladder:
Ofcom's guide on treating vulnerable customers fairly asks for care before restricting a service."""

from datetime import date

import pytest
from django.urls import reverse

from billing.models import AccountHold, HoldReason, Suspension, SuspensionStatus
from billing.services.holds import hold_end, hold_start, is_on_hold
from billing.tasks_dunning import reminder_ladder
from orders.models import ServiceStatus
from portal.workflow import Refused
from tests.billing.ladder_helpers import days_late, holds, messages, move_clock, statuses
from tests.billing.ledger_helpers import issued_invoice
from tests.helpers import visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def at(monkeypatch):
    return lambda moment: move_clock(monkeypatch, moment)


@pytest.fixture
def invoice(alice):
    return issued_invoice(alice, "60.00", issue_date=date(2027, 1, 1))


@pytest.fixture
def services(alice):
    return holds(alice, "fttc")


def run(at, moment, on_commit):
    at(moment)
    with on_commit():
        return reminder_ladder()


def test_a_hold_sends_no_reminder_and_the_ladder_goes_on_when_it_ends(alice, ann, invoice, services, at, on_commit):
    at(days_late(3))
    hold = hold_start(customer=alice, reason=HoldReason.PAYMENT_PLAN, note="£20 a week from 1 Feb", by=ann)
    assert run(at, days_late(7), on_commit) == {}
    assert run(at, days_late(14), on_commit) == {}
    assert not messages("payment_reminder", alice)

    hold_end(hold=hold, by=ann)
    # 15 days late when the hold ends: the second reminder, not the first and second together.
    assert run(at, days_late(15), on_commit) == {"reminder_2": 1}


def test_a_hold_with_an_end_date_ends_by_itself(alice, ann, invoice, services, at, on_commit):
    at(days_late(3))
    hold_start(customer=alice, reason=HoldReason.DISPUTE, until=date(2027, 1, 25), by=ann)
    assert run(at, days_late(10), on_commit) == {}  # 25 January, the hold's last day
    assert run(at, days_late(11), on_commit) == {"reminder_1": 1}


def test_a_hold_cancels_a_proposed_suspension_and_nothing_is_suspended(alice, ann, invoice, services, at, on_commit):
    run(at, days_late(21), on_commit)
    run(at, days_late(29), on_commit)
    suspension = Suspension.objects.get()
    assert suspension.status == SuspensionStatus.PROPOSED

    hold_start(customer=alice, reason=HoldReason.VULNERABLE, note="Bereavement", by=ann)
    suspension.refresh_from_db()
    assert suspension.status == SuspensionStatus.CANCELLED
    assert (
        "the account was put on hold (customer in vulnerable circumstances)"
        in invoice.events.get(kind="note", text__startswith="Proposed suspension cancelled").text
    )
    assert run(at, days_late(35), on_commit) == {}
    assert statuses(services) == [ServiceStatus.ACTIVE]


def test_a_suspension_cannot_be_confirmed_while_the_account_is_on_hold(alice, ann, invoice, services, at, on_commit):
    from billing.services.dunning import suspension_confirm

    run(at, days_late(21), on_commit)
    run(at, days_late(29), on_commit)
    suspension = Suspension.objects.get()
    # A hold started directly in the database (a race with the staff action): the service still refuses.
    AccountHold.objects.create(customer=alice, reason=HoldReason.PAYMENT_PLAN, starts_at=days_late(29))
    with pytest.raises(Refused, match="on hold: nothing is suspended while a hold lasts"):
        suspension_confirm(suspension=suspension, by=ann)
    assert statuses(services) == [ServiceStatus.ACTIVE]


def test_one_hold_at_a_time_and_never_into_the_past(alice, ann, at):
    at(days_late(3))
    with pytest.raises(Refused, match="cannot end in the past"):
        hold_start(customer=alice, reason=HoldReason.DISPUTE, until=date(2027, 1, 1), by=ann)
    hold_start(customer=alice, reason=HoldReason.DISPUTE, by=ann)
    with pytest.raises(Refused, match="already on hold"):
        hold_start(customer=alice, reason=HoldReason.PAYMENT_PLAN, by=ann)
    assert is_on_hold(alice)


def test_accounts_put_an_account_on_hold_and_end_it_in_the_admin(client, ann, alice, at):
    at(days_late(3))
    client.force_login(ann)
    record = reverse("admin:billing_accounthold_record")
    response = client.post(record, {"customer": "nobody", "reason": "plan"})
    assert "No customer has the account username “nobody”" in visible_text(response)
    response = client.post(
        record, {"customer": "Alice", "reason": "plan", "note": "£20 a week", "until": ""}, follow=True
    )
    assert (
        "Account alice is on hold (payment plan agreed): no reminders or suspension until the hold ends."
        in visible_text(response)
    )
    hold = AccountHold.objects.get()
    assert (hold.customer, hold.created_by, hold.note) == (alice, ann, "£20 a week")

    end = reverse("admin:billing_accounthold_action", args=[hold.pk, "end"])
    client.post(end, {"confirm": "on"})
    hold.refresh_from_db()
    assert hold.ended_at is not None and not is_on_hold(alice)


def test_customer_services_and_engineers_cannot_put_an_account_on_hold(client, sam, eric, alice):
    record = reverse("admin:billing_accounthold_record")
    for who in (sam, eric):
        client.force_login(who)
        assert client.post(record, {"customer": "alice", "reason": "plan"}).status_code == 403
    assert not AccountHold.objects.exists()
