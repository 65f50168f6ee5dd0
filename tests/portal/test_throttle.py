"""The public forms that send mail to a typed address: whose address a request comes from (for the login
lockout too), how often one visitor and one recipient may have our mail, and what a stranger's typing
may do in it (portal/throttle.py)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db.models import F
from django.test import RequestFactory
from django.urls import reverse

from portal.models import Channel, CodeCopyRequest, OutboxMessage, PublicFormUse
from portal.throttle import client_ip, email_recipient, normalise_email, postal_recipient
from tests.helpers import visible_text
from tests.orders.conftest import products  # noqa: F401  (the catalogue, for the price list)


def test_without_a_proxy_the_visitor_is_the_connecting_address(settings):
    settings.BEHIND_TLS_PROXY = False
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.1")

    assert client_ip(request) == "203.0.113.7"  # a header the visitor can write is not believed


def test_behind_our_proxy_the_visitor_is_the_address_the_proxy_appended(settings):
    settings.BEHIND_TLS_PROXY = True
    # The visitor sent a made-up X-Forwarded-For; our proxy appended the real address after it.
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7")

    assert client_ip(request) == "203.0.113.7"


# --- One recipient, many spellings ----------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "dana@example.co.uk",
        "DANA@Example.CO.UK",
        " dana@example.co.uk ",
        "dana+code@example.co.uk",
        "da na@example.co.uk",
        "Dana+2@EXAMPLE.co.uk",
    ],
)
def test_every_spelling_of_one_inbox_is_one_recipient(typed):
    assert normalise_email(typed) == "dana@example.co.uk"
    assert email_recipient(typed) == email_recipient("dana@example.co.uk")


def test_gmail_addresses_ignore_dots_and_googlemail_is_gmail():
    assert normalise_email("D.a.n.a+x@googlemail.com") == "dana@gmail.com"
    assert normalise_email("dana.dawson@example.co.uk") != normalise_email("danadawson@example.co.uk")


@pytest.mark.parametrize(
    "address, postcode",
    [
        ("5 Mill Lane\nLoose\nMaidstone", "ME15 6AA"),
        ("5, MILL LANE, Loose", "me15 6aa"),
        ("5 Mill Ln", "ME156AA"),
        ("Number 5\nMill Lane", " me15  6aa "),
    ],
)
def test_one_postal_address_typed_many_ways_is_one_recipient(address, postcode):
    assert postal_recipient(address, postcode) == postal_recipient("5 Mill Lane", "ME15 6AA")


def test_other_houses_and_flats_are_other_recipients():
    assert postal_recipient("7 Mill Lane", "ME15 6AA") != postal_recipient("5 Mill Lane", "ME15 6AA")
    assert postal_recipient("Flat 2, 10 High Street", "ME14 1AB") != postal_recipient("10 High Street", "ME14 1AB")
    assert postal_recipient("Rose Cottage\nLoose", "ME15 6AA") != postal_recipient("Ivy Cottage", "ME15 6AA")


# --- The forms, from many visitor addresses ---------------------------------------------------------

CODE_COPY = reverse("portal:code_copy")
PRICE_LIST = reverse("orders:price_list")


def from_address(n):
    return {"REMOTE_ADDR": f"203.0.113.{n}"}


def test_the_code_reaches_one_inbox_once_an_hour_however_many_visitors_ask(client, db, on_commit):
    spellings = ["victim@example.org", "VICTIM@example.org", "victim+1@example.org", " victim+2@Example.org"]

    with on_commit():
        responses = [
            client.post(CODE_COPY, {"name": "Someone", "method": "email", "email": email}, **from_address(n))
            for n, email in enumerate(spellings)
        ]

    assert [r.status_code for r in responses] == [302, 429, 429, 429]
    assert "We sent the Code of Practice to that address less than an hour ago" in visible_text(responses[1])
    assert "less than an hour ago" in responses[1].context["form"].errors["email"][0]
    assert len(mail.outbox) == 1
    assert CodeCopyRequest.objects.count() == 1


def test_one_inbox_gets_at_most_three_a_day(client, db, on_commit):
    for n in range(3):
        with on_commit():
            assert (
                client.post(
                    CODE_COPY, {"name": "Someone", "method": "email", "email": "victim@example.org"}, **from_address(n)
                ).status_code
                == 302
            )
        PublicFormUse.objects.update(at=F("at") - timedelta(hours=2))  # each an hour or more before the next

    refused = client.post(
        CODE_COPY, {"name": "Someone", "method": "email", "email": "victim@example.org"}, **from_address(9)
    )

    assert refused.status_code == 429
    assert "as many times today as we do" in visible_text(refused)
    assert len(mail.outbox) == 3


def test_one_postal_address_gets_one_letter_however_it_is_typed(client, db, on_commit):
    typed = [("5 Mill Lane\nLoose", "ME15 6AA"), ("5, mill lane", "me156aa"), ("No. 5 Mill Ln", "ME15 6AA")]

    with on_commit():
        responses = [
            client.post(
                CODE_COPY,
                {"name": "Someone Else", "method": "post", "address": address, "postcode": postcode},
                **from_address(n),
            )
            for n, (address, postcode) in enumerate(typed)
        ]

    assert [r.status_code for r in responses] == [302, 429, 429]
    assert "We are already posting the Code of Practice to that address" in visible_text(responses[1])
    assert OutboxMessage.objects.filter(channel=Channel.LETTER).count() == 1


def test_the_price_list_shares_the_mechanism(client, products, on_commit):
    with on_commit():
        first = client.post(PRICE_LIST, {"name": "Dan Dawes", "email": "dan@example.org"}, **from_address(1))
        second = client.post(PRICE_LIST, {"name": "Dan Dawes", "email": "Dan+prices@example.org"}, **from_address(2))

    assert (first.status_code, second.status_code) == (302, 429)
    assert "We sent our price list to that address less than an hour ago" in visible_text(second)
    assert len(mail.outbox) == 1


def test_passing_the_overall_limit_warns_customer_services_once_and_the_form_stays_open(
    client, db, settings, on_commit
):
    settings.PUBLIC_FORM_LIMITS = {**settings.PUBLIC_FORM_LIMITS, "overall_per_hour": 3}

    with on_commit():
        statuses = [
            client.post(
                CODE_COPY, {"name": "Someone", "method": "email", "email": f"p{n}@example.org"}, **from_address(n)
            ).status_code
            for n in range(6)
        ]

    assert statuses == [302] * 6  # nobody is refused because of everybody else
    [warning] = [m for m in mail.outbox if m.to == [f"Customer services <{settings.STAFF_ALERT_EMAIL}>"]]
    assert warning.subject == "The public copy of the Code of Practice form is busy: 4 requests in an hour"
    assert "The form stays open." in warning.body
    assert len(mail.outbox) == 7  # six copies of the Code, one warning


# --- What a stranger's typing may do in our mail ------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["Visit http://win.example now", "Win £500", "dana@example.org", "<b>Dana</b>", "Call 0800 000000"]
)
def test_a_name_that_is_not_a_name_is_refused_on_both_forms_and_nothing_is_sent(client, products, name, on_commit):
    with on_commit():
        code = client.post(CODE_COPY, {"name": name, "method": "email", "email": "x@example.org"})
        prices = client.post(PRICE_LIST, {"name": name, "email": "y@example.org"})

    for response in (code, prices):
        assert response.status_code == 200
        assert "Give your name in letters only" in visible_text(response)
    assert mail.outbox == [] and not CodeCopyRequest.objects.exists() and not PublicFormUse.objects.exists()


@pytest.mark.parametrize("name", ["Dr. Siân O'Brien-Smith", "Zoë Ng", "J. R. Hartley", "Mary-Jane Watson"])
def test_real_names_are_accepted_and_a_posted_copy_is_addressed_to_them(client, db, name, on_commit):
    with on_commit():
        response = client.post(
            CODE_COPY, {"name": name, "method": "post", "address": "5 Mill Lane\nLoose", "postcode": "ME15 6AA"}
        )

    assert response.status_code == 302
    assert OutboxMessage.objects.get().to_name == name


def test_a_customer_asking_at_their_own_address_is_greeted_by_their_account_name(client, alice, on_commit):
    client.force_login(alice)

    with on_commit():
        client.post(CODE_COPY, {"name": "Somebody Else", "method": "email", "email": "Alice+code@example.co.uk"})

    [email] = mail.outbox
    assert email.to == ["Alice Archer <Alice+code@example.co.uk>"]
    assert email.body.startswith("Dear Alice Archer,")
