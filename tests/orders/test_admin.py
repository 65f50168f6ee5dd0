"""Staff's side in the admin: orders with their confirmation deadline, the status moves as actions,
orders taken by phone or email entered with the real time received."""

from datetime import timedelta

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from orders.models import Order, OrderStatus, Service, ServiceStatus
from orders.services.orders import order_confirmation_sent
from portal.models import OutboxMessage, Status
from portal.office_hours import add_office_hours
from tests.helpers import ldn, shows, visible_text
from tests.orders.helpers import place

CHANGELIST = reverse("admin:orders_order_changelist")
ADD = reverse("admin:orders_order_add")


def act(client, action, *orders, **extra):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [o.pk for o in orders], "index": "0", "select_across": "0", **extra},
        follow=True,
    )


def with_due(order, due_at, *, sent_at=None):
    Order.objects.filter(pk=order.pk).update(confirmation_due_at=due_at)
    if sent_at:
        OutboxMessage.objects.filter(pk=order.confirmation_message_id).update(status=Status.SENT, sent_at=sent_at)
        order_confirmation_sent(message=OutboxMessage.objects.get(pk=order.confirmation_message_id))  # after send
    return order


def test_the_changelist_shows_whether_each_confirmation_is_due_at_risk_overdue_or_done(client, sam, alice, fttc):
    now = timezone.now()
    overdue = with_due(place(alice, fttc, contact_name="Overdue"), now - timedelta(minutes=1))
    at_risk = with_due(place(alice, fttc), add_office_hours(now, 0.5))
    due = with_due(place(alice, fttc), add_office_hours(now, 3))
    met = with_due(place(alice, fttc), now + timedelta(hours=1), sent_at=now - timedelta(minutes=5))
    late = with_due(place(alice, fttc), now - timedelta(hours=2), sent_at=now - timedelta(hours=1))
    client.force_login(sam)

    response = client.get(CHANGELIST)

    rows = {o.reference: row_text(response, o) for o in [overdue, at_risk, due, met, late]}
    assert rows[overdue.reference].endswith("Overdue")
    assert rows[at_risk.reference].endswith("At risk")
    assert rows[due.reference].endswith("Due")
    assert "Done in time: sent" in rows[met.reference]
    assert "Done late: sent" in rows[late.reference]


def test_the_confirmation_filter_shows_the_orders_in_each_state(client, sam, alice, fttc):
    now = timezone.now()
    orders = {
        "overdue": with_due(place(alice, fttc), now - timedelta(minutes=1)),
        "at_risk": with_due(place(alice, fttc), add_office_hours(now, 0.5)),
        "due": with_due(place(alice, fttc), add_office_hours(now, 3)),
        "late": with_due(place(alice, fttc), now - timedelta(hours=2), sent_at=now - timedelta(hours=1)),
    }
    with_due(place(alice, fttc), now + timedelta(hours=1), sent_at=now - timedelta(minutes=5))  # in time
    client.force_login(sam)
    for state, order in orders.items():
        text = visible_text(client.get(CHANGELIST, {"confirmation": state}))
        assert order.reference in text, state
        assert [o.reference for o in Order.objects.all() if o.reference in text] == [order.reference], state


def row_text(response, order):
    import re

    html = response.content.decode()
    start = html.index(f">{order.reference}<")
    row = html[start : html.index("</tr>", start)]
    return " ".join(re.sub(r"<[^>]+>", " ", row).split())


def test_the_deadline_filter_lists_only_the_overdue_or_at_risk_orders(client, sam, alice, fttc):
    now = timezone.now()
    overdue = with_due(place(alice, fttc), now - timedelta(minutes=1))
    at_risk = with_due(place(alice, fttc), add_office_hours(now, 0.5))
    fine = place(alice, fttc)
    client.force_login(sam)

    overdue_page = client.get(CHANGELIST, {"confirmation": "overdue"})
    at_risk_page = client.get(CHANGELIST, {"confirmation": "at_risk"})

    assert list(overdue_page.context["cl"].result_list) == [overdue]
    assert list(at_risk_page.context["cl"].result_list) == [at_risk]
    assert fine.reference not in overdue_page.content.decode() + at_risk_page.content.decode()


def add_form(customer, product, **overrides):
    data = {
        "customer": customer.pk,
        "product": product.pk,
        "channel": "phone",
        "received_at_0": "28/11/2025",
        "received_at_1": "16:00",
        "address": "12 Orchard Way\nMaidstone",
        "postcode": "me17 4aa",
        "preferred_start_date": "",
        "contact_name": "Alice Archer",
        "contact_phone": "01622 000101",
        "contact_email": "",
        "notes": "Rang on Friday afternoon.",
        "monthly_price": "",
        "setup_fee": "",
    }
    return {**data, **overrides}


def test_staff_enter_a_phoned_order_with_the_real_time_it_was_received(client, sam, alice, fttc, on_commit):
    client.force_login(sam)

    with on_commit():
        response = client.post(ADD, add_form(alice, fttc), follow=True)

    order = Order.objects.get()
    assert response.status_code == 200 and order.reference in response.content.decode()
    assert order.received_at == ldn(2025, 11, 28, 16, 0)
    assert order.confirmation_due_at == ldn(2025, 12, 1, 11, 30)  # 1.5 h on Friday, 2.5 h on Monday
    assert (order.channel, order.entered_by, order.monthly_price, order.postcode) == (
        "phone",
        sam,
        fttc.monthly_price,
        "ME17 4AA",
    )
    assert order.events.get().text == "Order received by phone."
    [email] = mail.outbox
    assert email.to == ["Alice Archer <alice@example.co.uk>"]
    assert order.reference in email.subject


def test_staff_cannot_enter_an_order_received_in_the_future(client, sam, alice, fttc):
    client.force_login(sam)
    tomorrow = timezone.localtime() + timedelta(days=1)

    response = client.post(ADD, add_form(alice, fttc, received_at_0=tomorrow.strftime("%d/%m/%Y")))

    assert "The time received cannot be in the future." in str(response.context["adminform"].form.errors)
    assert not Order.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_a_leased_line_entered_without_its_quoted_price_is_refused(client, sam, alice, products):
    client.force_login(sam)

    response = client.post(ADD, add_form(alice, products["leased-line"]))

    assert "enter the quoted monthly price and set-up fee" in str(response.context["adminform"].form.errors)
    assert not Order.objects.exists()


def test_staff_confirm_start_and_complete_an_order_with_the_actions(client, sam, alice, fttc, on_commit):
    order = place(alice, fttc)
    client.force_login(sam)
    mail.outbox.clear()

    with on_commit():
        act(client, "confirm", order)
        act(client, "start_work", order)
        response = act(client, "complete", order)

    assert shows(response, f"Done: {order.reference}.")
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED
    assert Service.objects.get(order=order).customer == alice
    assert [e.by for e in order.events.exclude(kind="placed")] == [sam, sam, sam]
    assert len(mail.outbox) == 3


def test_a_move_the_workflow_does_not_allow_is_refused_with_a_message(client, sam, alice, fttc):
    order = place(alice, fttc)
    client.force_login(sam)

    response = act(client, "complete", order)

    assert shows(response, "An order that is placed cannot become completed.")
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED


def test_rejecting_asks_for_the_reason_then_tells_the_customer(client, sam, alice, fttc, on_commit):
    order = place(alice, fttc)
    client.force_login(sam)
    mail.outbox.clear()

    question = act(client, "reject", order)
    empty = act(client, "reject", order, apply="Reject these orders", reason=" ")
    with on_commit():
        act(client, "reject", order, apply="Reject these orders", reason="No FTTC cabinet serves this address.")

    assert shows(question, "The customer of each one below is told, by email (or letter, if they take letters only).")
    assert shows(empty, "This field is required.")
    order.refresh_from_db()
    assert (order.status, order.closed_reason) == (OrderStatus.REJECTED, "No FTTC cabinet serves this address.")
    [email] = mail.outbox
    assert "No FTTC cabinet serves this address." in email.body


def test_the_status_cannot_be_edited_by_hand(client, sam, alice, fttc):
    order = place(alice, fttc)
    client.force_login(sam)
    url = reverse("admin:orders_order_change", args=[order.pk])

    page = client.get(url).content.decode()
    client.post(url, {"status": "completed", "address": "Elsewhere"})

    assert 'name="status"' not in page
    assert 'name="_save"' not in page
    order.refresh_from_db()
    assert (order.status, order.address) == (OrderStatus.PLACED, "12 Orchard Way\nMaidstone")


def test_engineers_see_orders_but_cannot_move_them(client, eric, alice, fttc):
    order = place(alice, fttc)
    client.force_login(eric)

    page = client.get(CHANGELIST)
    act(client, "confirm", order)

    assert page.status_code == 200 and order.reference in page.content.decode()
    assert 'value="confirm"' not in page.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED


def test_staff_find_an_order_by_its_reference(client, sam, alice, fttc):
    wanted, other = place(alice, fttc), place(alice, fttc)
    client.force_login(sam)

    response = client.get(CHANGELIST, {"q": wanted.reference.lower()})

    assert list(response.context["cl"].result_list) == [wanted]
    assert other.reference not in response.content.decode()


def test_the_service_and_cancellation_pages_are_read_only(client, sam, alices_fttc):
    client.force_login(sam)

    service_page = client.get(reverse("admin:orders_service_change", args=[alices_fttc.pk])).content.decode()
    add_service = client.get(reverse("admin:orders_service_add"))

    assert 'name="status"' not in service_page and "Service started on" in service_page
    assert add_service.status_code == 403


def test_an_orders_page_offers_only_the_moves_its_status_allows(client, sam, alice, fttc):
    placed = place(alice, fttc)
    client.force_login(sam)

    page = client.get(reverse("admin:orders_order_change", args=[placed.pk]))

    offered = [title for _, title in page.context["staff_actions"]]
    assert offered == ["Confirm the order", "Cancel the order", "Reject the order"]
    assert reverse("admin:orders_order_action", args=[placed.pk, "confirm"]) in page.content.decode()
    refused = client.get(reverse("admin:orders_order_action", args=[placed.pk, "complete"]), follow=True)
    assert shows(refused, f"Complete the order (the service starts today) does not apply to {placed.reference}")


def test_staff_reject_an_order_from_its_page_and_the_customer_is_told_why(client, sam, alice, fttc, on_commit):
    order = place(alice, fttc)
    client.force_login(sam)
    url = reverse("admin:orders_order_action", args=[order.pk, "reject"])
    mail.outbox.clear()

    form = client.get(url)
    with on_commit():
        response = client.post(url, {"reason": "No FTTC cabinet serves this address."}, follow=True)

    assert shows(form, "Alice Archer (alice) · FTTC fibre broadband · Placed")
    assert shows(response, "Reject the order: done.")
    order.refresh_from_db()
    assert (order.status, order.closed_reason) == (OrderStatus.REJECTED, "No FTTC cabinet serves this address.")
    [email] = mail.outbox
    assert "No FTTC cabinet serves this address." in email.body


def test_staff_withdraw_a_cancellation_from_its_page(client, sam, alices_fttc):
    from orders import services

    cancellation = services.cancellation_request(
        service=alices_fttc, channel="email", received_at=timezone.now(), quoted_username="alice", recorded_by=sam
    )
    client.force_login(sam)

    page = client.get(reverse("admin:orders_cancellation_change", args=[cancellation.pk]))
    # As the page's Save button sends it (an action with no fields still posts its form).
    response = client.post(
        reverse("admin:orders_cancellation_action", args=[cancellation.pk, "withdraw"]), {"save": "Save"}, follow=True
    )

    assert [name for name, _ in page.context["staff_actions"]] == ["withdraw"]
    assert shows(response, "Withdraw the request (the customer keeps the service): done.")
    alices_fttc.refresh_from_db()
    assert alices_fttc.status == ServiceStatus.ACTIVE
