"""An email to the company's mailbox becomes a complaint in real Chromium: the poller reads it from a real
IMAP server, customer services turn it into a complaint in the admin, and a real worker sends the customer
the receipt of their email and then the complaint's acknowledgement."""

import pytest
from playwright.sync_api import expect

from complaints.models import Complaint
from portal.office_hours import add_office_hours
from tests.browser.helpers import log_in_to_admin
from tests.helpers import ldn
from tests.inbound.helpers import email, poll, stored

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SUNDAY_NIGHT = ldn(2026, 11, 29, 22, 15)


def test_staff_turn_a_triaged_email_into_a_complaint_and_the_customer_gets_its_acknowledgement(
    live_server, page, celery_worker, real_broker, mailbox, alice, sam, password
):
    sent = email(subject="Complaint about my bill", body="You charged me twice for October. Please refund me.")
    mailbox.append(sent, at=SUNDAY_NIGHT)
    poll()
    [receipt] = celery_worker.wait_for_emails(1)
    the_email = stored().get()
    assert the_email.reference in receipt["Subject"]
    assert receipt["In-Reply-To"] == the_email.message_id  # threaded under Alice's email

    log_in_to_admin(page, live_server.url, "sam", password)
    page.goto(f"{live_server.url}/admin/portal/inboundmessage/?show=known")
    page.get_by_role("link", name=the_email.reference).click()
    expect(page.locator(".inbound-text")).to_contain_text("You charged me twice for October.")
    page.get_by_role("link", name="Turn into a complaint").click()
    page.get_by_label("Category").select_option("billing")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messagelist")).to_contain_text("done")

    complaint = Complaint.objects.get(customer=alice)
    expect(page.get_by_role("link", name=complaint.reference)).to_be_visible()
    assert complaint.received_at == SUNDAY_NIGHT  # the acknowledgement clock started when the email reached us
    assert complaint.ack_due_at == add_office_hours(SUNDAY_NIGHT, 24)
    ack = celery_worker.wait_for_emails(2)[-1]
    assert ack["To"].addresses[0].addr_spec == "alice@example.co.uk"
    assert complaint.reference in ack["Subject"] and "received your complaint" in ack["Subject"]
