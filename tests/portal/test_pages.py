"""Tests for the site-wide pages: home, the Code of Practice and the form to ask for a copy, contact,
and the staff's policy page."""

import re
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.urls import reverse

from portal import outbox
from portal.models import Channel, CodeCopyRequest, CopyMethod, OutboxMessage, Status
from tests.helpers import pdf_text, visible_text


class Outline(HTMLParser):
    """The headings of a page and its links, as a screen reader would list them."""

    def __init__(self, html):
        super().__init__()
        self.headings = []  # (tag, text)
        self.links = []  # (href, text)
        self.ids = set()
        self._open = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag in ("h1", "h2", "h3", "a"):
            self._open = [tag, attrs.get("href"), ""]

    def handle_data(self, data):
        if self._open:
            self._open[2] += data

    def handle_endtag(self, tag):
        if self._open and tag == self._open[0]:
            text = " ".join(self._open[2].split())
            if tag == "a":
                self.links.append((self._open[1], text))
            else:
                self.headings.append((tag, text))
            self._open = None

    def texts(self, tag):
        return [text for heading_tag, text in self.headings if heading_tag == tag]

    def link_texts(self):
        return {text: href for href, text in self.links}


def form_data(**overrides):
    return {
        "name": "Dana Dawson",
        "method": "email",
        "email": "dana@example.co.uk",
        "address": "",
        "postcode": "",
        **overrides,
    }


# --- Home --------------------------------------------------------------------------------------


def test_a_visitor_is_offered_to_register_or_log_in(client, db):
    links = Outline(client.get(reverse("portal:home")).content.decode()).link_texts()

    assert links["Register"] == reverse("accounts:register")
    assert links["Register for an account"] == reverse("accounts:register")
    assert links["Log in"] == reverse("accounts:login")
    assert "My account" not in links


def test_a_logged_in_customer_is_offered_their_account(client, alice):
    client.force_login(alice)

    links = Outline(client.get(reverse("portal:home")).content.decode()).link_texts()

    assert links["My account"] == reverse("accounts:dashboard")
    assert links["Go to my account"] == reverse("accounts:dashboard")
    assert "Register" not in links
    assert "Log in" not in links


# --- The Code of Practice ----------------------------------------------------------------------


def test_the_code_of_practice_page_has_every_section_of_the_code(client, db):
    response = client.get(reverse("portal:code_of_practice"))

    h2s = Outline(response.content.decode()).texts("h2")
    for heading in [
        "Complaints",
        "Dispute resolution",
        "Fault Repair",
        "Order processing",
        "Account Cancellations",
        "Contacting related organisations",
    ]:
        assert heading in h2s
    text = visible_text(response)
    assert "Otelo" in text
    assert "We will acknowledge all complaints received by letter, or e-mail within 24 working hours." in text
    assert "within 4 hours during normal office hours" in text
    assert "PO Box 730 Warrington WA4 6WU" in text


def test_the_code_of_practice_page_carries_nothing_of_the_old_wordpress_site(client, db):
    text = visible_text(client.get(reverse("portal:code_of_practice")))

    for leftover in ["Leave a Reply", "WordPress", "Connecting to"]:
        assert leftover not in text


def test_the_code_of_practice_page_links_to_the_copy_form(client, db):
    links = Outline(client.get(reverse("portal:code_of_practice")).content.decode()).link_texts()

    assert links["Ask for a copy by post or email"] == reverse("portal:code_copy")


# --- Contact -----------------------------------------------------------------------------------


def test_the_contact_page_says_how_to_reach_us_and_whom_else_to_turn_to(client, db):
    text = visible_text(client.get(reverse("portal:contact")))

    assert "01622 474730" in text
    assert "Monday to Friday, 9am to 5:30pm. Closed on weekends and bank holidays." in text
    assert "4 Firmin Avenue Boughton Monchelsea Maidstone Kent ME17 4NN" in text
    # Otelo: the postal address and the office.
    assert "PO Box 730 Warrington WA4 6WU" in text
    assert "Wilderspool Park Greenall's Avenue Warrington WA4 6HL" in text
    assert "enquiries@otelo.org.uk" in text
    # The regulator.
    assert "Ofcom Contact Centre Riverside House 2a Southwark Bridge Road London SE1 9HA" in text
    assert "within 24 working hours" in text


# --- Asking for a copy of the Code -------------------------------------------------------------


def test_a_visitor_gets_the_code_by_email_as_a_pdf(client, db, on_commit):
    with on_commit():
        response = client.post(reverse("portal:code_copy"), form_data(), follow=True)

    assert response.redirect_chain[-1][0] == reverse("portal:code_of_practice")
    assert "Thank you. We are emailing the Code of Practice to dana@example.co.uk." in visible_text(response)
    request = CodeCopyRequest.objects.get()
    assert (request.name, request.method, request.email, request.address) == (
        "Dana Dawson",
        CopyMethod.EMAIL,
        "dana@example.co.uk",
        "",
    )
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["dana@example.co.uk"]  # a name typed by a visitor stays out of our email
    assert sent.body.startswith("Hello,\n") and "Dana Dawson" not in sent.body
    assert sent.subject == "The 121 Communications Code of Practice"
    ((filename, content, mimetype),) = sent.attachments
    assert filename == "121-communications-code-of-practice.pdf"
    assert mimetype == "application/pdf"
    text = pdf_text(content)
    assert "The 121 Communications Code of Practice" in text
    assert "Dispute resolution" in text
    assert "Contacting related organisations" in text
    assert outbox.messages_concerning(request).get().status == Status.SENT


def test_a_visitor_gets_the_code_by_post_through_the_print_queue(client, db, on_commit):
    with on_commit():
        response = client.post(
            reverse("portal:code_copy"),
            form_data(method="post", email="", address="5 Mill Lane\r\nLoose\r\nMaidstone", postcode="me15 6aa"),
            follow=True,
        )

    assert "Thank you. We will post the Code of Practice to you." in visible_text(response)
    request = CodeCopyRequest.objects.get()
    assert request.method == CopyMethod.POST
    assert request.postcode == "ME15 6AA"
    assert mail.outbox == []
    letter = OutboxMessage.objects.get()
    assert letter.channel == Channel.LETTER
    assert letter.status == Status.TO_PRINT
    assert letter.postal_address.splitlines() == ["5 Mill Lane", "Loose", "Maidstone", "ME15 6AA"]
    text = pdf_text(outbox.letter_pdf(letter))
    for expected in ["Dana Dawson", "5 Mill Lane", "Loose", "ME15 6AA", "Dispute resolution", "Otelo"]:
        assert expected in text


@pytest.mark.parametrize(
    "data, field, error",
    [
        (
            form_data(method="post", email="", address="", postcode="ME15 6AA"),
            "address",
            "Give the address to post the Code to.",
        ),
        (
            form_data(method="post", email="", address="5 Mill Lane", postcode=""),
            "postcode",
            "Give the postcode to post the Code to.",
        ),
        (form_data(email=""), "email", "Give the email address to send the Code to."),
        (
            form_data(method="post", address="5 Mill Lane", postcode="XYZ 123"),
            "postcode",
            "Enter a UK postcode, for example ME17 4NN.",
        ),
        (form_data(email="dana@"), "email", "Enter a valid email address."),
        (form_data(name=""), "name", "This field is required."),
        (form_data(method="fax"), "method", "Select a valid choice."),
    ],
    ids=[
        "post-without-address",
        "post-without-postcode",
        "email-without-email",
        "bad-postcode",
        "bad-email",
        "no-name",
        "unknown-method",
    ],
)
def test_bad_input_is_shown_on_the_form_and_changes_nothing(client, db, on_commit, data, field, error):
    with on_commit():
        response = client.post(reverse("portal:code_copy"), data)

    assert response.status_code == 200
    assert error in response.context["form"].errors[field][0]
    assert error in visible_text(response)
    assert "Thank you" not in visible_text(response)
    assert not CodeCopyRequest.objects.exists()
    assert not OutboxMessage.objects.exists()
    assert mail.outbox == []
    # What was typed is still there to correct.
    assert 'value="Dana Dawson"' in response.content.decode() or field == "name"


def test_a_logged_in_customer_finds_their_details_filled_in(client, alice):
    client.force_login(alice)

    response = client.get(reverse("portal:code_copy"))

    form = response.context["form"]
    page = response.content.decode()
    assert 'value="Alice Archer"' in page
    assert 'value="alice@example.co.uk"' in page
    assert 'value="ME17 4AA"' in page
    assert "12 Orchard Way\nBoughton Monchelsea\nMaidstone\nKent</textarea>" in page
    assert re.search(r'<input[^>]*value="email"[^>]*checked|<input[^>]*checked[^>]*value="email"', page)
    assert form.initial["method"] == "email"


def test_a_logged_in_customer_who_takes_letters_has_post_chosen(client, carol):
    client.force_login(carol)

    response = client.get(reverse("portal:code_copy"))

    assert response.context["form"].initial["method"] == "post"
    assert 'value="Carol Baker"' in response.content.decode()


def test_a_copy_asked_for_by_a_customer_is_kept_on_their_account(client, alice, on_commit):
    client.force_login(alice)

    with on_commit():
        client.post(reverse("portal:code_copy"), form_data(name="Alice Archer", email="alice@example.co.uk"))

    assert CodeCopyRequest.objects.get().customer == alice
    assert OutboxMessage.objects.get().customer == alice
    assert mail.outbox[0].to == ["Alice Archer <alice@example.co.uk>"]


# --- The staff's policy page -------------------------------------------------------------------


def test_staff_see_the_policy_values(client, sam):
    client.force_login(sam)

    text = visible_text(client.get(reverse("portal:policy")))

    assert "Acknowledge a complaint within 24 office hours" in text
    assert "Confirm a new order by email within 4 office hours" in text
    assert "Withdraw a cancelled service no sooner than 1 working day after the request is received" in text
    assert "COMPLAINT_ACK_OFFICE_HOURS" in text and "CANCELLATION_NOTICE_WORKING_DAYS" in text


def test_the_policy_page_shows_a_changed_value(client, sam, settings):
    settings.PORTAL_POLICY = {**settings.PORTAL_POLICY, "COMPLAINT_ACK_OFFICE_HOURS": 16}
    client.force_login(sam)

    assert "Acknowledge a complaint within 16 office hours" in visible_text(client.get(reverse("portal:policy")))


@pytest.mark.parametrize("who", ["alice", "anonymous"])
def test_the_policy_page_sends_others_to_the_staff_login(client, alice, who):
    if who == "alice":
        client.force_login(alice)

    response = client.get(reverse("portal:policy"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


# --- Every page --------------------------------------------------------------------------------


PAGES = [
    ("portal:home", None),
    ("portal:home", "alice"),
    ("portal:home", "sam"),
    ("portal:code_of_practice", None),
    ("portal:contact", None),
    ("portal:code_copy", None),
    ("portal:code_copy", "alice"),
    ("portal:policy", "sam"),
    ("portal:privacy", None),
    ("portal:privacy", "alice"),
]


@pytest.mark.parametrize("name, who", PAGES, ids=[f"{name}-{who or 'anonymous'}" for name, who in PAGES])
def test_every_page_has_one_main_heading_and_a_skip_link(client, alice, sam, name, who):
    if who:
        client.force_login({"alice": alice, "sam": sam}[who])

    response = client.get(reverse(name))

    assert response.status_code == 200
    outline = Outline(response.content.decode())
    assert len(outline.texts("h1")) == 1
    assert outline.links[0] == ("#main", "Skip to main content")  # the first thing a keyboard reaches
    assert "main" in outline.ids


def test_a_stranger_cannot_use_the_copy_form_to_send_our_mail_in_bulk(client, db, settings):
    from portal.models import CodeCopyRequest

    settings.PUBLIC_FORM_LIMITS = {**settings.PUBLIC_FORM_LIMITS, "per_address_per_hour": 3}
    url = reverse("portal:code_copy")
    for n in range(3):
        assert client.post(url, {"name": "Someone", "method": "email", "email": f"x{n}@example.com"}).status_code == 302

    response = client.post(url, {"name": "Someone", "method": "email", "email": "victim@example.com"})

    assert response.status_code == 429
    assert "many requests from here" in response.content.decode()
    assert CodeCopyRequest.objects.count() == 3
