"""A customer who forgot her password phones in: customer services send her a reset link from her page in
the admin (they cannot set a password themselves), and she chooses a new one, in real Chromium."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import log_in, log_in_to_admin
from tests.helpers import emails_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_customer_services_send_a_reset_link_and_the_customer_chooses_her_password(
    live_server, page, sam, alice, password
):
    url = live_server.url
    log_in_to_admin(page, url, "sam", password)
    page.get_by_role("link", name="Users").click()
    page.locator("#searchbar").fill("ME17 4AA")
    page.locator("#searchbar").press("Enter")
    page.get_by_role("link", name="alice").click()
    expect(page.locator("#content")).not_to_contain_text("Raw passwords are not stored")

    page.get_by_role("button", name="Send a password reset link").click()

    expect(page.locator(".messagelist")).to_contain_text(
        "A link to choose a new password is on its way to alice@example.co.uk (alice)."
    )
    expect(page.locator("#content")).to_contain_text(
        "A link to choose a new password was emailed to alice@example.co.uk."
    )
    page.get_by_role("button", name="Log out").click()

    [email] = emails_to("alice@example.co.uk")
    link = re.search(r"https?://\S+/password/reset/\S+/\S+/", email.body).group(0)
    page.goto(link)
    page.locator("#id_new_password1").fill("marble-otter-lantern-77")
    page.locator("#id_new_password2").fill("marble-otter-lantern-77")
    page.get_by_role("button", name="Save my new password").click()
    expect(page.locator("main")).to_contain_text("Your password is changed")

    log_in(page, url, "alice", "marble-otter-lantern-77")
