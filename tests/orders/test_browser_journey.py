"""In real Chromium: Alice orders FTTC and gets her confirmation; Sam completes the order in the admin;
Alice cancels the service and is told, on the page and by email, the date it will be withdrawn."""

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from orders.models import Order, OrderStatus, Service
from portal.formats import day_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ACTIONS = [
    "Confirm: accept the selected orders",
    "Start work on the selected orders",
    "Complete the selected orders (the service starts today)",
]


def log_in(page, url, username, password):
    page.get_by_label("Account username or email").fill(username)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_a_customer_orders_fttc_staff_complete_it_and_she_cancels_it(live_server, page, alice, sam, password, products):
    url = live_server.url
    page.goto(url + reverse("accounts:login"))
    log_in(page, url, "alice", password)

    # Alice orders FTTC from the price list.
    page.goto(url + reverse("orders:catalogue"))
    expect(page.get_by_role("row", name="FTTC fibre broadband")).to_contain_text(
        "£25.00 a month + VAT (£30.00 inc. VAT)"
    )
    page.get_by_role("link", name="Order FTTC fibre broadband").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Order FTTC fibre broadband")
    page.get_by_label("Contact phone").fill("07700 900111")
    page.get_by_role("button", name="Place my order").click()

    order = Order.objects.get(customer=alice)
    expect(page.get_by_role("alert")).to_contain_text(f"your order {order.reference} is placed")
    expect(page.locator("#confirmation")).to_contain_text("Emailed")
    [confirmation] = mail.outbox
    assert confirmation.to == ["Alice Archer <alice@example.co.uk>"]
    assert confirmation.subject == f"We have your order {order.reference}: FTTC fibre broadband"

    # Sam, in customer services, accepts, starts and completes it in the admin.
    staff = page.context.browser.new_page()
    staff.goto(url + "/admin/")
    log_in(staff, url, "sam", password)
    staff.goto(url + reverse("admin:orders_order_changelist"))
    expect(staff.locator("#result_list")).to_contain_text(order.reference)
    for action in ACTIONS:
        staff.locator(f'input[name="_selected_action"][value="{order.pk}"]').check()
        staff.locator('select[name="action"]').select_option(label=action)
        staff.locator('button[name="index"]').click()
        expect(staff.locator(".messagelist")).to_contain_text(f"Done: {order.reference}.")
    staff.close()
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED

    # Alice sees her service with its minimum term, and cancels it.
    service = Service.objects.get(customer=alice)
    term_end = day_text(service.minimum_term_end)
    page.goto(url + reverse("orders:service_list"))
    expect(page.get_by_role("row", name="FTTC fibre broadband")).to_contain_text(
        f"{service.minimum_term_end:%-d %b %Y}"
    )
    page.get_by_role("link", name="FTTC fibre broadband").click()
    page.get_by_role("link", name="Cancel this service").click()
    expect(page.get_by_role("note")).to_contain_text(f"the earliest date we can withdraw the service is {term_end}")
    page.get_by_label("Your account username").fill("alice")
    page.get_by_role("button", name="Send my cancellation request").click()

    expect(page.locator("#withdrawal-date")).to_have_text(term_end)
    expect(page.get_by_role("alert")).to_contain_text(
        f"will be withdrawn on {term_end}. You remain liable for its charges until then."
    )
    [cancelled] = [m for m in mail.outbox if "withdrawal date" in m.subject]
    assert f"Your service will be withdrawn on {term_end}." in cancelled.body
    assert "You remain liable for the charges of this service" in cancelled.body
