"""The orders pages said once and in customers' words: a cancellation confirmed once, the price list's
"no fee" and "no minimum term" told apart, the leased line's set-up fee on request."""

import pytest
from django.urls import reverse

from tests.helpers import visible_text

pytestmark = pytest.mark.django_db


def test_a_cancellation_is_confirmed_once_and_the_page_keeps_its_facts(client, alice, alices_fttc, on_commit):
    client.force_login(alice)

    with on_commit():
        response = client.post(
            reverse("orders:service_cancel", args=[alices_fttc.pk]), {"quoted_username": "alice"}, follow=True
        )

    page = visible_text(response)
    assert page.count("remain liable") == 1
    assert page.count("Your FTTC fibre broadband service will be withdrawn on") == 1  # the confirmation
    assert "This service will be withdrawn on" not in page  # not again in the box below it
    assert "Withdrawal date" in page and "Request received" in page
    # Coming back later, the box says it by itself.
    later = visible_text(client.get(reverse("orders:service_detail", args=[alices_fttc.pk])))
    assert later.count("remain liable") == 1 and "You remain liable for this service's charges until then." in later


def test_the_price_list_tells_no_fee_from_no_minimum_term_and_asks_a_quote_for_the_leased_line(client, alice, products):
    client.force_login(alice)

    response = client.get(reverse("orders:catalogue"))
    page, html = visible_text(response), response.content.decode()

    assert "None" not in page
    assert "Shared web hosting" in page and "No set-up fee No minimum term" in page
    # The leased line: monthly price and set-up fee both on request, each in its own column.
    leased = html[html.index("Leased line") :]
    leased = leased[: leased.index("</tr>")]
    assert leased.count("Price on request") == 2
    assert 'class="btn btn-primary btn-order"' in html
