"""Any address the registration form accepts works at both logins, typed into the real pages in Chromium."""

import pytest
from playwright.sync_api import expect

from accounts.groups import CUSTOMER_SERVICES
from tests.factories import CustomerFactory, StaffFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# 100 characters: longer than an account username (40), well inside what an email field accepts.
LONG_LOCAL = "nadia.newcomer.who.has.a.rather.long.address"
LONG_DOMAIN = "the-bakery-and-tearooms-of-boughton-monchelsea.example.co.uk"
LONG_EMAIL = f"{LONG_LOCAL[: 100 - len(LONG_DOMAIN) - 1]}@{LONG_DOMAIN}"


def test_the_long_address_is_a_hundred_characters():
    assert len(LONG_EMAIL) == 100


def test_a_customer_logs_in_with_a_hundred_character_email_address(live_server, page, password):
    CustomerFactory(username="nadia", full_name="Nadia Newcomer", email=LONG_EMAIL)

    page.goto(live_server.url + "/account/login/")
    page.get_by_label("Account username or email").fill(LONG_EMAIL)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Nadia")
    expect(page.locator("main")).to_contain_text("Your account username is nadia")


def test_a_member_of_staff_logs_in_to_the_admin_with_a_hundred_character_email_address(live_server, page, password):
    StaffFactory(username="stella", full_name="Stella Staff", email=LONG_EMAIL, group=CUSTOMER_SERVICES)

    page.goto(live_server.url + "/admin/")
    page.get_by_label("Account username or email").fill(LONG_EMAIL)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Log in").click()

    expect(page.locator("#user-tools")).to_contain_text("Welcome, Stella.")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
