"""The main menu (portal/navigation.py): each app's items, for whom, which one is current, and that the
open menu keeps fitting a laptop's screen when billing adds its "Invoices"."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from portal import navigation
from tests.browser.helpers import log_in


def menu(client, url="/"):
    page = client.get(url).content.decode()
    nav = page[page.index('aria-label="Main navigation"') :]
    return nav[: nav.index("</nav>")]


def test_visitors_see_the_code_and_the_contact_page_and_how_to_log_in(client, db):
    nav = menu(client)

    assert "Code of Practice" in nav and "Contact us" in nav and "Log in" in nav
    assert "Complaints" not in nav and "Faults" not in nav


def test_a_customer_sees_every_apps_item_in_order_with_the_current_one_marked(client, alice):
    client.force_login(alice)

    nav = menu(client, reverse("orders:service_list"))

    labels = ["My account", "Services", "Orders", "Faults", "Complaints", "Code of Practice", "Contact us"]
    positions = [nav.index(f">{label}</a>") for label in labels]
    assert positions == sorted(positions)
    # Services is current (aria-current), not also Orders, whose address "/orders/" it sits under.
    assert f'active" aria-current="page" href="{reverse("orders:service_list")}">Services' in nav
    assert nav.count('aria-current="page"') == 1


def test_staff_see_no_customer_items(client, sam):
    client.force_login(sam)

    nav = menu(client)

    assert "Staff admin" in nav and "Complaints" not in nav


def test_an_app_adds_its_item_with_one_line(client, alice):
    item = navigation.menu_item("Payments", "portal:privacy", position=35)
    try:
        client.force_login(alice)
        nav = menu(client)
    finally:
        navigation.remove(item)

    assert nav.index(">Orders</a>") < nav.index(">Payments</a>") < nav.index(">Faults</a>")
    assert nav.index(">Faults</a>") < nav.index(">Invoices</a>") < nav.index(">Complaints</a>")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1280, 992])
def test_the_menu_is_open_and_fits_on_one_line_with_invoices(live_server, page, alice, password, width):
    """At laptop widths every item is on screen without the menu button, on one line, with the item
    billing adds ("Invoices"), while the customer's name and the Log out button still fit."""
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, live_server.url, "alice", password)
    nav = page.get_by_role("navigation", name="Main navigation")

    expect(page.get_by_role("button", name="Show or hide the menu")).to_be_hidden()
    for label in ["My account", "Services", "Orders", "Invoices", "Faults", "Complaints", "Code of Practice"]:
        expect(nav.get_by_role("link", name=label, exact=True)).to_be_visible()
    expect(nav.get_by_role("button", name="Log out")).to_be_visible()
    tops = nav.locator(".nav-item:visible").evaluate_all("items => items.map(i => i.getBoundingClientRect().top)")
    # One line: a wrapped item would sit a whole line (over 40 px) lower.
    assert max(tops) - min(tops) < 8, f"the menu wraps: item tops at {sorted(set(tops))}"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    expect(page.locator(".site-contact")).to_contain_text("Alice Archer")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_on_a_phone_the_menu_opens_from_its_button(live_server, page, alice, password):
    page.set_viewport_size({"width": 390, "height": 800})
    log_in(page, live_server.url, "alice", password)
    nav = page.get_by_role("navigation", name="Main navigation")
    expect(nav.get_by_role("link", name="Faults", exact=True)).to_be_hidden()

    page.get_by_role("button", name="Show or hide the menu").click()

    expect(nav.get_by_role("link", name="Faults", exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name="Alice Archer alice")).to_be_visible()
    nav.get_by_role("link", name="Faults", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My faults")
