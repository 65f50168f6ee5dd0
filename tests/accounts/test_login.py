"""Logging in and out, and the lockout after repeated wrong passwords (django-axes)."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from tests.accounts.helpers import log_in, logged_in_user_id
from tests.helpers import shows

DASHBOARD = reverse("accounts:dashboard")
LOGIN = reverse("accounts:login")
WRONG_PASSWORD_MESSAGE = "That account username or email and password do not match. Please try again."
LOCKED_OUT_MESSAGE = "Too many failed log-in attempts"


def test_the_lockout_limit_is_five_wrong_passwords():
    # The tests below count on it; the setting comes from the environment (AXES_FAILURE_LIMIT).
    assert settings.AXES_FAILURE_LIMIT == 5


def test_a_customer_logs_in_with_their_account_username(client, alice, password):
    response = log_in(client, "alice", password)

    assert response.status_code == 302 and response["Location"] == DASHBOARD
    assert logged_in_user_id(client) == alice.pk
    dashboard = client.get(DASHBOARD)
    assert "Your account username is <strong>alice</strong>" in dashboard.content.decode()


def test_the_account_username_may_be_typed_in_capitals(client, alice, password):
    log_in(client, "Alice", password)

    assert logged_in_user_id(client) == alice.pk


@pytest.mark.parametrize("typed", ["alice@example.co.uk", "ALICE@EXAMPLE.CO.UK", "Alice@Example.Co.Uk"])
def test_a_customer_logs_in_with_their_email_address_in_any_case(client, alice, password, typed):
    response = log_in(client, typed, password)

    assert response.status_code == 302 and response["Location"] == DASHBOARD
    assert logged_in_user_id(client) == alice.pk


def test_a_wrong_password_says_they_do_not_match_and_logs_nobody_in(client, alice):
    response = log_in(client, "alice", "not-her-password")

    assert response.status_code == 200
    assert shows(response, WRONG_PASSWORD_MESSAGE)
    assert logged_in_user_id(client) is None
    assert client.get(DASHBOARD)["Location"].startswith(LOGIN)


def test_an_unknown_account_gets_the_same_message_as_a_wrong_password(client, alice, password):
    response = log_in(client, "nobody-here", password)

    assert shows(response, WRONG_PASSWORD_MESSAGE)
    assert logged_in_user_id(client) is None


def test_after_five_wrong_passwords_even_the_right_one_shows_the_locked_out_page(client, alice, password):
    for _ in range(4):
        response = log_in(client, "alice", "guess-again")
        assert shows(response, WRONG_PASSWORD_MESSAGE)
    log_in(client, "alice", "guess-again")  # the fifth

    response = log_in(client, "alice", password)

    assert shows(response, LOCKED_OUT_MESSAGE)
    assert shows(response, "reset your password by email")
    assert logged_in_user_id(client) is None
    assert client.get(DASHBOARD)["Location"].startswith(LOGIN)


def test_four_wrong_passwords_do_not_lock_the_account(client, alice, password):
    for _ in range(4):
        log_in(client, "alice", "guess-again")

    response = log_in(client, "alice", password)

    assert not shows(response, LOCKED_OUT_MESSAGE)
    assert logged_in_user_id(client) == alice.pk


def test_the_lockout_of_one_account_leaves_other_customers_free_to_log_in(client, alice, bob, password):
    for _ in range(5):
        log_in(client, "alice", "guess-again")

    log_in(client, "bob", password)

    assert logged_in_user_id(client) == bob.pk


@pytest.mark.parametrize("other_spelling", ["ALICE", "alice@example.co.uk"])
def test_a_locked_account_stays_locked_when_typed_another_way(client, alice, password, other_spelling):
    # The customer may log in with their username in any case or with their email address: all are
    # the same account, so five wrong passwords for it lock every way of naming it.
    for _ in range(5):
        log_in(client, "alice", "guess-again")

    response = log_in(client, other_spelling, password)

    assert shows(response, LOCKED_OUT_MESSAGE)
    assert logged_in_user_id(client) is None


def test_logging_out_with_a_post_ends_the_session(client, alice, password):
    log_in(client, "alice", password)
    assert logged_in_user_id(client) == alice.pk

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert logged_in_user_id(client) is None
    assert client.get(DASHBOARD)["Location"].startswith(LOGIN)


@pytest.mark.parametrize("name", ["dashboard", "details", "marketing", "export", "password_change"])
def test_account_pages_send_anonymous_visitors_to_the_login_page(client, name):
    url = reverse(f"accounts:{name}")

    response = client.get(url, follow=True)

    assert response.redirect_chain == [(f"{LOGIN}?next={url}", 302)]
    assert "Log in" in response.content.decode()
    assert "Account username or email" in response.content.decode()


@pytest.mark.parametrize("url", [LOGIN, reverse("admin:login")], ids=["customer login", "staff login"])
def test_the_login_box_takes_any_address_the_registration_form_accepts(client, url):
    from accounts.forms import RegistrationForm

    longest = RegistrationForm().fields["email"].max_length

    page = client.get(url).content.decode()

    [box] = re.findall(r'<input[^>]*name="username"[^>]*>', page)
    assert f'maxlength="{longest}"' in box and longest >= 254


def lock_alice_out(client, password):
    for _ in range(5):
        log_in(client, "alice", "guess-again")
    return log_in(client, "alice", password)


@pytest.mark.parametrize(
    ("hours", "in_words"),
    [
        (0.25, "15 minutes"),
        (1 / 60, "1 minute"),
        (1, "1 hour"),
        (1.5, "1 hour and 30 minutes"),
        (24, "1 day"),
    ],
    ids=["15 minutes (the default)", "one minute", "one hour", "an hour and a half", "a day"],
)
def test_the_locked_out_page_says_how_long_the_pause_is_in_words(client, alice, password, settings, hours, in_words):
    settings.AXES_COOLOFF_TIME = hours  # hours, as settings.py turns AXES_COOLOFF_MINUTES into

    response = lock_alice_out(client, password)

    assert shows(response, f"logging in to this account is paused for {in_words} after several wrong passwords.")
    assert "PT" not in response.content.decode().split("<main", 1)[1]


def test_the_locked_out_page_gives_our_phone_number_and_office_hours_in_clean_sentences(client, alice, password):
    response = lock_alice_out(client, password)

    text = response.content.decode()
    assert shows(response, "call us on 01622 474730.")
    assert shows(response, "Our office hours: Monday to Friday, 9am to 5:30pm. Closed on weekends and bank holidays.")
    assert ".)" not in text
