"""Marketing choices: the customer's own from the profile, and those staff record from a call or letter.

Code (Privacy): customers may opt in and out of our marketing; every change is kept with its time
and how it reached us.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import ConsentChannel, MarketingConsent
from tests.accounts.helpers import add_inline_row, admin_change_data
from tests.helpers import queries_for_get, shows

MARKETING = reverse("accounts:marketing")
DASHBOARD = reverse("accounts:dashboard")
OPTED_IN = "You are <strong>opted in</strong>"
OPTED_OUT = "You are <strong>opted out</strong>"


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


def choose(client, choice):
    return client.post(MARKETING, {"opted_in": choice}, follow=True)


def consent_rows(customer):
    return list(MarketingConsent.objects.filter(customer=customer).order_by("at", "id"))


def add_history(customer, count, *, start_opted_in=True):
    """`count` alternating past choices, the latest `count` minutes ago at the most recent."""
    now = timezone.now()
    MarketingConsent.objects.bulk_create(
        MarketingConsent(
            customer=customer,
            opted_in=(i % 2 == 0) == start_opted_in,
            channel=ConsentChannel.PORTAL,
            at=now - timedelta(days=count - i),
        )
        for i in range(count)
    )


def test_a_customer_opts_out_then_in_and_each_change_is_kept_with_its_time(alice_client, alice):
    before = timezone.now()

    response = choose(alice_client, "no")
    assert shows(response, "You are opted out: we will send you no marketing.")
    response = choose(alice_client, "yes")
    assert shows(response, "You are opted in to our marketing. You can opt out here at any time.")

    rows = consent_rows(alice)
    assert [(row.opted_in, row.channel) for row in rows] == [
        (False, ConsentChannel.PORTAL),
        (True, ConsentChannel.PORTAL),
    ]
    assert all(before <= row.at <= timezone.now() for row in rows)
    assert rows[0].at <= rows[1].at
    assert all(row.recorded_by is None for row in rows)


def test_the_marketing_page_and_dashboard_show_the_current_choice(alice_client):
    choose(alice_client, "yes")
    assert OPTED_IN in alice_client.get(MARKETING).content.decode()
    assert OPTED_IN in alice_client.get(DASHBOARD).content.decode()

    choose(alice_client, "no")
    assert OPTED_OUT in alice_client.get(MARKETING).content.decode()
    assert OPTED_OUT in alice_client.get(DASHBOARD).content.decode()


def test_the_marketing_page_lists_the_history_of_choices(alice_client, alice):
    choose(alice_client, "yes")
    choose(alice_client, "no")

    page = alice_client.get(MARKETING).content.decode()

    assert page.count("<td>Opted in</td>") == 1
    assert page.count("<td>Opted out</td>") == 1
    assert page.count(ConsentChannel.PORTAL.label.replace("'", "&#x27;")) == 2


def test_a_customer_with_no_choice_recorded_is_shown_as_opted_out(alice_client):
    page = alice_client.get(MARKETING).content.decode()

    assert OPTED_OUT in page
    assert "No choice recorded yet" in page


def test_choosing_the_same_twice_adds_no_second_row(alice_client, alice):
    choose(alice_client, "yes")
    response = choose(alice_client, "yes")

    assert shows(response, "You are opted in to our marketing.")
    assert [row.opted_in for row in consent_rows(alice)] == [True]


def test_an_invalid_choice_is_explained_and_records_nothing(alice_client, alice):
    choose(alice_client, "yes")

    response = alice_client.post(MARKETING, {"opted_in": "maybe"})

    assert response.status_code == 200
    assert shows(response, "Select a valid choice.")
    assert [row.opted_in for row in consent_rows(alice)] == [True]
    assert OPTED_IN in response.content.decode()


def test_one_customers_choice_does_not_change_anothers(client, alice, bob):
    client.force_login(alice)
    choose(client, "yes")

    assert consent_rows(bob) == []
    client.force_login(bob)
    assert OPTED_OUT in client.get(MARKETING).content.decode()


# --- Staff record a choice given by phone, letter or email ---------------------------------------


def alice_admin_url(alice):
    return reverse("admin:accounts_user_change", args=[alice.pk])


def test_staff_record_a_phone_opt_out_from_the_customers_admin_page(client, alice, sam):
    client.force_login(alice)
    choose(client, "yes")
    client.force_login(sam)
    page = client.get(alice_admin_url(alice))
    assert page.status_code == 200
    data = add_inline_row(
        admin_change_data(page),
        "marketing_consents",
        opted_in=False,
        channel=ConsentChannel.PHONE,
        note="Rang to opt out",
    )

    response = client.post(alice_admin_url(alice), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    latest = consent_rows(alice)[-1]
    assert latest.opted_in is False
    assert latest.channel == ConsentChannel.PHONE
    assert latest.recorded_by == sam
    assert latest.note == "Rang to opt out"
    assert len(consent_rows(alice)) == 2
    client.force_login(alice)
    assert OPTED_OUT in client.get(MARKETING).content.decode()


def test_staff_cannot_record_a_choice_as_the_customers_own(client, alice, sam):
    client.force_login(sam)
    page = client.get(alice_admin_url(alice))
    data = add_inline_row(
        admin_change_data(page), "marketing_consents", opted_in=True, channel=ConsentChannel.PORTAL, note=""
    )

    response = client.post(alice_admin_url(alice), data)

    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert consent_rows(alice) == []


def test_past_choices_cannot_be_changed_in_the_admin(client, alice, sam):
    client.force_login(alice)
    choose(client, "yes")
    client.force_login(sam)
    page = client.get(alice_admin_url(alice))
    data = admin_change_data(page)
    data.pop("marketing_consents-0-opted_in", None)  # try to turn the opt-in into an opt-out
    data["marketing_consents-0-note"] = "changed"

    client.post(alice_admin_url(alice), data)

    assert [(row.opted_in, row.note) for row in consent_rows(alice)] == [(True, "")]


def test_customers_cannot_reach_the_staff_admin(client, alice, bob):
    client.force_login(alice)

    for url in [reverse("admin:index"), reverse("admin:accounts_user_changelist"), alice_admin_url(bob)]:
        response = client.get(url, follow=True)
        page = response.content.decode()
        assert response.redirect_chain[0][0].startswith(reverse("admin:login"))
        assert "Bob Brown" not in page
        assert "You are authenticated as alice, but are not authorized to access this page" in page


# --- Query counts stay flat as the history grows ---------------------------------------------------


def test_the_marketing_page_costs_the_same_queries_with_1_or_50_choices(alice_client, alice):
    add_history(alice, 1)
    alice_client.get(MARKETING)  # warm up caches shared by every request
    with_one = queries_for_get(alice_client, MARKETING)

    add_history(alice, 49, start_opted_in=False)
    with_fifty = queries_for_get(alice_client, MARKETING)

    assert MarketingConsent.objects.filter(customer=alice).count() == 50
    assert with_fifty == with_one


def test_the_dashboard_costs_the_same_queries_with_1_or_50_choices(alice_client, alice):
    add_history(alice, 1)
    alice_client.get(DASHBOARD)
    with_one = queries_for_get(alice_client, DASHBOARD)

    add_history(alice, 49, start_opted_in=False)
    with_fifty = queries_for_get(alice_client, DASHBOARD)

    assert MarketingConsent.objects.filter(customer=alice).count() == 50
    assert with_fifty == with_one
