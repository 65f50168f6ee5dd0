"""The Django admin's own scripts work under the portal's Content-Security-Policy, in real Chromium: the
date and time shortcuts and calendar, the autocomplete box, the changelist's actions and select-all, and
the navigation sidebar. The `page` fixture fails the test on any policy violation in the console."""

import pytest
from playwright.sync_api import expect

from orders.models import Order, OrderStatus
from tests.browser.helpers import log_in_to_admin
from tests.orders.conftest import products  # noqa: F401  (the catalogue: transactional tests empty it)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_enter_a_phoned_order_with_the_admins_scripts_and_confirm_it_from_the_list(
    live_server, page, sam, alice, password, products
):
    base = live_server.url
    log_in_to_admin(page, base, "sam", password)

    # The navigation sidebar folds away and back (nav_sidebar.js).
    page.goto(base + "/admin/orders/order/add/")
    sidebar = page.locator("#nav-sidebar")
    expect(sidebar).to_be_visible()
    page.locator("#toggle-nav-sidebar").click()
    expect(sidebar).to_be_hidden()
    page.locator("#toggle-nav-sidebar").click()
    expect(sidebar).to_be_visible()

    # The customer is found by typing part of her name in the autocomplete box (select2, autocomplete.js).
    page.locator(".field-customer .select2-selection").click()
    page.locator(".select2-search__field").fill("alice")
    page.get_by_role("option", name="Alice Archer").click()
    expect(page.locator("#select2-id_customer-container")).to_contain_text("Alice Archer")
    page.get_by_label("Product").select_option(label="FTTC fibre broadband")
    page.get_by_label("Received by").select_option(label="Phone")

    # The date from the calendar, the time from its "Now" shortcut (calendar.js, DateTimeShortcuts.js).
    page.locator("#id_received_at_0").fill("")
    page.locator("#calendarlink0").click()
    calendar = page.locator("#calendarbox0")
    expect(calendar).to_be_visible()
    calendar.get_by_role("link", name="Today").click()
    expect(calendar).to_be_hidden()
    expect(page.locator("#id_received_at_0")).not_to_have_value("")
    page.locator("#id_received_at_1").fill("")
    page.locator(".datetimeshortcuts").nth(1).get_by_role("link", name="Now").click()
    expect(page.locator("#id_received_at_1")).not_to_have_value("")

    page.get_by_label("Installation or service address").fill("12 Orchard Way\nMaidstone")
    page.get_by_label("Postcode").fill("ME17 4AA")
    page.get_by_label("Contact name").fill("Alice Archer")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    order = Order.objects.get(customer=alice)

    # Select-all ticks every row and counts them (actions.js); the action then runs.
    page.goto(base + "/admin/orders/order/")
    page.locator("#action-toggle").check()
    expect(page.locator(f'input[name="_selected_action"][value="{order.pk}"]')).to_be_checked()
    expect(page.locator(".action-counter")).to_contain_text("1 of 1 selected")
    page.locator('select[name="action"]').select_option(label="Confirm: accept the selected orders")
    page.locator('button[name="index"]').click()
    expect(page.locator(".messagelist")).to_contain_text(f"Done: {order.reference}.")
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
