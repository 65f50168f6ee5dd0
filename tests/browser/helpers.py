"""Steps that several browser journeys share."""

from playwright.sync_api import expect


def log_in(page, base_url, username, password):
    page.goto(base_url + "/account/login/")
    page.get_by_label("Account username or email").fill(username)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")


def log_in_to_admin(page, base_url, username, password):
    page.goto(base_url + "/admin/")
    page.get_by_label("Account username or email").fill(username)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#site-name")).to_be_visible()


def log_out(page):
    page.get_by_role("button", name="Log out").click()
