"""A customer keeps their own details up to date and changes their password."""

import pytest
from django.urls import reverse

from accounts.models import Correspondence
from tests.accounts.helpers import log_in, logged_in_user_id
from tests.helpers import shows

DETAILS = reverse("accounts:details")


def details_of(customer, **changes):
    """The details form as the customer sees it filled in, with their changes."""
    data = {
        "full_name": customer.full_name,
        "email": customer.email,
        "phone": customer.phone,
        "customer_type": customer.customer_type,
        "company_name": customer.company_name,
        "address": customer.address,
        "postcode": customer.postcode,
        "correspondence": customer.correspondence,
    }
    data.update(changes)
    return data


def as_stored(customer):
    customer.refresh_from_db()
    return {
        name: getattr(customer, name)
        for name in ["username", "full_name", "email", "phone", "address", "postcode", "correspondence", "company_name"]
    }


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


def test_a_customer_saves_a_new_phone_address_and_postcode(alice_client, alice):
    response = alice_client.post(
        DETAILS,
        details_of(
            alice,
            phone="07700 900123",
            address="5 New Road\nMaidstone\nKent",
            postcode="me15 6xy",
        ),
        follow=True,
    )

    alice.refresh_from_db()
    assert alice.phone == "07700 900123"
    assert alice.address == "5 New Road\nMaidstone\nKent"
    assert alice.postcode == "ME15 6XY"
    assert shows(response, "Your details are saved.")
    dashboard = alice_client.get(reverse("accounts:dashboard")).content.decode()
    assert "07700 900123" in dashboard and "ME15 6XY" in dashboard


def test_the_form_shows_the_details_as_they_are(alice_client, alice):
    response = alice_client.get(DETAILS)

    assert shows(response, "Alice Archer")
    assert shows(response, "ME17 4AA")
    assert "Account username: <strong>alice</strong>" in response.content.decode()


def test_choosing_letters_without_an_address_is_refused_and_changes_nothing(alice_client, alice):
    before = as_stored(alice)

    response = alice_client.post(
        DETAILS,
        details_of(
            alice,
            correspondence=Correspondence.POST,
            address="",
            postcode="",
            phone="07700 900123",
        ),
    )

    assert response.status_code == 200
    assert shows(response, "Give your postal address and postcode so our letters reach you.")
    assert as_stored(alice) == before


def test_choosing_letters_without_a_postcode_is_refused(alice_client, alice):
    before = as_stored(alice)

    response = alice_client.post(DETAILS, details_of(alice, correspondence=Correspondence.POST, postcode=""))

    assert shows(response, "Give your postal address and postcode so our letters reach you.")
    assert as_stored(alice) == before


def test_removing_the_email_address_while_hearing_by_email_is_refused(alice_client, alice):
    before = as_stored(alice)

    response = alice_client.post(DETAILS, details_of(alice, email=""))

    assert response.status_code == 200
    assert shows(response, "Give an email address, or choose to hear from us by post.")
    assert as_stored(alice) == before
    assert alice.email == "alice@example.co.uk"


def test_removing_the_email_address_is_fine_for_someone_who_takes_letters(alice_client, alice):
    alice_client.post(DETAILS, details_of(alice, email="", correspondence=Correspondence.POST))

    alice.refresh_from_db()
    assert alice.email == ""
    assert alice.writes_by_post


def test_an_invalid_postcode_is_refused_and_changes_nothing(alice_client, alice):
    before = as_stored(alice)

    response = alice_client.post(DETAILS, details_of(alice, postcode="1AA ME17", phone="07700 900123"))

    assert shows(response, "Enter a UK postcode, for example ME17 4NN.")
    assert as_stored(alice) == before


def test_the_email_address_of_another_account_is_refused(alice_client, alice, bob):
    before = as_stored(alice)

    response = alice_client.post(DETAILS, details_of(alice, email="BOB@example.co.uk"))

    assert shows(response, "An account with that email address already exists.")
    assert as_stored(alice) == before


def test_the_account_username_cannot_be_changed_through_the_form(alice_client, alice):
    response = alice_client.post(DETAILS, details_of(alice, username="hacker", phone="07700 900123"), follow=True)

    alice.refresh_from_db()
    assert alice.username == "alice"
    assert alice.phone == "07700 900123"  # the rest of the form was saved
    assert "Account username: <strong>alice</strong>" in response.content.decode()


def test_a_customer_changes_their_password_and_the_old_one_stops_working(client, alice, password):
    client.force_login(alice)
    new_password = "marble-otter-lantern-77"

    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": password,
            "new_password1": new_password,
            "new_password2": new_password,
        },
        follow=True,
    )

    assert shows(response, "Your password is changed.")
    assert logged_in_user_id(client) == alice.pk  # still logged in on this device
    client.post(reverse("accounts:logout"))
    log_in(client, "alice", password)
    assert logged_in_user_id(client) is None
    log_in(client, "alice", new_password)
    assert logged_in_user_id(client) == alice.pk


def test_changing_the_password_needs_the_old_one(client, alice, password):
    client.force_login(alice)

    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "not-the-old-one",
            "new_password1": "marble-otter-lantern-77",
            "new_password2": "marble-otter-lantern-77",
        },
    )

    assert response.status_code == 200
    assert "old password was entered incorrectly" in response.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(password)
