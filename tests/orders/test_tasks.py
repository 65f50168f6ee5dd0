"""The periodic job that warns customer services about order confirmations at risk or overdue.

Code (Order processing): orders are confirmed "within 4 hours during normal office hours"; staff are
warned ORDER_AT_RISK_OFFICE_HOURS (1) office hour before the due time, and again once it has passed: once
per order and level, as complaints and faults are.
"""

from datetime import timedelta

from django.core import mail
from django.utils import timezone

from orders import services
from orders.models import Order
from orders.tasks import order_confirmation_alerts
from portal.models import OutboxMessage, Status
from portal.office_hours import add_office_hours
from tests.helpers import ldn
from tests.orders.helpers import place


def due_in(order, office_hours=None, *, past=None):
    now = timezone.now()
    due = now - past if past else add_office_hours(now, office_hours)
    Order.objects.filter(pk=order.pk).update(confirmation_due_at=due)
    return order


def staff_alerts():
    return [m for m in mail.outbox if m.subject.startswith("Order ORD-")]


def test_customer_services_are_told_once_about_a_confirmation_at_risk(alice, fttc, sam, on_commit):
    order = due_in(place(alice, fttc), 0.5)  # written, but the email has not gone (the worker is stuck)

    with on_commit():
        first = order_confirmation_alerts()
        second = order_confirmation_alerts()

    assert first == {"at_risk": 1, "overdue": 0}
    assert second == {"at_risk": 0, "overdue": 0}
    [alert] = staff_alerts()
    assert alert.to == ["Sam Service <sam@121com.co.uk>"]
    assert alert.subject == f"Order {order.reference}: confirmation at risk"
    assert "it has not gone to the customer" in alert.body
    assert "Message: email, queued" in alert.body


def test_an_overdue_confirmation_is_reported_as_overdue(alice, fttc, sam, on_commit):
    order = due_in(place(alice, fttc), past=timedelta(minutes=10))

    with on_commit():
        order_confirmation_alerts()

    [alert] = staff_alerts()
    assert alert.subject == f"Order {order.reference}: confirmation overdue"


def test_orders_whose_confirmation_went_or_is_not_yet_at_risk_raise_no_alert(alice, fttc, sam, on_commit):
    with on_commit():
        sent = place(alice, fttc)  # the confirmation goes at once
    due_in(sent, past=timedelta(minutes=10))
    due_in(place(alice, fttc), 3)  # three office hours left

    with on_commit():
        result = order_confirmation_alerts()

    assert result == {"at_risk": 0, "overdue": 0}
    assert staff_alerts() == []


def test_a_confirmation_letter_not_yet_posted_is_at_risk_too(carol, products, sam, on_commit):
    with on_commit():
        order = due_in(place(carol, products["isdn2"]), 0.5)
    assert OutboxMessage.objects.get(pk=order.confirmation_message_id).status == Status.TO_PRINT

    with on_commit():
        order_confirmation_alerts()

    [alert] = staff_alerts()
    assert "the print queue (a letter counts as sent once it is posted)" in alert.body


def test_an_order_alerted_at_risk_is_alerted_again_when_it_becomes_overdue_and_then_never(alice, fttc, sam, on_commit):
    order = due_in(place(alice, fttc), 0.5)
    with on_commit():
        order_confirmation_alerts()
    due_in(order, past=timedelta(minutes=5))  # the worker is still stuck: now it is late

    with on_commit():
        overdue = order_confirmation_alerts()
        again = order_confirmation_alerts()

    assert (overdue, again) == ({"at_risk": 0, "overdue": 1}, {"at_risk": 0, "overdue": 0})
    assert [alert.subject for alert in staff_alerts()] == [
        f"Order {order.reference}: confirmation at risk",
        f"Order {order.reference}: confirmation overdue",
    ]
    order.refresh_from_db()
    assert order.alert_level == "overdue"


def test_a_second_run_at_the_same_moment_sends_no_second_alert(alice, fttc, sam, on_commit):
    order = due_in(place(alice, fttc), past=timedelta(minutes=1))
    now = timezone.now()

    with on_commit():
        results = [services.orders_alert_confirmations(now=now), services.orders_alert_confirmations(now=now)]

    assert [[o.pk for o in result["overdue"]] for result in results] == [[order.pk], []]
    assert len(staff_alerts()) == 1


def test_the_alert_state_follows_office_hours(alice, fttc, sam):
    # Received Friday 16:00, due Monday 11:30. On Monday at 10:00 there are 1.5 office hours left: due;
    # at 10:45, 45 minutes: at risk. Over the weekend nothing is at risk.
    order = place(alice, fttc, received_at=ldn(2026, 11, 27, 16, 0))
    order = Order.objects.select_related("confirmation_message").get(pk=order.pk)

    assert services.confirmation_state(order, now=ldn(2026, 11, 28, 12, 0)) == "due"
    assert services.confirmation_state(order, now=ldn(2026, 11, 30, 10, 0)) == "due"
    assert services.confirmation_state(order, now=ldn(2026, 11, 30, 10, 45)) == "at_risk"
    assert services.confirmation_state(order, now=ldn(2026, 11, 30, 11, 31)) == "overdue"
