"""The orders card of the account overview counts what the customer holds and has on order."""

from django.template.loader import render_to_string
from django.urls import reverse

from portal.dashboard import cards_for
from tests.helpers import shows
from tests.orders.helpers import place


def test_the_card_counts_services_held_and_orders_in_progress(
    alice, alices_fttc, bob, products, django_assert_num_queries
):
    place(alice, products["shared-hosting"])
    place(bob, products["shared-hosting"])  # another customer's order counts nowhere but on his own overview

    with django_assert_num_queries(1):  # every card's figures in one query
        card = next(card for card in cards_for(alice) if card["template"] == "orders/_dashboard_card.html")
    html = render_to_string(card["template"], {"card": card})

    assert (card["active"], card["cancelling"], card["open_orders"]) == (1, 0, 1)
    assert "You hold 1 service." in html and "1 order in progress." in html


def test_the_account_overview_shows_the_card(client, alice, alices_fttc):
    client.force_login(alice)

    response = client.get(reverse("accounts:dashboard"))

    assert shows(response, "Services and orders You hold 1 service.")
    assert reverse("orders:service_list") in response.content.decode()
