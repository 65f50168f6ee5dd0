"""The privacy policy the Code promises: "Our Privacy Policy sets out the personal information we collect
about you and describes how we may use that information ... how you can opt in and out of receiving our
marketing information"."""

import re

import pytest
from django.urls import reverse

from tests.helpers import visible_text
from tests.portal.test_pages import Outline

PRIVACY = reverse("portal:privacy")


@pytest.fixture
def policy(client, db):
    response = client.get(PRIVACY)
    assert response.status_code == 200
    return response


def test_it_names_todays_law_and_not_the_replaced_acts_as_current(policy):
    text = visible_text(policy)

    assert "UK GDPR" in text and "Data Protection Act 2018" in text
    assert "Data Protection Acts of 1984 and 1998. Both have since been replaced" in text


@pytest.mark.parametrize(
    "what",
    [
        "Your account",
        "Orders, quotes, services and cancellations",
        "Complaints",
        "Faults",
        "Emails and letters we send you",
        "Log-in records",
        "Marketing choices",
        "Registrations not yet finished",
        "Copies of the Code and price lists you ask for",
        "Invoices, payments and VAT records",
    ],
)
def test_it_says_what_each_kind_of_record_holds_why_and_for_how_long(policy, what):
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</th>(.*?)</tr>", policy.content.decode(), flags=re.S)
    [(_, cells)] = [row for row in rows if row[0] == what.replace("'", "&#x27;")]

    assert cells.count("<td") >= 1 and re.sub(r"<[^>]+>", "", cells).strip()


def test_it_gives_the_retention_the_portal_keeps_to(policy, settings):
    text = visible_text(policy)

    assert "Six years, as HMRC requires" in text
    assert "Deleted when you finish, or after 3 days if you do not." in text
    assert f"after {settings.AXES_FAILURE_LIMIT} wrong passwords" in text
    assert "a password typed is never kept" in text
    assert "Password reset links and the links that finish a registration are never kept" in text


def test_it_says_who_sees_the_information_and_that_we_never_sell_it(policy):
    text = visible_text(policy)

    assert "We do not sell your details, and we never give them to outside marketing agencies." in text
    for who in ["Our staff", "Those who carry our messages", "Other network operators", "The ADR scheme"]:
        assert who in text


def test_it_links_to_the_pages_where_customers_use_their_rights(policy):
    links = Outline(policy.content.decode()).link_texts()

    assert links["Marketing choices"] == reverse("accounts:marketing")
    assert links["Download my data"] == reverse("accounts:export")
    assert links["My details"] == reverse("accounts:details")


def test_it_explains_correction_erasure_and_how_to_ask(policy):
    text = visible_text(policy)

    assert "Correction" in text and "Erasure" in text
    assert "we answer within one month" in text
    assert "Brian@121com.co.uk" in text and "01622 474730" in text


def test_it_says_how_to_complain_to_the_ico(policy):
    text = visible_text(policy)

    assert "Information Commissioner's Office (ICO) Wycliffe House Water Lane Wilmslow Cheshire SK9 5AF" in text
    assert "0303 123 1113" in text
    assert Outline(policy.content.decode()).link_texts()["ico.org.uk"] == "https://ico.org.uk"


def test_its_table_has_a_heading_for_each_column(policy):
    html = policy.content.decode()
    head = re.search(r"<thead>(.*?)</thead>", html, flags=re.S).group(1)
    first_row = re.search(r"<tbody>\s*<tr>(.*?)</tr>", html, flags=re.S).group(1)

    assert re.findall(r"<th scope=\"col\">(.*?)</th>", head) == [
        "Record",
        "What it holds",
        "Why we keep it",
        "How long",
    ]
    assert len(re.findall(r"<t[hd][ >]", first_row)) == 4


def test_its_sentences_end_cleanly(policy):
    assert ".)" not in visible_text(policy)


def test_it_needs_no_inline_script_or_style(policy):
    html = policy.content.decode()

    assert "style=" not in html and "<style" not in html
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/bootstrap/js/bootstrap.bundle.min.js">']
    assert not re.search(r"\son[a-z]+=", html)


@pytest.mark.parametrize("name", ["portal:home", "accounts:login", "portal:contact"])
def test_every_page_links_to_it_from_the_footer(client, db, name):
    footer = client.get(reverse(name)).content.decode().split("<footer", 1)[1]

    assert Outline(footer).link_texts()["Privacy policy"] == PRIVACY


def test_the_registration_form_links_to_it(client, db):
    links = Outline(client.get(reverse("accounts:register")).content.decode().split("<main", 1)[1]).link_texts()

    assert links["privacy policy"] == PRIVACY


def test_the_marketing_page_links_to_it(client, alice):
    client.force_login(alice)

    links = Outline(client.get(reverse("accounts:marketing")).content.decode().split("<main", 1)[1]).link_texts()

    assert links["privacy policy"] == PRIVACY
