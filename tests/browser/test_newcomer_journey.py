"""A newcomer's first visit, and a member of staff finding them, in real Chromium."""

import json
import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import MarketingConsent, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_newcomer_registers_manages_their_account_and_staff_find_them(live_server, page, sam, password, tmp_path):
    url = live_server.url
    page.goto(url + "/")
    page.get_by_role("link", name="Register").first.click()

    page.get_by_label("Account username").fill("gina")
    page.get_by_label("Full name").fill("Gina Green")
    page.get_by_label("Email address").fill("gina@example.co.uk")
    page.get_by_label("Phone").fill("01622 000777")
    page.get_by_label("Postal address").fill("7 Church Road\nMaidstone\nKent")
    page.get_by_label("Postcode").fill("me15 7aa")
    page.locator("#id_password1").fill("Gina-s3cret-pass")
    page.locator("#id_password2").fill("Gina-s3cret-pass")
    page.get_by_label("Send me news and offers").check()
    page.get_by_role("button", name="Create my account").click()

    # The account is made once the newcomer opens the link we email and gives the password chosen.
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    expect(page.locator("main")).to_contain_text("We have sent an email to gina@example.co.uk.")
    [confirmation] = mail.outbox
    page.goto(re.search(r"https?://\S+/account/register/finish/\S+/", confirmation.body).group(0))
    expect(page.locator("main")).to_contain_text("Your account username will be gina.")
    page.get_by_label("Your password").fill("Gina-s3cret-pass")
    page.get_by_role("button", name="Finish creating my account").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Gina")
    expect(page.locator("main")).to_contain_text("Your account username is gina")
    expect(page.locator("main")).to_contain_text("opted in")

    # Log out and back in with the email address.
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Log in").click()
    page.get_by_label("Account username or email").fill("Gina@Example.co.uk")
    page.locator("#id_password").fill("Gina-s3cret-pass")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Gina")

    # Edit details.
    page.get_by_role("link", name="Change my details").click()
    page.get_by_label("Phone").fill("07700 900123")
    page.get_by_role("button", name="Save my details").click()
    expect(page.get_by_role("alert")).to_contain_text("Your details are saved")
    assert User.objects.get(username="gina").phone == "07700 900123"

    # Opt out of marketing.
    page.get_by_role("link", name="Marketing choices").click()
    page.get_by_label("No marketing, thank you").check()
    page.get_by_role("button", name="Save my choice").click()
    expect(page.locator("#current-choice")).to_contain_text("opted out")
    assert [c.opted_in for c in MarketingConsent.objects.filter(customer__username="gina").order_by("at")] == [
        True,
        False,
    ]

    # Download everything held about them.
    page.get_by_role("link", name="Download my data").click()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download my data (JSON)").click()
    path = tmp_path / "export.json"
    download_info.value.save_as(path)
    data = json.loads(path.read_text())
    assert data["account"]["full_name"] == "Gina Green"
    assert data["account"]["phone"] == "07700 900123"
    assert [c["opted_in"] for c in data["marketing_consent"]] == [True, False]
    assert [m["subject"] for m in data["correspondence"]] == [
        "Finish creating your 121 Communications account",
        "Welcome to 121 Communications",
    ]

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Log in")).to_be_visible()

    # A member of customer services logs into the admin and finds her by postcode.
    page.goto(url + "/admin/")
    page.get_by_label("Account username or email").fill("sam")
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Users").click()
    page.locator("#searchbar").fill("ME15 7AA")
    page.locator("#searchbar").press("Enter")
    expect(page.locator("#result_list")).to_contain_text("Gina Green")
    page.get_by_role("link", name="gina").click()
    expect(page.locator("#id_phone")).to_have_value("07700 900123")


def test_the_code_of_practice_page_shows_its_headings(live_server, page):
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Code of Practice").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Code of Practice")
    for heading in [
        "Complaints",
        "Dispute resolution",
        "Order processing",
        "Billing",
        "Fault Repair",
        "Account Cancellations",
        "Contacting related organisations",
    ]:
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Leave a Reply")


def test_the_portal_is_usable_on_a_phone_sized_screen(live_server, page):
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(live_server.url + "/")
    # Keyboard users can skip straight to the content.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    menu = page.get_by_role("button", name="Show or hide the menu")
    expect(menu).to_be_visible()
    menu.click()
    nav = page.get_by_role("navigation", name="Main navigation")
    expect(nav.get_by_role("link", name="Contact us")).to_be_visible()
    expect(nav.get_by_role("link", name="Register")).to_be_visible()
