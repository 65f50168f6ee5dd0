"""Orders: placed with one confirmation at once, due within 4 office hours, then moved along by staff.

Code (Order processing): "We will aim to confirm all new orders by email within 4 hours during normal
office hours (Monday - Friday 9am to 5:30pm, excluding bank holidays)".
"""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from orders import services
from orders.models import Order, OrderStatus, Service, ServiceStatus
from portal import delivery, outbox
from portal.models import Channel, OutboxMessage, Status
from portal.office_hours import TZ
from portal.workflow import InvalidTransition, Refused
from tests.helpers import ldn, shows
from tests.orders.helpers import place


def order_form(**overrides):
    data = {
        "address": "12 Orchard Way\nBoughton Monchelsea\nMaidstone",
        "postcode": "me17 4aa",
        "preferred_start_date": "",
        "contact_name": "Alice Archer",
        "contact_phone": "01622 000101",
        "contact_email": "",
        "notes": "",
        "request_key": "2b1f9a59-3c1e-4d8e-9d3a-5f0e6f1c2a77",
    }
    return {**data, **overrides}


def test_a_customer_orders_fttc_and_gets_one_confirmation_email_at_once(client, alice, fttc, on_commit):
    client.force_login(alice)

    with on_commit():
        response = client.post(reverse("orders:order_create", args=[fttc.pk]), order_form(), follow=True)

    order = Order.objects.get(customer=alice)
    assert shows(response, f"Thank you: your order {order.reference} is placed. We are emailing you to confirm it now.")
    [email] = mail.outbox
    assert email.to == ["Alice Archer <alice@example.co.uk>"]
    assert email.subject == f"We have your order {order.reference}: FTTC fibre broadband"
    assert "This confirms that we have received it." in email.body
    assert "£25.00 a month + VAT (£30.00 inc. VAT)" in email.body
    assert "usually takes 10 working days" in email.body
    assert "Minimum contract period: 12 months" in email.body
    assert order.postcode == "ME17 4AA" and order.status == OrderStatus.PLACED
    order.refresh_from_db()
    assert order.confirmation_message.status == Status.SENT
    assert order.confirmation_message.sent_at <= order.confirmation_due_at
    assert shows(client.get(reverse("orders:order_detail", args=[order.pk])), "Emailed")


@pytest.mark.parametrize(
    "received, due",
    [
        # DESIGN.md's worked examples: start (London), 4 office hours later (London).
        (ldn(2026, 11, 27, 16, 0), ldn(2026, 11, 30, 11, 30)),  # 1.5 h Friday, 2.5 h Monday
        (ldn(2026, 11, 28, 10, 0), ldn(2026, 11, 30, 13, 0)),  # Saturday: the clock starts Monday 09:00
        (ldn(2026, 12, 24, 15, 0), ldn(2026, 12, 29, 10, 30)),  # 25 Dec and 28 Dec (substitute) closed
        (ldn(2026, 11, 24, 17, 30), ldn(2026, 11, 25, 13, 0)),  # 17:30 is already closed
    ],
)
def test_the_confirmation_is_due_four_office_hours_after_the_order_is_received(alice, fttc, received, due):
    order = place(alice, fttc, received_at=received)

    assert order.confirmation_due_at == due
    assert order.confirmation_message.due_at == due
    assert order.confirmation_message.kind == "order_received"


def test_a_confirmation_delivered_twice_is_sent_once(alice, fttc, on_commit):
    with on_commit():
        order = place(alice, fttc)
    message = order.confirmation_message

    # The broker redelivers the task, and the periodic job queues it again.
    outbox.enqueue(message.pk)
    delivery.deliver(message.pk)
    outbox.enqueue(message.pk)

    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.SENT, 1)
    assert OutboxMessage.objects.filter(kind="order_received").count() == 1


def test_the_same_order_form_sent_twice_places_one_order_and_one_confirmation(client, alice, fttc, on_commit):
    client.force_login(alice)
    url = reverse("orders:order_create", args=[fttc.pk])

    with on_commit():
        first = client.post(url, order_form())
        second = client.post(url, order_form())

    order = Order.objects.get(customer=alice)
    assert first["Location"] == second["Location"] == reverse("orders:order_detail", args=[order.pk])
    assert len(mail.outbox) == 1


def test_an_order_form_sent_with_another_customers_key_is_refused_and_changes_nothing(
    client, alice, bob, fttc, on_commit
):
    client.force_login(alice)
    with on_commit():
        client.post(reverse("orders:order_create", args=[fttc.pk]), order_form())
    alices = Order.objects.get()
    mail.outbox.clear()
    bobs_browser = Client(raise_request_exception=False)
    bobs_browser.force_login(bob)  # Bob sends a copy of Alice's form, key and all

    with on_commit():
        response = bobs_browser.post(
            reverse("orders:order_create", args=[fttc.pk]), order_form(contact_name="Bob Brown")
        )

    assert response.status_code == 200
    assert shows(response, "This order form cannot be sent again. Please open the order page afresh")
    assert "ORD-" not in response.content.decode()  # nothing of Alice's order is shown
    assert list(Order.objects.all()) == [alices]
    assert Order.objects.get().contact_name == "Alice Archer"
    assert mail.outbox == []


def test_carol_who_takes_letters_only_gets_a_confirmation_letter(carol, products, on_commit):
    with on_commit():
        order = place(carol, products["isdn2"])

    message = order.confirmation_message
    message.refresh_from_db()
    assert message.channel == Channel.LETTER
    assert message.status == Status.TO_PRINT  # it counts as sent once staff post it
    assert order.reference in message.body_html and "Dear Carol Baker" in message.body_html
    assert mail.outbox == []


def test_an_order_moves_through_its_states_and_the_customer_is_told_each_time(alice, fttc, sam, on_commit):
    order = place(alice, fttc)
    mail.outbox.clear()

    with on_commit():
        services.order_confirm(order=order, by=sam)
        services.order_start(order=order, by=sam)
        order = services.order_complete(order=order, by=sam, start_date=date(2026, 11, 30))

    assert order.status == OrderStatus.COMPLETED and order.completed_at
    assert [e.kind for e in order.events.order_by("at", "id")] == ["placed", "confirmed", "in_progress", "completed"]
    assert [m.subject for m in mail.outbox] == [
        f"Your order {order.reference} is confirmed",
        f"Your order {order.reference} is in progress",
        f"Your order {order.reference} is completed",
    ]
    assert "Set-up usually takes 10 working days." in mail.outbox[0].body
    assert "started on Monday 30 November 2026" in mail.outbox[2].body
    assert "ends on Tuesday 30 November 2027" in mail.outbox[2].body


def test_completing_an_order_gives_the_customer_the_service_with_its_minimum_term(alice, fttc, sam):
    order = place(alice, fttc)
    services.order_confirm(order=order, by=sam)
    services.order_start(order=order, by=sam)

    services.order_complete(order=order, by=sam, start_date=date(2027, 1, 31))

    service = Service.objects.get(customer=alice)
    assert service.order == order and service.product == fttc
    assert service.status == ServiceStatus.ACTIVE
    assert (service.start_date, service.minimum_term_end) == (date(2027, 1, 31), date(2028, 1, 31))
    assert service.monthly_price == order.monthly_price
    assert service.fault_contact_name == "Alice Archer"
    assert service.events.get().text.startswith("Service started on Sunday 31 January 2027.")


@pytest.mark.parametrize(
    "moves, refused",
    [
        ([], services.order_complete),
        ([], services.order_start),
        ([services.order_confirm], services.order_complete),
        ([services.order_confirm, services.order_start], services.order_confirm),
    ],
)
def test_a_move_outside_the_workflow_is_refused_and_changes_nothing(alice, fttc, sam, moves, refused):
    order = place(alice, fttc)
    for move in moves:
        move(order=order, by=sam)
    status = Order.objects.get(pk=order.pk).status
    events = order.events.count()

    with pytest.raises(InvalidTransition, match="An order that is"):
        refused(order=order, by=sam)

    assert Order.objects.get(pk=order.pk).status == status
    assert order.events.count() == events
    assert not Service.objects.exists()


def test_a_finished_order_cannot_be_cancelled(alice, fttc, sam):
    order = place(alice, fttc)
    services.order_reject(order=order, by=sam, reason="No FTTC at this address.")

    with pytest.raises(InvalidTransition, match="An order that is rejected cannot become cancelled."):
        services.order_cancel(order=order, by=sam, reason="Customer rang.")


def test_rejecting_needs_a_reason_and_the_customer_is_told_it(alice, fttc, sam, on_commit):
    order = place(alice, fttc)
    mail.outbox.clear()

    with pytest.raises(Refused, match="Give the reason"):
        services.order_reject(order=order, by=sam, reason="  ")
    with on_commit():
        order = services.order_reject(order=order, by=sam, reason="The exchange has no FTTC cabinet yet.")

    assert order.status == OrderStatus.REJECTED
    assert order.closed_reason == "The exchange has no FTTC cabinet yet."
    [email] = mail.outbox
    assert "We cannot go ahead with this order: The exchange has no FTTC cabinet yet." in email.body


def test_a_product_priced_on_request_cannot_be_ordered_in_the_portal(alice, products):
    with pytest.raises(Refused, match="priced on request: ask us for a quote"):
        place(alice, products["leased-line"])

    assert not Order.objects.exists()


def test_staff_enter_a_phoned_order_with_the_quoted_price_of_a_leased_line(alice, products, sam):
    received = ldn(2026, 11, 27, 16, 0)

    order = place(
        alice,
        products["leased-line"],
        received_at=received,
        entered_by=sam,
        monthly_price="450.00",
        setup_fee="0.00",
        now=received + timedelta(hours=1),
    )

    assert str(order.monthly_price) == "450.00"
    assert order.confirmation_due_at == ldn(2026, 11, 30, 11, 30)
    assert order.events.get().text == "Order received by phone."


def test_an_order_received_in_the_future_is_refused(alice, fttc, sam):
    with pytest.raises(Refused, match="cannot be in the future"):
        place(alice, fttc, received_at=timezone.now() + timedelta(minutes=5), now=timezone.now(), entered_by=sam)

    assert not Order.objects.exists()


def test_the_order_reference_is_what_customers_quote(alice, fttc):
    order = place(alice, fttc)

    assert order.reference == f"ORD-{order.pk:06d}"
    assert order.received_at.astimezone(TZ)  # stored aware
