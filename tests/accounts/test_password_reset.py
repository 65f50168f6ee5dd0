"""A customer who forgot their password gets a link by email, through the outbox."""

import re
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.urls import reverse

from portal.models import OutboxMessage
from tests.accounts.helpers import log_in, logged_in_user_id
from tests.helpers import shows

RESET = reverse("accounts:password_reset")
NEW_PASSWORD = "marble-otter-lantern-77"
CHECK_YOUR_EMAIL = "Check your email"
USED_LINK = "This password reset link has expired or was already used."


def ask_for_reset(client, on_commit, email):
    with on_commit():
        return client.post(RESET, {"email": email}, follow=True)


def reset_link(message):
    """The path of the reset link in an email."""
    match = re.search(r"https?://\S+/password/reset/\S+/\S+/", message.body)
    assert match, message.body
    return urlparse(match.group(0)).path


def set_new_password(client, link, password=NEW_PASSWORD):
    form_page = client.get(link, follow=True)  # Django swaps the token for a session and redirects
    return client.post(
        form_page.request["PATH_INFO"], {"new_password1": password, "new_password2": password}, follow=True
    )


@pytest.mark.parametrize("typed", ["alice@example.co.uk", "ALICE@Example.CO.UK"])
def test_asking_with_her_email_sends_alice_one_email_through_the_outbox(client, alice, on_commit, typed):
    response = ask_for_reset(client, on_commit, typed)

    assert shows(response, CHECK_YOUR_EMAIL)
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.subject == "Reset your 121 Communications password"
    assert "<alice@example.co.uk>" in email.to[0]
    assert "account alice" in email.body
    queued = OutboxMessage.objects.get()
    assert queued.kind == "password_reset"
    assert queued.customer == alice
    assert queued.to_email == "alice@example.co.uk"


def test_the_link_lets_alice_choose_a_new_password_and_log_in_with_it(client, alice, password, on_commit):
    ask_for_reset(client, on_commit, "alice@example.co.uk")
    link = reset_link(mail.outbox[0])

    response = set_new_password(client, link)

    assert shows(response, "Your password is changed")
    log_in(client, "alice", password)
    assert logged_in_user_id(client) is None
    log_in(client, "alice", NEW_PASSWORD)
    assert logged_in_user_id(client) == alice.pk


def test_the_link_cannot_be_used_twice(client, alice, on_commit):
    ask_for_reset(client, on_commit, "alice@example.co.uk")
    link = reset_link(mail.outbox[0])
    set_new_password(client, link)

    second = client.get(link, follow=True)
    set_new_password(client, link, password="someone-elses-choice-99")

    assert shows(second, USED_LINK)
    assert 'name="new_password1"' not in second.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)


def test_a_made_up_link_is_refused(client, alice):
    response = client.get(reverse("accounts:password_reset_confirm", args=["MQ", "not-a-token"]), follow=True)

    assert shows(response, USED_LINK)


def test_an_unknown_email_gets_the_same_page_and_no_email(client, alice, on_commit):
    response = ask_for_reset(client, on_commit, "nobody@example.co.uk")

    assert shows(response, CHECK_YOUR_EMAIL)
    assert mail.outbox == []
    assert not OutboxMessage.objects.exists()


@pytest.mark.parametrize("typed", ["", "carolsbakery", "Carol's Bakery Ltd"])
def test_carol_who_has_no_email_address_gets_no_reset_email(client, carol, on_commit, typed):
    response = ask_for_reset(client, on_commit, typed)

    assert not shows(response, CHECK_YOUR_EMAIL)
    assert mail.outbox == []
    assert not OutboxMessage.objects.filter(customer=carol).exists()
    assert not OutboxMessage.objects.exists()
    assert shows(response, "please call us")


def test_staff_reading_the_outbox_never_see_a_working_reset_link(client, alice, sam, on_commit):
    from portal.models import OutboxMessage

    with on_commit():
        client.post(reverse("accounts:password_reset"), {"email": "alice@example.co.uk"})

    stored = OutboxMessage.objects.get(kind="password_reset")
    [email] = mail.outbox
    assert "/account/password/reset/" in email.body  # the customer's copy has the link
    assert "/account/password/reset/" not in stored.body_text + stored.body_html
    client.force_login(sam)
    page = client.get(reverse("admin:portal_outboxmessage_change", args=[stored.pk])).content.decode()
    assert "[[reset-path]]" in page and "/account/password/reset/" not in page


def test_a_staff_account_cannot_be_reset_from_the_public_form(client, sam, on_commit):
    with on_commit():
        client.post(reverse("accounts:password_reset"), {"email": sam.email})

    assert mail.outbox == []


def test_an_address_only_the_database_thinks_is_hers_gets_no_link(client, db, on_commit):
    """The database's case-blind match pairs a dotless "ı" with "I": the link goes only to the same address."""  # noqa: RUF002 (the dotless i is the point)
    from tests.factories import CustomerFactory

    CustomerFactory(username="dana", email="dana@mail.example.org")

    response = ask_for_reset(client, on_commit, "dana@maıl.example.org")

    assert shows(response, CHECK_YOUR_EMAIL)
    assert mail.outbox == []
    assert not OutboxMessage.objects.exists()
