"""A newcomer creates their account on the registration page."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import ConsentChannel, MarketingConsent, User
from portal.models import OutboxMessage
from tests.accounts.helpers import logged_in_user_id, shows
from tests.factories import CustomerFactory

REGISTER = reverse("accounts:register")
STRONG_PASSWORD = "plum-velvet-harbour-42"


def registration(**overrides):
    """Everything a newcomer fills in, ticking the marketing box; overrides change or drop fields."""
    data = {
        "username": "NadiaN",
        "full_name": "Nadia Newcomer",
        "email": "nadia@example.co.uk",
        "phone": "01622 123456",
        "customer_type": "residential",
        "company_name": "",
        "address": "4 Mill Lane\nMaidstone\nKent",
        "postcode": "me14 1aa",
        "correspondence": "email",
        "password1": STRONG_PASSWORD,
        "password2": STRONG_PASSWORD,
        "marketing_opt_in": "on",
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def assert_nothing_created(users_before):
    assert User.objects.count() == users_before
    assert not User.objects.filter(full_name="Nadia Newcomer").exists()
    assert not MarketingConsent.objects.exists()
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_a_newcomer_gets_an_account_with_a_lower_case_username_and_a_normalised_postcode(client):
    response = client.post(REGISTER, registration())

    assert response.status_code == 302
    nadia = User.objects.get(email="nadia@example.co.uk")
    assert nadia.username == "nadian"
    assert nadia.postcode == "ME14 1AA"
    assert nadia.full_name == "Nadia Newcomer"
    assert nadia.phone == "01622 123456"
    assert nadia.address == "4 Mill Lane\nMaidstone\nKent"
    assert nadia.correspondence == "email"
    assert nadia.check_password(STRONG_PASSWORD)
    assert not nadia.is_staff


@pytest.mark.django_db
def test_a_newcomer_is_logged_in_and_the_dashboard_shows_their_account_username(client):
    response = client.post(REGISTER, registration(), follow=True)

    nadia = User.objects.get(username="nadian")
    assert logged_in_user_id(client) == nadia.pk
    assert response.redirect_chain[-1][0] == reverse("accounts:dashboard")
    assert shows(response, "Your account username is nadian.")  # the welcome message
    assert "Your account username is <strong>nadian</strong>" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("ticked", [True, False], ids=["box ticked", "box left empty"])
def test_the_marketing_box_is_recorded_as_one_registration_consent(client, ticked):
    response = client.post(REGISTER, registration(marketing_opt_in="on" if ticked else None), follow=True)

    nadia = User.objects.get(username="nadian")
    consent = MarketingConsent.objects.get()
    assert consent.customer == nadia
    assert consent.channel == ConsentChannel.REGISTRATION
    assert consent.opted_in is ticked
    assert consent.recorded_by is None
    expected = "You are <strong>opted in</strong>" if ticked else "You are <strong>opted out</strong>"
    assert expected in response.content.decode()


@pytest.mark.django_db
def test_the_welcome_email_reaches_the_newcomer_with_their_account_username(client, on_commit):
    with on_commit():
        client.post(REGISTER, registration())

    assert len(mail.outbox) == 1
    welcome = mail.outbox[0]
    assert welcome.subject == "Welcome to 121 Communications"
    assert "Your account username is nadian." in welcome.body
    assert len(welcome.to) == 1 and "<nadia@example.co.uk>" in welcome.to[0]
    assert OutboxMessage.objects.get().kind == "welcome"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"password2": "plum-velvet-harbour-43"}, "password2", "The two passwords do not match."),
        ({"password1": "password", "password2": "password"}, "password1", "This password is too common."),
        ({"password1": "k3y", "password2": "k3y"}, "password1", "This password is too short."),
        ({"postcode": "ME14"}, "postcode", "Enter a UK postcode, for example ME17 4NN."),
        ({"postcode": "1AA ME14"}, "postcode", "Enter a UK postcode, for example ME17 4NN."),
        ({"customer_type": "business", "company_name": ""}, "company_name", "Give the name of your business."),
        ({"username": "nadia newcomer"}, "username", "Use 3 to 40 lower-case letters"),
        ({"username": "Nadia N"}, "username", "Use 3 to 40 lower-case letters"),
        ({"username": "nadia!"}, "username", "Use 3 to 40 lower-case letters"),
        ({"username": "na"}, "username", "Use 3 to 40 lower-case letters"),
        ({"email": ""}, "email", "Give an email address, or choose to hear from us by post."),
    ],
    ids=["passwords differ", "common password", "short password", "half a postcode", "not a postcode",
         "business without company", "username with a space", "username with capitals and a space",
         "username with a symbol", "username too short", "no email but hearing by email"],
)
def test_bad_input_is_explained_on_the_form_and_creates_nothing(client, overrides, field, message):
    users_before = User.objects.count()

    response = client.post(REGISTER, registration(**overrides))

    assert response.status_code == 200
    form = response.context["form"]
    assert any(message in error for error in form.errors[field]), form.errors
    assert shows(response, message)
    assert logged_in_user_id(client) is None
    assert_nothing_created(users_before)


@pytest.mark.django_db
def test_a_taken_username_is_refused_whatever_its_case(client, alice):
    users_before = User.objects.count()

    response = client.post(REGISTER, registration(username="Alice"))

    assert shows(response, "That account username is taken. Please choose another.")
    assert_nothing_created(users_before)
    alice.refresh_from_db()
    assert alice.full_name == "Alice Archer"


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["alice@example.co.uk", "ALICE@EXAMPLE.CO.UK", "Alice@Example.co.uk"])
def test_an_email_address_already_on_an_account_is_refused_whatever_its_case(client, typed):
    CustomerFactory(username="alice", full_name="Alice Archer", email="Alice@Example.co.uk")
    users_before = User.objects.count()

    response = client.post(REGISTER, registration(email=typed))

    assert response.status_code == 200
    assert shows(response, "An account with that email address already exists.")
    assert_nothing_created(users_before)


@pytest.mark.django_db
def test_a_logged_in_customer_visiting_register_goes_to_their_dashboard(client, alice):
    client.force_login(alice)

    response = client.get(REGISTER, follow=True)

    assert response.redirect_chain == [(reverse("accounts:dashboard"), 302)]
    assert "Your account username is <strong>alice</strong>" in response.content.decode()
    assert "Create your account" not in response.content.decode()


@pytest.mark.django_db
def test_a_customer_who_takes_letters_only_registers_without_email_and_is_welcomed_by_letter(client, on_commit):
    from portal.models import Channel, Status

    with on_commit():
        response = client.post(reverse("accounts:register"), {
            "username": "olive", "full_name": "Olive Oak", "email": "", "phone": "01622 000999",
            "customer_type": "residential", "company_name": "", "address": "2 Mill Lane\nMaidstone",
            "postcode": "ME15 6AA", "correspondence": "post", "password1": "plum-velvet-harbour-42",
            "password2": "plum-velvet-harbour-42"}, follow=True)

    assert "Your account username is olive" in response.content.decode()
    welcome = OutboxMessage.objects.get(kind="welcome")
    assert (welcome.channel, welcome.status) == (Channel.LETTER, Status.TO_PRINT)
    assert welcome.postal_address.splitlines()[-1] == "ME15 6AA"
