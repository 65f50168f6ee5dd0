"""The triage list: customer services read the company's mailbox and turn an email into a case in one step,
keeping the email's received time for every deadline; nobody else reads it."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from complaints.models import Channel as ComplaintChannel
from complaints.models import Complaint, ComplaintEvent
from complaints.models import EventKind as ComplaintEventKind
from faults.models import Channel as FaultChannel
from faults.models import Fault, FaultEvent
from orders.models import Cancellation, CancellationChannel, OrderEvent, OrderEventKind, ServiceEvent
from portal.inbound.sorting import sort
from portal.inbound.storing import store
from portal.models import InboundMessage, InboundStatus
from portal.office_hours import add_office_hours
from tests.factories import CustomerFactory, StaffFactory
from tests.helpers import ldn, queries_for_get, shows, visible_text
from tests.inbound.helpers import email
from tests.orders.helpers import place

pytestmark = pytest.mark.django_db

FRIDAY_4PM = ldn(2026, 11, 27, 16, 0)  # the email reached us then; staff read it on another day


def received(raw, at=FRIDAY_4PM):
    """An email as the poller leaves it: stored with the time it reached the mailbox, then sorted."""
    message, _ = store(raw, received_at=at)
    sort(message.pk)
    message.refresh_from_db()
    return message


def act(client, message, action, data):
    return client.post(reverse("admin:portal_inboundmessage_action", args=[message.pk, action]), data)


def test_customer_services_turn_an_email_into_a_complaint_acknowledged_24_office_hours_from_its_arrival(
    client, alice, sam
):
    message = received(email(subject="Complaint", body="I was cut off three times this week and nobody called."))
    client.force_login(sam)

    page = client.get(reverse("admin:portal_inboundmessage_action", args=[message.pk, "complaint"]))
    assert shows(page, "I was cut off three times this week") and shows(page, "Friday 27 November 2026, 16:00")
    response = act(
        client,
        message,
        "complaint",
        {"category": "service", "what_happened": message.text, "desired_outcome": "", "reply_by": "email"},
    )

    assert response.status_code == 302
    complaint = Complaint.objects.get(customer=alice)
    assert (complaint.channel, complaint.received_at, complaint.recorded_by) == (
        ComplaintChannel.EMAIL,
        FRIDAY_4PM,
        sam,
    )
    # Code: acknowledged within 24 working hours of receipt: Friday 16:00 + 24 office hours is Wednesday 14:30.
    assert complaint.ack_due_at == ldn(2026, 12, 2, 14, 30) == add_office_hours(FRIDAY_4PM, 24)
    [first] = ComplaintEvent.objects.filter(complaint=complaint, kind=ComplaintEventKind.RECEIVED)
    assert first.email == message and first.at == FRIDAY_4PM
    assert complaint.ack_message.to_email == "alice@example.co.uk"
    # The acknowledgement answers her email: it threads under it in her mail program.
    assert message.message_id and complaint.ack_message.in_reply_to == message.message_id
    assert complaint.ack_message.references.split()[-1] == message.message_id
    message.refresh_from_db()
    assert (message.status, message.case_reference, message.handled_by) == (
        InboundStatus.CONVERTED,
        complaint.reference,
        sam,
    )

    # Turning it into a case again (a colleague's page left open) is refused, and says why.
    again = act(client, message, "complaint", {"category": "service", "what_happened": "x", "reply_by": "email"})
    assert Complaint.objects.count() == 1
    assert again.status_code == 302  # the action is no longer offered for a converted email


def test_an_emailed_fault_counts_its_repair_target_from_the_email(client, alice, sam, alices_fttc):
    message = received(email(subject="No broadband", body="Down since this afternoon."))
    client.force_login(sam)

    act(client, message, "fault", {"service": alices_fttc.pk, "description": message.text})

    fault = Fault.objects.get()
    assert (fault.channel, fault.reported_at, fault.service) == (FaultChannel.EMAIL, FRIDAY_4PM, alices_fttc)
    assert FaultEvent.objects.get(fault=fault, kind="reported").email == message


def test_a_cancellation_needs_the_senders_account_username(client, alice, sam, alices_fttc):
    message = received(email(subject="Cancel", body="Please cancel my line. Username: alise"))
    client.force_login(sam)

    refused = act(client, message, "cancellation", {"service": alices_fttc.pk, "quoted_username": "alise"})

    assert refused.status_code == 200
    assert "is not the account username" in visible_text(refused)
    assert not Cancellation.objects.exists()

    act(client, message, "cancellation", {"service": alices_fttc.pk, "quoted_username": "Alice "})

    cancellation = Cancellation.objects.get()
    assert (cancellation.channel, cancellation.received_at, cancellation.quoted_username) == (
        CancellationChannel.EMAIL,
        FRIDAY_4PM,
        "Alice",
    )
    assert ServiceEvent.objects.get(service=alices_fttc, kind="cancellation_requested").email == message


def test_an_email_is_filed_on_an_order_as_the_customers_note(client, alice, sam, fttc):
    order = place(alice, fttc, received_at=ldn(2026, 11, 20, 10, 0))
    message = received(email(subject="My order", body="Please install on a Tuesday."))
    client.force_login(sam)

    act(client, message, "order_note", {"order": order.pk, "text": message.text})

    note = OrderEvent.objects.get(order=order, kind=OrderEventKind.CUSTOMER_MESSAGE)
    assert (note.text, note.at, note.email, note.via) == ("Please install on a Tuesday.", FRIDAY_4PM, message, "email")


def test_an_unknown_sender_is_linked_to_a_customer_before_the_email_becomes_a_case(client, alice, sam):
    message = received(email(sender="a.archer@work.example.com", subject="Complaint", body="About my bill."))
    assert message.customer is None and message.receipt.to_email == "a.archer@work.example.com"
    client.force_login(sam)

    page = client.get(reverse("admin:portal_inboundmessage_change", args=[message.pk]))
    assert shows(page, "Link to a customer") and not shows(page, "Turn into a complaint")
    search = client.get(
        reverse("admin:autocomplete"),
        {"term": "Archer", "app_label": "portal", "model_name": "inboundmessage", "field_name": "customer"},
    )
    assert [r["id"] for r in search.json()["results"]] == [str(alice.pk)]
    act(client, message, "link", {"customer": alice.pk})

    message.refresh_from_db()
    assert message.customer == alice
    assert shows(client.get(reverse("admin:portal_inboundmessage_change", args=[message.pk])), "Turn into a complaint")


def test_staff_read_an_html_email_as_text_never_as_html(client, alice, sam):
    message = received(
        email(
            subject="HTML",
            body=None,
            html="<p>Hi <img src=https://tracker.example/x.gif><script>alert(1)</script>&lt;b&gt;not bold&lt;/b&gt;</p>",
        )
    )
    client.force_login(sam)

    html = client.get(reverse("admin:portal_inboundmessage_change", args=[message.pk])).content.decode()

    assert "tracker.example" not in html and "alert(1)" not in html
    assert "&lt;b&gt;not bold&lt;/b&gt;" in html  # the email's own text, shown as text
    assert "Made from the email" in html


def test_the_original_and_its_attachments_download_and_a_refused_one_does_not(client, alice, sam, settings):
    settings.INBOUND_MAX_ATTACHMENT_BYTES = 100
    raw = email(
        subject="Files",
        body="See attached.",
        attachments=[("bill.pdf", b"%PDF-1.4 tiny", "application/pdf"), ("huge.bin", b"x" * 500, "application/zip")],
    )
    message = received(raw)
    client.force_login(sam)

    original = client.get(reverse("admin:portal_inboundmessage_raw", args=[message.pk]))
    assert b"".join(original.streaming_content) == raw
    assert original["Content-Disposition"].startswith("attachment")
    bill = client.get(reverse("admin:portal_inboundmessage_attachment", args=[message.pk, 1]))
    assert (bill.content, bill["Content-Type"]) == (b"%PDF-1.4 tiny", "application/octet-stream")
    assert 'filename="bill.pdf"' in bill["Content-Disposition"]
    assert client.get(reverse("admin:portal_inboundmessage_attachment", args=[message.pk, 2])).status_code == 404


def test_only_customer_services_and_administrators_read_the_mailbox(client, alice, sam, eric, ann):
    message = received(email(subject="Private", body="My account details."))
    urls = [
        reverse("admin:portal_inboundmessage_changelist"),
        reverse("admin:portal_inboundmessage_change", args=[message.pk]),
        reverse("admin:portal_inboundmessage_raw", args=[message.pk]),
        reverse("admin:portal_inboundmessage_action", args=[message.pk, "complaint"]),
    ]
    admin = StaffFactory(username="root", is_superuser=True)
    for reader in (sam, admin):
        client.force_login(reader)
        assert all(client.get(url).status_code == 200 for url in urls), reader
    for outsider in (eric, ann):
        client.force_login(outsider)
        assert all(client.get(url).status_code in (403, 404) for url in urls), outsider
    client.force_login(alice)
    assert all(client.get(url).status_code == 302 for url in urls)  # to the staff login
    assert Group.objects.get(name="Engineers").permissions.filter(codename__contains="inbound").count() == 0


def test_the_triage_list_costs_the_same_queries_with_1_and_50_emails(client, sam):
    client.force_login(sam)
    url = reverse("admin:portal_inboundmessage_changelist") + "?show=waiting"

    def fill(count):
        for i in range(count):
            customer = CustomerFactory() if i % 2 else None
            sender = customer.email if customer else f"stranger{i}@example.net"
            attachments = [("a.txt", b"hi", "text/plain")] if i % 3 == 0 else ()
            received(email(sender=sender, subject=f"Email {i}", body="Hello.", attachments=attachments))

    fill(1)
    one = queries_for_get(client, url)
    fill(49)
    fifty = queries_for_get(client, url)
    assert InboundMessage.objects.filter(status=InboundStatus.TRIAGE).count() == 50
    assert one == fifty
