"""A fault from a Saturday night report to the charge for an abortive visit, in real Chromium.

The browser cannot move the server's clock, but the live server runs in this process: the faults app
reads its time from portal.clock.now, which the test moves from Saturday night to Monday and Tuesday.
"""

import re

import pytest
from playwright.sync_api import expect

from faults.models import ChargeStatus, Fault, Location, SlotStatus, Status, VisitCharge
from tests.browser.helpers import log_in, log_in_to_admin
from tests.faults.helpers import make_service
from tests.helpers import ldn

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_saturday_night_fault_gets_a_visit_agreed_and_an_abortive_visit_charge(
    live_server, page, alice, eric, password, clock_at
):
    make_service(alice, "fttc")
    base = live_server.url

    # Saturday 28 November 2026, 22:30: Alice's broadband is down. She goes through the checks.
    clock_at(ldn(2026, 11, 28, 22, 30))
    log_in(page, base, "alice", password)
    page.goto(base + "/faults/")
    page.get_by_role("link", name="Report a fault on FTTC fibre broadband").click()
    expect(page.locator("#check-step")).to_have_text("Check 1 of 4")
    expect(page.locator("#check-heading")).to_have_text("Is your router switched on, and have you restarted it?")
    expect(page.get_by_role("button", name="That fixed it — no need to report")).to_be_visible()
    page.get_by_role("button", name="Yes", exact=True).click()
    expect(page.locator("#check-heading")).to_contain_text("microfilter on every phone socket")
    page.get_by_role("button", name="Yes", exact=True).click()
    expect(page.locator("#check-heading")).to_contain_text("plugged into the master socket")
    page.get_by_role("button", name="Yes", exact=True).click()
    expect(page.locator("#check-heading")).to_have_text("Are other devices affected too?")
    page.get_by_role("button", name="Yes", exact=True).click()
    page.get_by_label("Describe the fault").fill("No broadband since 9pm. The broadband light on the router is red.")
    page.get_by_role("button", name="Report the fault").click()

    fault = Fault.objects.get()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Fault {fault.reference}")
    expect(page.get_by_role("alert")).to_contain_text(f"Your fault {fault.reference} is reported")
    expect(page.get_by_role("alert")).to_contain_text("Our engineers are next at work on Monday 30 November at 09:00.")
    expect(page.locator("#repair-target")).to_contain_text("Tuesday 1 December at 17:30")
    expect(page.locator("#checks")).to_contain_text("Are other devices affected too?")
    assert [c.answer for c in fault.checks.all()] == ["Yes", "Yes", "Yes", "Yes"]
    page.context.clear_cookies()

    # Monday morning: the engineer investigates and offers two visit times.
    clock_at(ldn(2026, 11, 30, 9, 15))
    log_in_to_admin(page, base, "eric", password)
    page.goto(f"{base}/admin/faults/fault/{fault.pk}/change/")
    page.get_by_role("link", name="Change status").click()
    page.get_by_label("New status").select_option("investigating")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messagelist")).to_contain_text("done")
    page.get_by_role("link", name="Offer visit times").click()
    page.get_by_label("First visit: date").fill("2026-11-30")
    page.get_by_label("First visit: time").select_option("afternoon")
    page.get_by_label("Second visit: date").fill("2026-12-01")
    page.get_by_label("Second visit: time").select_option("morning")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messagelist")).to_contain_text("Offer visit times: done")
    monday, tuesday = fault.slots.order_by("start_at")
    page.context.clear_cookies()

    # Alice reads the charge warning and accepts Tuesday morning, after ticking that she understands it.
    clock_at(ldn(2026, 11, 30, 10, 0))
    log_in(page, base, "alice", password)
    page.goto(f"{base}/faults/{fault.pk}/")
    warning = page.locator("#charge-warning")
    expect(warning).to_contain_text("Before you accept: a visit may be charged.")
    expect(warning).to_contain_text("not on our network (for example it is in your own equipment or wiring)")
    expect(warning).to_contain_text("£85.00 + VAT (£102.00 inc. VAT)")
    choice = page.locator(f"#slot-{tuesday.pk}")
    expect(choice).to_contain_text("Tuesday 1 December 2026, morning (09:00 to 13:00)")
    choice.get_by_role("button", name="Accept this time").click()
    expect(page.get_by_role("alert")).to_contain_text("Please tick the box to say you understand the charge")
    choice = page.locator(f"#slot-{tuesday.pk}")
    choice.get_by_label(re.compile("I understand the charge of £85.00 \\+ VAT")).check()
    choice.get_by_role("button", name="Accept this time").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Your engineer visit is booked: Tuesday 1 December 2026, morning (09:00 to 13:00)."
    )
    expect(page.locator("#fault-status")).to_have_text("Engineer visit booked")
    expect(page.locator("#visit-offer")).to_have_count(0)
    monday.refresh_from_db()
    tuesday.refresh_from_db()
    assert (monday.status, tuesday.status) == (SlotStatus.WITHDRAWN, SlotStatus.ACCEPTED)
    page.context.clear_cookies()

    # Tuesday, after the visit: the engineer found the fault in Alice's own equipment.
    clock_at(ldn(2026, 12, 1, 11, 30))
    log_in_to_admin(page, base, "eric", password)
    page.goto(f"{base}/admin/faults/fault/{fault.pk}/change/")
    page.get_by_role("link", name="Record the visit outcome").click()
    expect(page.locator("#content-main")).to_contain_text("adds a charge of £85.00 + VAT (£102.00 inc. VAT)")
    page.get_by_label("Fault in customer equipment").check()
    page.get_by_label("Engineer's notes for the customer").fill(
        "The router's power supply has failed; the line tests fine."
    )
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messagelist")).to_contain_text("done")
    page.context.clear_cookies()

    # Alice sees what the visit found and the charge waiting for her next invoice.
    log_in(page, base, "alice", password)
    page.goto(f"{base}/faults/{fault.pk}/")
    expect(page.locator("#fault-status")).to_have_text("Not a fault on our network")
    expect(page.locator("#fault-location")).to_have_text("Customer's own equipment")
    visits = page.locator("#visits")
    expect(visits).to_contain_text("Outcome: Fault in customer equipment")
    expect(visits).to_contain_text("The router's power supply has failed")
    expect(visits).to_contain_text(
        "Charge for this visit: £85.00 + VAT (£102.00 inc. VAT): Pending: on your next invoice"
    )
    expect(page.locator(".timeline")).to_contain_text("Charge for the visit")

    fault.refresh_from_db()
    assert (fault.status, fault.location) == (Status.NOT_OUR_FAULT, Location.CUSTOMER_EQUIPMENT)
    [charge] = VisitCharge.objects.all()
    assert (charge.visit, charge.status, str(charge.amount)) == (tuesday, ChargeStatus.PENDING, "85.00")
