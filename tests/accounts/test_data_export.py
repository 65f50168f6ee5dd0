"""A customer downloads everything we hold about them (Data Protection), and nobody else's."""

import json

import pytest
from django.urls import reverse

from accounts import services
from accounts.models import ConsentChannel, Correspondence, CustomerType
from portal import data_export
from tests.accounts.helpers import log_in
from tests.helpers import shows

DOWNLOAD = reverse("accounts:export_download")
PASSWORD = "plum-velvet-harbour-42"


def register(**details):
    return services.customer_register(
        password=PASSWORD,
        customer_type=CustomerType.RESIDENTIAL,
        correspondence=Correspondence.EMAIL,
        **details,
    )


@pytest.fixture
def alice(db, sam):
    """Alice, registered the usual way (so she has a welcome email), with a marketing history."""
    alice = register(
        username="alice",
        full_name="Alice Archer",
        email="alice@example.co.uk",
        phone="01622 111111",
        address="12 Orchard Way\nMaidstone\nKent",
        postcode="ME17 4AA",
        marketing_opt_in=True,
    )
    services.marketing_consent_record(customer=alice, opted_in=False, channel=ConsentChannel.PORTAL)
    services.marketing_consent_record(
        customer=alice, opted_in=True, channel=ConsentChannel.PHONE, recorded_by=sam, note="Rang to opt back in"
    )
    return alice


@pytest.fixture
def bob(db):
    bob = register(
        username="bobbuilds",
        full_name="Bob Brown",
        email="bob.brown@example.co.uk",
        phone="01622 999999",
        address="9 Quarry Lane\nTonbridge\nKent",
        postcode="TN9 1ZZ",
        marketing_opt_in=False,
    )
    services.marketing_consent_record(customer=bob, opted_in=True, channel=ConsentChannel.PORTAL)
    return bob


@pytest.fixture
def extra_section():
    """Register sections for one test only, and take them out of the registry afterwards."""
    added = []

    def add(name, func):
        added.append(name)
        return data_export.exporter(name)(func)

    yield add
    for name in added:
        data_export._sections.pop(name, None)


def download(client, customer):
    client.force_login(customer)
    return client.post(DOWNLOAD)


def test_the_download_is_a_json_attachment_named_after_the_account(client, alice):
    response = download(client, alice)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename=" in disposition and "alice" in disposition
    assert disposition.endswith('.json"')


def test_the_download_holds_the_account_details(client, alice):
    data = json.loads(download(client, alice).content)

    assert data["provider"] == "121 Communications"
    assert data["account_username"] == "alice"
    account = data["account"]
    assert account["account_username"] == "alice"
    assert account["full_name"] == "Alice Archer"
    assert account["email"] == "alice@example.co.uk"
    assert account["phone"] == "01622 111111"
    assert account["postal_address"] == "12 Orchard Way\nMaidstone\nKent"
    assert account["postcode"] == "ME17 4AA"
    assert account["correspondence"] == "By email"


def test_the_download_holds_the_full_marketing_history_oldest_first(client, alice):
    data = json.loads(download(client, alice).content)

    history = [(c["opted_in"], c["channel"], c["note"]) for c in data["marketing_consent"]]
    assert history == [
        (True, ConsentChannel.REGISTRATION.label, ""),
        (False, ConsentChannel.PORTAL.label, ""),
        (True, ConsentChannel.PHONE.label, "Rang to opt back in"),
    ]
    assert all(c["at"] for c in data["marketing_consent"])


def test_the_download_holds_the_emails_we_sent(client, alice):
    data = json.loads(download(client, alice).content)

    subjects = [m["subject"] for m in data["correspondence"]]
    assert subjects == ["Welcome to 121 Communications"]
    assert "Your account username is alice." in data["correspondence"][0]["text"]


def test_the_download_holds_nothing_of_another_customer(client, alice, bob):
    text = download(client, alice).content.decode()

    for bobs in ["Bob Brown", "bobbuilds", "bob.brown@example.co.uk", "01622 999999", "Quarry Lane", "TN9 1ZZ"]:
        assert bobs not in text
    data = json.loads(text)
    assert len(data["marketing_consent"]) == 3
    assert len(data["correspondence"]) == 1


def test_bob_gets_his_own_data(client, alice, bob):
    data = json.loads(download(client, bob).content)

    assert data["account"]["full_name"] == "Bob Brown"
    assert "Alice Archer" not in json.dumps(data)


def test_the_download_page_offers_a_button_and_a_get_of_the_file_is_refused(client, alice):
    client.force_login(alice)

    page = client.get(reverse("accounts:export"))
    response = client.get(DOWNLOAD)

    assert shows(page, "Download my data (JSON)")
    assert f'action="{DOWNLOAD}"' in page.content.decode()
    assert response.status_code == 405
    assert "Alice Archer" not in response.content.decode()


def test_anonymous_visitors_are_sent_to_the_login_page(client, alice):
    response = client.post(DOWNLOAD)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={DOWNLOAD}"
    assert "Alice Archer" not in response.content.decode()


def test_a_section_registered_by_another_app_appears_in_the_download(client, alice, extra_section):
    extra_section("loyalty_points", lambda customer: {"points": 42, "for": customer.username})

    data = json.loads(download(client, alice).content)

    assert data["loyalty_points"] == {"points": 42, "for": "alice"}
    assert "loyalty_points" in data_export._sections


def test_registering_the_same_section_twice_with_another_function_is_refused(extra_section):
    def first(customer):
        return "first"

    def second(customer):
        return "second"

    extra_section("loyalty_points", first)

    with pytest.raises(ValueError, match="loyalty_points"):
        data_export.exporter("loyalty_points")(second)
    assert data_export._sections["loyalty_points"] is first
    extra_section("loyalty_points", first)  # the same function again (a module imported twice) is fine


def test_the_download_says_who_recorded_each_marketing_choice(client, alice):
    data = json.loads(download(client, alice).content)

    assert [c["recorded_by"] for c in data["marketing_consent"]] == [
        "you",
        "you",
        "Sam Service, 121 Communications staff",
    ]


def test_the_download_holds_alices_logins_and_failed_attempts_with_their_addresses(client, alice, bob):
    from django.test import Client

    assert log_in(client, "alice", PASSWORD).status_code == 302
    stranger = Client(REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="Stranger's browser")
    stranger.post(
        reverse("accounts:login"),
        {"username": "alice@example.co.uk", "password": "guess-one", "csrfmiddlewaretoken": "the-form-token-value"},
    )
    log_in(stranger, "bobbuilds", "guess-two")  # bob's, not hers

    response = client.post(DOWNLOAD)

    records = json.loads(response.content)["login_records"]
    [login] = records["logins"]
    assert login["internet_address"] == "127.0.0.1"
    assert login["page"] == reverse("accounts:login")
    assert login["session"].startswith("(a fingerprint of the log-in session, kept but not shown")
    [failed] = records["failed_attempts"]
    assert (failed["internet_address"], failed["browser"], failed["failures"]) == (
        "203.0.113.9",
        "Stranger's browser",
        1,
    )
    assert "csrfmiddlewaretoken=(a form security token, kept but not shown" in failed["form_sent"]
    assert "password=(not kept" in failed["form_sent"]
    text = response.content.decode()
    for secret in ["guess-one", PASSWORD, "the-form-token-value", "bobbuilds", "guess-two"]:
        assert secret not in text


def test_attempts_on_a_username_before_the_account_existed_are_not_the_customers(client, db):
    from django.test import Client

    log_in(Client(REMOTE_ADDR="198.51.100.7"), "nadia", "someone-elses-guess")
    nadia = register(username="nadia", full_name="Nadia Newcomer", email="nadia@example.co.uk", marketing_opt_in=False)

    records = json.loads(download(client, nadia).content)["login_records"]

    assert records["failed_attempts"] == []
    assert "198.51.100.7" not in json.dumps(records)


def test_a_password_reset_email_shows_the_link_in_words_not_a_placeholder(client, alice, on_commit):
    with on_commit():
        client.post(reverse("accounts:password_reset"), {"email": "alice@example.co.uk"})

    data = json.loads(download(client, alice).content)

    [reset] = [m for m in data["correspondence"] if m["kind"] == "password_reset"]
    assert "(a password reset link, not kept)" in reset["text"]
    assert "[[" not in json.dumps(data) and "/password/reset/" not in reset["text"]


def test_a_letter_in_the_download_holds_its_words(client, carol, on_commit):
    from portal import outbox

    with on_commit():
        outbox.send_to_customer(
            carol, kind="welcome", template="accounts/welcome", subject="Welcome to 121 Communications", context={}
        )

    data = json.loads(download(client, carol).content)

    [letter] = data["correspondence"]
    assert letter["channel"] == "Letter"
    assert "Your account username is carolsbakery." in letter["text"]
    assert "<p>" not in letter["text"]
    assert letter["postal_address"].splitlines()[-1] == "ME14 1AB"


def test_the_download_holds_copies_of_the_code_and_price_lists_asked_for_while_logged_in(client, alice, on_commit):
    client.force_login(alice)
    with on_commit():
        client.post(
            reverse("portal:code_copy"), {"name": "Alice Archer", "method": "email", "email": "alice@example.co.uk"}
        )
        client.post(reverse("orders:price_list"), {"name": "Alice Archer", "email": "alice@example.co.uk"})

    data = json.loads(client.post(DOWNLOAD).content)

    assert [(r["name"], r["email"]) for r in data["code_of_practice_copies"]] == [
        ("Alice Archer", "alice@example.co.uk")
    ]
    assert [(r["name"], r["email"]) for r in data["price_list_requests"]] == [("Alice Archer", "alice@example.co.uk")]
