"""A newcomer creates their account on the registration page, finishing it from the link we email;
the page never tells anyone which email addresses have accounts."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import ConsentChannel, MarketingConsent, PendingRegistration, User
from portal.models import OutboxMessage
from tests.accounts.helpers import logged_in_user_id
from tests.factories import CustomerFactory
from tests.helpers import shows

REGISTER = reverse("accounts:register")
STRONG_PASSWORD = "plum-velvet-harbour-42"
CONFIRM_SUBJECT = "Finish creating your 121 Communications account"


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
    assert not PendingRegistration.objects.exists()
    assert not OutboxMessage.objects.exists()


def finish_link(email):
    """The path of the link that finishes a registration, from the email that carries it."""
    match = re.search(r"https?://\S+(/account/register/finish/\S+/)", email.body)
    assert match, email.body
    return match.group(1)


def register(client, on_commit, **overrides):
    with on_commit():
        return client.post(REGISTER, registration(**overrides), follow=True)


def finish(client, on_commit, link, password=STRONG_PASSWORD):
    assert shows(client.get(link), "Finish creating your account")
    with on_commit():
        return client.post(link, {"password": password}, follow=True)


def register_and_finish(client, on_commit, **overrides):
    register(client, on_commit, **overrides)
    [confirmation] = [m for m in mail.outbox if m.subject == CONFIRM_SUBJECT]
    return finish(client, on_commit, finish_link(confirmation))


@pytest.mark.django_db
def test_a_newcomer_is_asked_to_check_their_email_and_no_account_is_made_yet(client, on_commit):
    response = register(client, on_commit)

    assert response.redirect_chain[-1][0] == reverse("accounts:register_sent")
    assert shows(response, "Check your email")
    assert "We have sent an email to <strong>nadia@example.co.uk</strong>." in response.content.decode()
    assert not User.objects.exists()
    assert logged_in_user_id(client) is None
    [email] = mail.outbox
    assert email.subject == CONFIRM_SUBJECT
    assert "<nadia@example.co.uk>" in email.to[0]
    assert "To finish creating your account nadian," in email.body


@pytest.mark.django_db
def test_the_link_and_the_password_chosen_make_the_account_with_a_lower_case_username_and_a_normalised_postcode(
    client, on_commit
):
    register_and_finish(client, on_commit)

    nadia = User.objects.get(email="nadia@example.co.uk")
    assert nadia.username == "nadian"
    assert nadia.postcode == "ME14 1AA"
    assert nadia.full_name == "Nadia Newcomer"
    assert nadia.phone == "01622 123456"
    assert nadia.address == "4 Mill Lane\nMaidstone\nKent"
    assert nadia.correspondence == "email"
    assert nadia.check_password(STRONG_PASSWORD)
    assert not nadia.is_staff
    assert not PendingRegistration.objects.exists()


@pytest.mark.django_db
def test_a_newcomer_who_finishes_is_logged_in_and_the_dashboard_shows_their_account_username(client, on_commit):
    response = register_and_finish(client, on_commit)

    nadia = User.objects.get(username="nadian")
    assert logged_in_user_id(client) == nadia.pk
    assert response.redirect_chain[-1][0] == reverse("accounts:dashboard")
    assert shows(response, "Your account username is nadian.")  # the welcome message
    assert "Your account username is <strong>nadian</strong>" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("ticked", [True, False], ids=["box ticked", "box left empty"])
def test_the_marketing_box_is_recorded_as_one_registration_consent(client, on_commit, ticked):
    response = register_and_finish(client, on_commit, marketing_opt_in="on" if ticked else None)

    nadia = User.objects.get(username="nadian")
    consent = MarketingConsent.objects.get()
    assert consent.customer == nadia
    assert consent.channel == ConsentChannel.REGISTRATION
    assert consent.opted_in is ticked
    assert consent.recorded_by is None
    expected = "You are <strong>opted in</strong>" if ticked else "You are <strong>opted out</strong>"
    assert expected in response.content.decode()


@pytest.mark.django_db
def test_the_welcome_email_reaches_the_newcomer_with_their_account_username_once_they_finish(client, on_commit):
    register_and_finish(client, on_commit)

    assert [m.subject for m in mail.outbox] == [CONFIRM_SUBJECT, "Welcome to 121 Communications"]
    welcome = mail.outbox[1]
    assert "Your account username is nadian." in welcome.body
    assert len(welcome.to) == 1 and "<nadia@example.co.uk>" in welcome.to[0]
    nadia = User.objects.get(username="nadian")
    # Both emails are on her account, so her data export holds them.
    assert sorted(OutboxMessage.objects.filter(customer=nadia).values_list("kind", flat=True)) == [
        "registration_confirm",
        "welcome",
    ]


@pytest.mark.django_db
def test_a_wrong_password_at_the_link_makes_nothing_and_the_right_one_then_works(client, on_commit):
    register(client, on_commit)
    link = finish_link(mail.outbox[0])

    response = finish(client, on_commit, link, password="not-what-she-chose")

    assert shows(response, "That is not the password chosen when registering.")
    assert not User.objects.exists()
    assert logged_in_user_id(client) is None
    finish(client, on_commit, link)
    assert logged_in_user_id(client) == User.objects.get(username="nadian").pk


@pytest.mark.django_db
def test_the_link_cannot_make_a_second_account(client, on_commit):
    register(client, on_commit)
    link = finish_link(mail.outbox[0])
    finish(client, on_commit, link)
    client.post(reverse("accounts:logout"))

    again = client.get(link)
    client.post(link, {"password": STRONG_PASSWORD})

    assert shows(again, "This link has expired or was already used.")
    assert 'name="password"' not in again.content.decode()
    assert User.objects.count() == 1
    assert logged_in_user_id(client) is None


@pytest.mark.django_db
def test_a_link_older_than_three_days_has_expired_and_the_hourly_job_deletes_the_registration(client, on_commit):
    from accounts.tasks import registrations_expire

    register(client, on_commit)
    link = finish_link(mail.outbox[0])
    PendingRegistration.objects.update(created_at=timezone.now() - timedelta(days=3, minutes=1))

    response = client.get(link)
    registrations_expire()

    assert shows(response, "This link has expired or was already used.")
    assert not PendingRegistration.objects.exists()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_registering_again_with_the_same_address_replaces_the_first_registration(client, on_commit):
    register(client, on_commit)
    first_link = finish_link(mail.outbox[0])
    register(client, on_commit, username="nadia2", password1="second-choice-77x", password2="second-choice-77x")
    second_link = finish_link(mail.outbox[1])

    assert shows(client.get(first_link), "This link has expired or was already used.")
    finish(client, on_commit, second_link, password="second-choice-77x")
    assert list(User.objects.values_list("username", flat=True)) == ["nadia2"]


@pytest.mark.django_db
def test_a_username_waiting_for_another_address_is_taken(client, on_commit):
    register(client, on_commit)

    response = client.post(REGISTER, registration(email="someone.else@example.co.uk"))

    assert shows(response, "That account username is taken. Please choose another.")
    assert PendingRegistration.objects.get().email == "nadia@example.co.uk"
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_nobody_reading_the_outbox_sees_a_working_link(client, on_commit):
    register(client, on_commit)

    stored = OutboxMessage.objects.get(kind="registration_confirm")
    assert "/account/register/finish/" in mail.outbox[0].body
    assert "/account/register/finish/" not in stored.body_text + stored.body_html
    assert "[[registration-path]]" in stored.body_text


@pytest.mark.django_db
def test_the_data_export_names_the_link_in_words(client, on_commit):
    register_and_finish(client, on_commit)

    data = client.post(reverse("accounts:export_download")).json()

    [confirmation] = [m for m in data["correspondence"] if m["kind"] == "registration_confirm"]
    assert "(a link to finish creating the account, not kept)" in confirmation["text"]
    assert "[[" not in confirmation["text"] and "/register/finish/" not in confirmation["text"]


@pytest.mark.django_db
def test_an_address_given_an_account_meanwhile_is_not_given_a_second(client, on_commit):
    register(client, on_commit)
    link = finish_link(mail.outbox[0])
    CustomerFactory(username="nadia-by-phone", email="Nadia@Example.co.uk")  # staff added her meanwhile

    response = finish(client, on_commit, link)

    assert shows(response, "This email address has an account already: log in, or reset your password.")
    assert list(User.objects.values_list("username", flat=True)) == ["nadia-by-phone"]
    assert logged_in_user_id(client) is None


# --- Nobody learns which addresses have accounts ------------------------------------------------


def main_text(response, email):
    """What the page says, with the address the visitor typed taken out."""
    main = response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(re.escape(email), "ADDRESS", main, flags=re.IGNORECASE))


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["alice@example.co.uk", "ALICE@EXAMPLE.CO.UK", "Alice@Example.co.uk"])
def test_an_address_with_an_account_gets_the_answer_a_new_address_gets(client, on_commit, typed):
    CustomerFactory(username="alice", full_name="Alice Archer", email="Alice@Example.co.uk")
    users_before = User.objects.count()

    known = register(client, on_commit, email=typed)
    new = register(client, on_commit, email="nobody.yet@example.co.uk", username="nadia-new")

    assert known.redirect_chain == new.redirect_chain == [(reverse("accounts:register_sent"), 302)]
    assert main_text(known, typed) == main_text(new, "nobody.yet@example.co.uk")
    assert "already exists" not in known.content.decode()
    assert User.objects.count() == users_before
    assert not User.objects.filter(full_name="Nadia Newcomer").exists()
    assert list(PendingRegistration.objects.values_list("email", flat=True)) == ["nobody.yet@example.co.uk"]


@pytest.mark.django_db
def test_the_owner_of_the_address_is_told_by_email_with_their_account_username(client, on_commit):
    alice = CustomerFactory(username="alice", full_name="Alice Archer", email="alice@example.co.uk")

    register(client, on_commit, email="alice@example.co.uk")

    [notice] = mail.outbox
    assert notice.subject == "A new 121 Communications account for your address?"
    assert "<alice@example.co.uk>" in notice.to[0]
    assert "its account username is alice." in notice.body
    assert "/account/password/reset/" in notice.body and "/account/login/" in notice.body
    assert "No new account was made." in notice.body
    assert OutboxMessage.objects.get().customer == alice
    assert "Nadia" not in notice.body and "nadian" not in notice.body


@pytest.mark.django_db
def test_a_staff_address_is_never_confirmed_on_the_page(client, on_commit, sam):
    staff_address = register(client, on_commit, email=sam.email)
    new_address = register(client, on_commit, email="nobody.yet@example.co.uk", username="nadia-new")

    assert main_text(staff_address, sam.email) == main_text(new_address, "nobody.yet@example.co.uk")
    assert not User.objects.filter(full_name="Nadia Newcomer").exists()
    [notice, _] = mail.outbox
    assert sam.email in notice.to[0]
    assert "This address belongs to a staff account, and a customer account cannot use it." in notice.body
    assert OutboxMessage.objects.get(kind="registration_attempt").customer is None


@pytest.mark.django_db
def test_repeated_registrations_send_an_address_at_most_one_notice_and_three_links_a_day(client, on_commit):
    CustomerFactory(username="alice", email="alice@example.co.uk")
    for n in range(5):
        register(client, on_commit, email="alice@example.co.uk", username=f"someone{n}")
        register(client, on_commit, email="nadia@example.co.uk", username=f"nadia{n}")

    sent = [(m.to[0].split("<")[1].rstrip(">"), m.subject) for m in mail.outbox]
    assert sent.count(("alice@example.co.uk", "A new 121 Communications account for your address?")) == 1
    assert sent.count(("nadia@example.co.uk", CONFIRM_SUBJECT)) == 3
    assert len(sent) == 4


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
    ids=[
        "passwords differ",
        "common password",
        "short password",
        "half a postcode",
        "not a postcode",
        "business without company",
        "username with a space",
        "username with capitals and a space",
        "username with a symbol",
        "username too short",
        "no email but hearing by email",
    ],
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
        response = client.post(
            reverse("accounts:register"),
            {
                "username": "olive",
                "full_name": "Olive Oak",
                "email": "",
                "phone": "01622 000999",
                "customer_type": "residential",
                "company_name": "",
                "address": "2 Mill Lane\nMaidstone",
                "postcode": "ME15 6AA",
                "correspondence": "post",
                "password1": "plum-velvet-harbour-42",
                "password2": "plum-velvet-harbour-42",
            },
            follow=True,
        )

    assert "Your account username is olive" in response.content.decode()
    welcome = OutboxMessage.objects.get(kind="welcome")
    assert (welcome.channel, welcome.status) == (Channel.LETTER, Status.TO_PRINT)
    assert welcome.postal_address.splitlines()[-1] == "ME15 6AA"
