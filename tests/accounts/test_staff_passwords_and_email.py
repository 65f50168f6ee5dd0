"""Staff and a customer's way in: only an administrator sets a password; other staff send the customer a
reset link; a change of the customer's email by staff is recorded and told to the old address and the new.

Without this, an insider could take over an account: set its password, or move it to an address of theirs.
"""

import json

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import AccountEvent, User
from portal.data_export import export_json
from portal.models import Channel, OutboxMessage, Status
from tests.accounts.helpers import admin_change_data, log_in, logged_in_user_id
from tests.accounts.test_password_reset import NEW_PASSWORD, reset_link, set_new_password
from tests.factories import StaffFactory
from tests.helpers import emails_to, shows

ADD = reverse("admin:accounts_user_add")
CHANGELIST = reverse("admin:accounts_user_changelist")


def change_url(user):
    return reverse("admin:accounts_user_change", args=[user.pk])


def password_url(user):
    return reverse("admin:auth_user_password_change", args=[user.pk])


def send_reset_url(user):
    return reverse("admin:accounts_user_send_reset", args=[user.pk])


def export(customer):
    return json.loads(export_json(customer))


@pytest.fixture
def root(db):
    """An administrator: the one who may set a password."""
    return StaffFactory(username="root", full_name="Rita Root", is_superuser=True)


@pytest.mark.parametrize("who", ["sam", "ann"])
def test_staff_who_are_not_administrators_cannot_set_a_customers_password(client, alice, password, who, request):
    client.force_login(request.getfixturevalue(who))

    page = client.get(password_url(alice))
    response = client.post(
        password_url(alice),
        {"password1": "insider-chosen-pass-1", "password2": "insider-chosen-pass-1", "usable_password": "true"},
    )

    assert page.status_code == response.status_code == 403
    alice.refresh_from_db()
    assert alice.check_password(password)
    assert not alice.check_password("insider-chosen-pass-1")


def test_an_administrator_sets_a_customers_password(client, root, alice):
    client.force_login(root)

    response = client.post(
        password_url(alice),
        {"password1": "root-chosen-pass-1", "password2": "root-chosen-pass-1", "usable_password": "true"},
    )

    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("root-chosen-pass-1")


def test_the_customers_page_offers_staff_a_reset_link_and_no_password_field(client, sam, root, alice):
    client.force_login(sam)
    as_staff = client.get(change_url(alice)).content.decode()
    client.force_login(root)
    as_administrator = client.get(change_url(alice)).content.decode()

    assert "Send a password reset link" in as_staff
    assert send_reset_url(alice) in as_staff
    assert password_url(alice) not in as_staff and "../password/" not in as_staff
    assert "md5" not in as_staff  # not even the hash's summary
    assert "../password/" in as_administrator


def test_customer_services_add_a_customer_without_choosing_a_password(client, sam, on_commit):
    client.force_login(sam)
    form = client.get(ADD).content.decode()
    assert 'name="password1"' not in form

    response = client.post(
        ADD,
        {
            "username": "dana",
            "full_name": "Dana Dawson",
            "email": "dana@example.co.uk",
            "password1": "sam-chose-this-1",
            "password2": "sam-chose-this-1",
        },
        follow=True,
    )

    dana = User.objects.get(username="dana")
    assert shows(response, "They choose their own password: send them a link with “Send a password reset link”.")
    assert not dana.check_password("sam-chose-this-1")
    assert dana.has_usable_password()  # so the public "forgot your password" form works for her
    with on_commit():
        client.post(reverse("accounts:password_reset"), {"email": "dana@example.co.uk"})
    assert [m.subject for m in emails_to("dana@example.co.uk")] == ["Reset your 121 Communications password"]


def test_customer_services_send_a_reset_link_from_the_customers_page(client, sam, alice, on_commit):
    client.force_login(sam)

    with on_commit():
        response = client.post(send_reset_url(alice), follow=True)

    assert shows(response, "A link to choose a new password is on its way to alice@example.co.uk (alice).")
    [email] = emails_to("alice@example.co.uk")
    assert email.subject == "Reset your 121 Communications password"
    assert "As you asked, our staff are sending you a link to choose a new password" in email.body
    stored = OutboxMessage.objects.get(kind="password_reset")
    assert "/account/password/reset/" not in stored.body_text + stored.body_html
    outbox_page = client.get(reverse("admin:portal_outboxmessage_change", args=[stored.pk])).content.decode()
    assert "/account/password/reset/" not in outbox_page
    assert [e["what"] for e in export(alice)["account_changes_by_staff"]] == ["Password reset link sent by our staff"]

    client.logout()
    assert shows(set_new_password(client, reset_link(email)), "Your password is changed")
    log_in(client, "alice", NEW_PASSWORD)
    assert logged_in_user_id(client) == alice.pk


def test_the_list_action_sends_links_and_says_why_it_cannot_for_some(client, sam, alice, carol, on_commit):
    colleague = StaffFactory(username="nina", full_name="Nina Newstaff")
    client.force_login(sam)

    with on_commit():
        response = client.post(
            CHANGELIST,
            {"action": "send_password_reset", "_selected_action": [alice.pk, carol.pk, colleague.pk]},
            follow=True,
        )

    assert shows(response, "A link to choose a new password is on its way to alice@example.co.uk (alice).")
    assert shows(
        response, "Carol Baker, Carol's Bakery Ltd (carolsbakery) has no email address, so no reset link can be sent."
    )
    assert shows(response, "Nina Newstaff (nina) is a member of staff: only an administrator sets their password.")
    assert [to for m in mail.outbox for to in m.to] == ["Alice Archer <alice@example.co.uk>"]
    assert not OutboxMessage.objects.filter(customer__in=[carol, colleague]).exists()


def test_a_reset_link_is_sent_only_by_pressing_the_button_of_someone_allowed(client, sam, eric, alice):
    client.force_login(sam)
    assert client.get(send_reset_url(alice)).status_code == 403  # a visit to the address sends nothing
    client.force_login(eric)
    assert client.post(send_reset_url(alice)).status_code == 403

    assert not OutboxMessage.objects.filter(kind="password_reset").exists()
    assert not AccountEvent.objects.exists()


def change_email(client, customer, email):
    data = admin_change_data(client.get(change_url(customer)))
    data["email"] = email
    response = client.post(change_url(customer), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    customer.refresh_from_db()
    return response


def test_a_change_of_email_by_staff_is_told_to_the_old_and_the_new_address(client, sam, alice, on_commit):
    client.force_login(sam)

    with on_commit():
        change_email(client, alice, "a.archer@example.org")

    assert alice.email == "a.archer@example.org"
    [old] = emails_to("alice@example.co.uk")
    [new] = emails_to("a.archer@example.org")
    assert old.subject == "The email address on your 121 Communications account has changed"
    assert "Before: alice@example.co.uk" in old.body and "Now: a.archer@example.org" in old.body
    assert "If you did not ask for this, call us at once on 01622 474730" in old.body
    assert new.subject == "This is now the email address of your 121 Communications account"
    [change] = export(alice)["account_changes_by_staff"]
    assert change["what"] == "Email address changed by our staff"
    assert change["details"] == "Email address changed from alice@example.co.uk to a.archer@example.org."
    assert shows(
        client.get(change_url(alice)), "Email address changed from alice@example.co.uk to a.archer@example.org."
    )


def test_an_email_address_given_to_a_customer_who_had_none_is_told_by_post(client, sam, carol, on_commit):
    client.force_login(sam)

    with on_commit():
        change_email(client, carol, "carol@carolsbakery.example")

    letter = OutboxMessage.objects.get(kind="email_changed_old")
    assert (letter.channel, letter.status, letter.customer) == (Channel.LETTER, Status.TO_PRINT, carol)
    assert "Our staff added an email address" in letter.body_html and "carol@carolsbakery.example" in letter.body_html
    assert [m.subject for m in emails_to("carol@carolsbakery.example")] == [
        "This is now the email address of your 121 Communications account"
    ]
    assert letter.pk in [
        m.pk for m in client.get(reverse("admin:portal_printqueueletter_changelist")).context["cl"].result_list
    ]


def test_removing_a_customers_email_is_told_to_the_old_address(client, sam, alice, on_commit):
    client.force_login(sam)
    data = admin_change_data(client.get(change_url(alice)))
    data.update(email="", correspondence="post")

    with on_commit():
        client.post(change_url(alice), data)

    alice.refresh_from_db()
    assert alice.email == ""
    [old] = emails_to("alice@example.co.uk")
    assert "Now: no email address (we will write to you by post)" in old.body
    assert len(mail.outbox) == 1


def test_changing_only_the_letter_case_or_other_details_tells_nobody(client, sam, alice, on_commit):
    client.force_login(sam)

    with on_commit():
        change_email(client, alice, "Alice@Example.co.uk")
        data = admin_change_data(client.get(change_url(alice)))
        data["phone"] = "07700 900999"
        client.post(change_url(alice), data)

    assert mail.outbox == []
    assert not AccountEvent.objects.exists()
    assert export(alice)["account_changes_by_staff"] == []


def test_the_accounts_team_changing_an_email_is_recorded_as_well(client, ann, alice, on_commit):
    client.force_login(ann)

    with on_commit():
        change_email(client, alice, "a.archer@example.org")

    assert AccountEvent.objects.get().by == ann
    assert len(emails_to("alice@example.co.uk")) == 1
