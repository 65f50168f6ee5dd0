"""The staff action pages every case admin shares (portal/admin_actions.py), seen through the orders
admin, which lists its moves as staff actions: a page per action on the case, the same action on many
cases from the changelist (asking once for a reason), refusals on the form, no page for a bad id or
without permission, and search by reference."""

import pytest
from django.urls import reverse
from django.utils import timezone

from orders import services
from orders.models import Cancellation, CancellationChannel, Order, OrderStatus
from portal import sla
from portal.admin_actions import deadline_cell
from tests.helpers import shows
from tests.orders.conftest import alices_fttc, fttc, products  # noqa: F401  (the catalogue, a held service)
from tests.orders.helpers import place

CHANGELIST = reverse("admin:orders_order_changelist")


def action_url(order, name):
    return reverse("admin:orders_order_action", args=[order.pk, name])


def bulk(client, action, *orders, **extra):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [o.pk for o in orders], "index": "0", "select_across": "0", **extra},
        follow=True,
    )


@pytest.fixture
def order(alice, fttc):
    return place(alice, fttc)


def test_the_case_page_links_each_action_that_applies_and_has_no_save_button(client, sam, order):
    client.force_login(sam)

    page = client.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()

    assert action_url(order, "confirm") in page and action_url(order, "reject") in page
    assert action_url(order, "start_work") not in page  # a placed order is not confirmed yet
    assert 'name="_save"' not in page


def test_an_action_page_shows_its_form_then_calls_its_service(client, sam, order):
    client.force_login(sam)

    form = client.get(action_url(order, "cancel"))
    done = client.post(action_url(order, "cancel"), {"reason": "The customer rang to cancel."}, follow=True)

    assert shows(form, f"Cancel the order: {order.reference}")
    assert 'name="reason"' in form.content.decode()
    assert done.redirect_chain[-1][0] == reverse("admin:orders_order_change", args=[order.pk])
    assert shows(done, "Cancel the order: done.")
    order.refresh_from_db()
    assert (order.status, order.closed_reason) == (OrderStatus.CANCELLED, "The customer rang to cancel.")


def test_a_form_left_incomplete_says_so_and_changes_nothing(client, sam, order):
    client.force_login(sam)

    response = client.post(action_url(order, "reject"), {"reason": "  "})

    assert response.status_code == 200
    assert response.context["form"].errors == {"reason": ["This field is required."]}
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED


def test_a_refusal_of_the_service_is_shown_on_the_form_and_nothing_changes(client, sam, alices_fttc):
    cancellation = services.cancellation_request(
        service=alices_fttc,
        channel=CancellationChannel.EMAIL,
        received_at=timezone.now(),
        quoted_username="alice",
        recorded_by=sam,
    )
    Cancellation.objects.filter(pk=cancellation.pk).update(withdrawal_date=timezone.localdate())  # its day has come
    client.force_login(sam)

    response = client.post(
        reverse("admin:orders_cancellation_action", args=[cancellation.pk, "withdraw"]), {"save": "Save"}
    )

    assert response.status_code == 200
    assert "it is too late to withdraw the request" in " ".join(response.context["form"].non_field_errors())
    cancellation.refresh_from_db()
    assert cancellation.status == "active"


def test_an_action_that_does_not_apply_to_the_case_as_it_stands_sends_staff_back(client, sam, order):
    client.force_login(sam)

    response = client.post(action_url(order, "complete"), {"save": "Save"}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("admin:orders_order_change", args=[order.pk])
    assert shows(response, f"does not apply to {order.reference} as it stands")
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED


def test_a_bad_id_or_an_unknown_action_is_not_found(client, sam, order):
    client.force_login(sam)

    assert client.get(reverse("admin:orders_order_action", args=[order.pk + 1000, "confirm"])).status_code == 404
    assert client.get(action_url(order, "launch")).status_code == 404


def test_staff_who_may_only_look_get_no_action_page_and_customers_no_admin(client, eric, alice, order):
    client.force_login(eric)
    assert client.post(action_url(order, "confirm"), {"save": "Save"}).status_code == 403
    client.force_login(alice)
    assert client.get(action_url(order, "confirm")).status_code == 302  # to the staff login
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED


def test_a_bulk_action_asks_once_for_the_reason_then_acts_on_each_case(client, sam, alice, fttc):
    first, second = place(alice, fttc), place(alice, fttc)
    done = place(alice, fttc)
    services.order_reject(order=done, by=sam, reason="No line.")
    client.force_login(sam)

    question = bulk(client, "cancel", first, second, done)
    response = bulk(client, "cancel", first, second, done, apply="Cancel the order", reason="Customer rang.")

    assert shows(question, f"{first.reference}:") and 'name="reason"' in question.content.decode()
    assert Order.objects.filter(status=OrderStatus.CANCELLED).count() == 2
    assert shows(response, f"Done: {second.reference}, {first.reference}.")
    assert shows(response, "An order that is rejected cannot become cancelled.")


def test_a_bulk_action_with_no_form_acts_at_once(client, sam, alice, fttc):
    orders = [place(alice, fttc), place(alice, fttc)]
    client.force_login(sam)

    response = bulk(client, "confirm", *orders)

    assert shows(response, "Done:")
    assert set(Order.objects.values_list("status", flat=True)) == {OrderStatus.CONFIRMED}


@pytest.mark.parametrize("typed", ["ORD-{pk:06d}", "ord {pk}", "{pk}", " 000{pk} "])
def test_a_reference_is_searched_exactly_however_it_is_typed(client, sam, alice, fttc, typed):
    wanted, other = place(alice, fttc), place(alice, fttc)
    client.force_login(sam)

    response = client.get(CHANGELIST, {"q": typed.format(pk=wanted.pk)})

    assert list(response.context["cl"].result_list) == [wanted]
    assert other.reference not in response.content.decode()


def test_a_long_number_is_searched_as_words_not_as_a_reference(client, sam, alice, fttc):
    place(alice, fttc)
    client.force_login(sam)

    response = client.get(CHANGELIST, {"q": "01622000101"})  # a phone number: no order has that id

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []


def test_a_deadline_cell_is_coloured_by_its_class_only():
    assert deadline_cell(sla.OVERDUE) == '<span class="deadline deadline-overdue">Overdue</span>'
    assert deadline_cell(sla.AT_RISK) == '<span class="deadline deadline-at_risk">At risk</span>'
    assert deadline_cell(None) == '<span class="deadline deadline-none"></span>'
    assert "style=" not in deadline_cell(sla.LATE)


def test_the_bulk_page_never_acts_on_an_unselected_case(client, sam, alice, fttc):
    chosen, left = place(alice, fttc), place(alice, fttc)
    client.force_login(sam)

    bulk(client, "reject", chosen, apply="Reject the order", reason="No line at that address.")

    assert Order.objects.get(pk=chosen.pk).status == OrderStatus.REJECTED
    assert Order.objects.get(pk=left.pk).status == OrderStatus.PLACED
