"""Names and subjects are single-line: every form that takes one refuses a line break with a clear
message and changes nothing, and the outbox sends a message whose stored header values were written
some other way instead of failing on every attempt."""

import importlib
from email import message_from_bytes
from email.utils import getaddresses

import pytest
from django.apps import apps
from django.core import mail
from django.urls import reverse

from accounts.models import User
from orders.models import PriceListRequest, Product
from portal import delivery, outbox
from portal.models import CodeCopyRequest, OutboxMessage, Status
from portal.validators import SINGLE_LINE_MESSAGE, validate_single_line
from tests.accounts.helpers import admin_change_data
from tests.factories import StaffFactory
from tests.helpers import shows
from tests.portal.test_outbox import RecordingSMTPBackend

BREAKS = {
    "newline": "Nadia\nNewcomer",
    "carriage return": "Nadia\r\nNewcomer",
    "line separator": "Nadia\u2028Newcomer",
    "tab": "Nadia\tNewcomer",
}
STRONG_PASSWORD = "plum-velvet-harbour-42"


def registration(**overrides):
    return {
        "username": "nadia",
        "full_name": "Nadia Newcomer",
        "email": "",
        "phone": "",
        "customer_type": "residential",
        "company_name": "",
        "address": "4 Mill Lane\nMaidstone",
        "postcode": "ME14 1AA",
        "correspondence": "post",
        "password1": STRONG_PASSWORD,
        "password2": STRONG_PASSWORD,
        **overrides,
    }


@pytest.mark.parametrize("value", BREAKS.values(), ids=BREAKS.keys())
def test_the_validator_refuses_every_kind_of_line_break(value):
    with pytest.raises(Exception, match="on one line"):
        validate_single_line(value)


@pytest.mark.parametrize("value", ["Nadia Newcomer", "Siân O'Brien-Ng", "Dev Patel, Patel Plumbing Ltd", ""])
def test_the_validator_accepts_ordinary_names(value):
    validate_single_line(value)


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["full_name", "company_name"])
def test_registration_refuses_a_name_with_a_line_break_and_creates_nothing(client, field):
    overrides = {field: "Nadia\r\nNewcomer"}
    if field == "company_name":
        overrides["customer_type"] = "business"

    response = client.post(reverse("accounts:register"), registration(**overrides))

    assert response.status_code == 200
    assert SINGLE_LINE_MESSAGE in response.context["form"].errors[field]
    assert shows(response, SINGLE_LINE_MESSAGE)
    assert not User.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_a_customer_cannot_save_a_name_with_a_line_break_in_their_details(client, alice):
    client.force_login(alice)
    page = client.get(reverse("accounts:details"))
    data = {name: value for name, value in page.context["form"].initial.items() if value is not None}

    response = client.post(reverse("accounts:details"), {**data, "full_name": "Alice\nArcher"})

    assert shows(response, SINGLE_LINE_MESSAGE)
    alice.refresh_from_db()
    assert alice.full_name == "Alice Archer"


def test_the_copy_of_the_code_form_refuses_a_name_with_a_line_break(client, db, on_commit):
    with on_commit():
        response = client.post(
            reverse("portal:code_copy"),
            {"name": "Dana\nBcc: everyone@example.org", "method": "email", "email": "dana@example.co.uk"},
        )

    assert response.status_code == 200
    assert shows(response, SINGLE_LINE_MESSAGE)
    assert not CodeCopyRequest.objects.exists()
    assert mail.outbox == []


def test_the_price_list_form_refuses_a_name_with_a_line_break(client, db, on_commit):
    with on_commit():
        response = client.post(reverse("orders:price_list"), {"name": "Dan\r\nDawes", "email": "dan@example.org"})

    assert response.status_code == 200
    assert shows(response, SINGLE_LINE_MESSAGE)
    assert not PriceListRequest.objects.exists()
    assert mail.outbox == []


def test_staff_cannot_give_a_customer_a_name_with_a_line_break_in_the_admin(client, alice, sam):
    client.force_login(sam)
    url = reverse("admin:accounts_user_change", args=[alice.pk])
    data = admin_change_data(client.get(url))

    response = client.post(url, {**data, "full_name": "Alice\nArcher"})

    assert response.status_code == 200
    assert shows(response, SINGLE_LINE_MESSAGE)
    alice.refresh_from_db()
    assert alice.full_name == "Alice Archer"


def test_a_product_name_in_our_subjects_cannot_be_given_a_line_break_in_the_admin(client, db):
    importlib.import_module("orders.migrations.0002_catalogue").add_products(apps, None)
    fttc = Product.objects.get(code="fttc")
    client.force_login(StaffFactory(username="boss", is_superuser=True))
    url = reverse("admin:orders_product_change", args=[fttc.pk])
    data = admin_change_data(client.get(url))

    response = client.post(url, {**data, "name": "FTTC\nfibre broadband"})

    assert response.status_code == 200
    assert shows(response, SINGLE_LINE_MESSAGE)
    fttc.refresh_from_db()
    assert "\n" not in fttc.name


# --- The outbox, where the email is built ------------------------------------------------------


def test_a_stored_name_and_subject_with_line_breaks_are_sent_on_one_line(alice, settings):
    # A row written before the forms refused line breaks, or by a future path that skips them.
    settings.EMAIL_BACKEND = "tests.portal.test_outbox.RecordingSMTPBackend"
    RecordingSMTPBackend.envelopes = []
    message = outbox.email(
        kind="code_copy",
        to_email=alice.email,
        to_name="Alice\r\nArcher",
        template="portal/code_copy",
        subject="Your copy\nBcc: everyone@example.org",
        context={},
        customer=alice,
    )

    assert delivery.deliver(message.pk) == Status.SENT

    message.refresh_from_db()
    assert (message.status, message.last_error) == (Status.SENT, "")
    ((_, recipients, raw),) = RecordingSMTPBackend.envelopes
    sent = message_from_bytes(raw)
    assert recipients == ["Alice Archer <alice@example.co.uk>"]
    assert getaddresses([sent["To"]]) == [("Alice Archer", "alice@example.co.uk")]
    assert sent["Subject"] == "Your copy Bcc: everyone@example.org"
    assert sent["Bcc"] is None


def test_a_name_with_a_line_break_on_a_customer_account_never_makes_their_emails_fail(alice, on_commit):
    User.objects.filter(pk=alice.pk).update(full_name="Alice\nArcher", company_name="")
    alice.refresh_from_db()

    with on_commit():
        message = outbox.send_to_customer(
            alice, kind="welcome", template="accounts/welcome", subject="Welcome to 121 Communications", context={}
        )

    message.refresh_from_db()
    assert message.status == Status.SENT
    [email] = mail.outbox
    assert email.to == ["Alice Archer <alice@example.co.uk>"]
