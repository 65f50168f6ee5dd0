"""A complaint from first word to deadlock, in real Chromium, with a real worker sending the letters."""

import re

import pytest
from playwright.sync_api import expect

from complaints.models import Complaint, Status
from tests.browser.helpers import log_in, log_in_to_admin, log_out
from tests.helpers import pdf_text

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _reload_until(page, locator, text, timeout_s=30):
    """The acknowledgement is sent by the worker in its own time: reload the page until it shows."""
    for _ in range(timeout_s * 2):
        if text in locator.inner_text():
            return
        page.wait_for_timeout(500)
        page.reload()
    expect(locator).to_contain_text(text)


def test_a_customer_complains_is_acknowledged_and_after_deadlock_sees_the_adr_route(
    live_server, page, celery_worker, real_broker, alice, sam, password
):
    # Alice complains in the portal.
    log_in(page, live_server.url, "alice", password)
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Complaints").click()
    page.get_by_role("link", name="Make a complaint").click()
    page.get_by_label("What is your complaint about?").select_option("billing")
    page.get_by_label("What happened?").fill("I was charged twice for the FTTC set-up fee in October.")
    page.get_by_label("What would you like us to do?").fill("Refund the second set-up fee.")
    page.get_by_role("button", name="Send my complaint").click()

    expect(page.get_by_role("alert")).to_contain_text("is received")
    complaint = Complaint.objects.get(customer=alice)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Complaint {complaint.reference}")

    # The real worker sends the acknowledgement; the page then says so.
    _reload_until(page, page.locator("#complaint-status"), "Acknowledged")
    expect(page.locator("#ack-sent")).not_to_contain_text("Not yet")
    [ack] = celery_worker.wait_for_emails(1)
    assert ack["To"].addresses[0].addr_spec == "alice@example.co.uk"
    assert complaint.reference in ack["Subject"]
    log_out(page)

    # Customer services look into it, then issue a deadlock letter in the admin.
    log_in_to_admin(page, live_server.url, "sam", password)
    page.goto(f"{live_server.url}/admin/complaints/complaint/{complaint.pk}/change/")
    page.get_by_role("link", name="Change status").click()
    page.get_by_label("New status").select_option("investigating")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messagelist")).to_contain_text("done")
    page.get_by_role("link", name="Issue a deadlock letter").click()
    page.get_by_label("Our final position").fill(
        "We found one set-up fee was charged twice and refunded it. We cannot offer the further credit asked for."
    )
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messagelist")).to_contain_text("done")
    complaint.refresh_from_db()
    assert complaint.status == Status.DEADLOCKED

    # The worker emails the deadlock letter as a PDF naming the ADR scheme.
    deadlock = celery_worker.wait_for_emails(2)[-1]
    assert "final position" in deadlock["Subject"]
    [pdf] = [part for part in deadlock.iter_attachments() if part.get_content_type() == "application/pdf"]
    text = pdf_text(pdf.get_content())
    for expected in [
        complaint.reference,
        "Alice Archer",
        "12 Orchard Way",
        "refunded it",
        "Otelo",
        "PO Box 730",
        "0845 050 1614",
        "enquiries@otelo.org.uk",
        "free of charge",
    ]:
        assert expected in text

    # Alice (in a fresh session) sees the deadlock and how to take her complaint to the ADR scheme.
    page.context.clear_cookies()
    log_in(page, live_server.url, "alice", password)
    page.goto(f"{live_server.url}/complaints/{complaint.pk}/")
    expect(page.locator("#complaint-status")).to_contain_text("Deadlocked")
    adr = page.get_by_role("region", name=re.compile("Taking your complaint further"))
    expect(adr).to_contain_text("you may take your complaint to Otelo")
    expect(adr).to_contain_text("PO Box 730")
    expect(adr).to_contain_text("01925 430 049")
    expect(adr).to_contain_text("free")
    expect(page.locator(".timeline")).to_contain_text("Deadlock letter issued")
