"""Where a deadline of the Code stands (portal/sla.py): done in time or late, due, at risk, overdue; the
same rule as a query for the admin's filters, and alerts claimed once per level."""

from datetime import timedelta

import pytest
from django.db import transaction

from orders.models import Order
from portal import sla
from portal.models import OutboxMessage, Status
from portal.office_hours import add_office_hours
from tests.helpers import ldn
from tests.orders.conftest import products  # noqa: F401  (the catalogue)
from tests.orders.helpers import place

MONDAY = ldn(2026, 11, 30, 10, 0)


@pytest.mark.parametrize(
    "due_at, done_at, state",
    [
        (MONDAY, MONDAY - timedelta(minutes=1), sla.MET),
        (MONDAY, MONDAY, sla.MET),  # on the due time is in time
        (MONDAY, MONDAY + timedelta(minutes=1), sla.LATE),
        (MONDAY, None, sla.OVERDUE),  # due now: not done is overdue
        (add_office_hours(MONDAY, 0.5), None, sla.AT_RISK),
        (add_office_hours(MONDAY, 3), None, sla.DUE),
        (None, None, None),  # no deadline
    ],
)
def test_the_state_of_one_deadline(due_at, done_at, state):
    assert sla.state(due_at=due_at, done_at=done_at, now=MONDAY, at_risk_office_hours=1) == state


def test_at_risk_counts_office_hours_not_clock_hours():
    friday_evening = ldn(2026, 11, 27, 17, 0)
    due_monday = ldn(2026, 11, 30, 9, 15)  # 45 office minutes away

    assert sla.state(due_at=due_monday, done_at=None, now=friday_evening, at_risk_office_hours=1) == sla.AT_RISK


def orders_due(alice, products, now):
    made = {}
    for name, due, sent in [
        ("overdue", now - timedelta(minutes=1), None),
        ("at_risk", add_office_hours(now, 0.5), None),
        ("due", add_office_hours(now, 3), None),
        ("late", now - timedelta(hours=2), now - timedelta(hours=1)),
    ]:
        order = place(alice, products["fttc"], now=now - timedelta(days=1))
        Order.objects.filter(pk=order.pk).update(confirmation_due_at=due)
        if sent:
            OutboxMessage.objects.filter(pk=order.confirmation_message_id).update(status=Status.SENT, sent_at=sent)
        made[name] = Order.objects.get(pk=order.pk)
    return made


def test_the_query_selects_the_rows_in_each_state(alice, products):
    made = orders_due(alice, products, MONDAY)

    for which in (sla.OVERDUE, sla.AT_RISK, sla.DUE, sla.LATE):
        rows = Order.objects.filter(
            sla.open_q(
                due_field="confirmation_due_at",
                done_field="confirmation_message__sent_at",
                which=which,
                now=MONDAY,
                at_risk_office_hours=1,
            )
        )
        assert list(rows) == [made[which]], which


def test_an_unknown_state_is_a_mistake_in_the_code():
    with pytest.raises(ValueError, match="Unknown deadline state"):
        sla.open_q(due_field="d", done_field="e", which="soon", now=MONDAY, at_risk_office_hours=1)


def test_each_row_is_alerted_once_at_each_level(alice, products):
    made = orders_due(alice, products, MONDAY)
    recorded = []

    def claim(now):
        with transaction.atomic():
            return sla.claim_alerts(
                Order.objects.all(),
                due_field="confirmation_due_at",
                done_field="confirmation_message__sent_at",
                level_field="alert_level",
                at_risk_office_hours=1,
                now=now,
                record=lambda row, level: recorded.append((row.pk, level)),
            )

    first, again = claim(MONDAY), claim(MONDAY)
    later = claim(made["at_risk"].confirmation_due_at + timedelta(minutes=1))

    assert first == {sla.AT_RISK: [made["at_risk"]], sla.OVERDUE: [made["overdue"]]}
    assert again == {sla.AT_RISK: [], sla.OVERDUE: []}
    assert later[sla.OVERDUE] == [made["at_risk"]]  # at risk, then overdue: told again
    assert recorded == [
        (made["overdue"].pk, sla.OVERDUE),
        (made["at_risk"].pk, sla.AT_RISK),
        (made["at_risk"].pk, sla.OVERDUE),
    ]
