"""A customer's data export (Data Protection) holds her complaints and their timelines, and nobody else's."""

import json

from django.urls import reverse
from django.utils import timezone

from complaints import services
from complaints.models import Status
from tests.complaints.helpers import open_complaint
from tests.helpers import ldn


def download(client, customer):
    client.force_login(customer)
    response = client.post(reverse("accounts:export_download"))
    assert response.status_code == 200
    return json.loads(response.content)


def test_alices_export_holds_her_complaints_with_their_timelines(client, alice, bob, sam):
    first = open_complaint(alice, received_at=ldn(2026, 3, 2, 10, 0), desired_outcome="A refund")
    services.complaint_acknowledge_by_hand(complaint=first, by=sam)
    services.complaint_set_status(complaint=first, to=Status.INVESTIGATING, by=sam)
    services.complaint_reply(complaint=first, by=sam, text="We found a double charge and will refund £12.50.")
    services.complaint_add_customer_message(
        complaint=first, customer=alice, text="Thank you, when will it arrive?", received_at=timezone.now()
    )
    second = open_complaint(alice, category="billing")
    bobs = open_complaint(bob, what_happened="Bob's engineer never turned up on Tuesday.")

    data = download(client, alice)

    complaints = data["complaints"]
    assert [c["reference"] for c in complaints] == [first.reference, second.reference]
    exported = complaints[0]
    assert exported["what_happened"] == first.what_happened
    assert exported["what_you_want"] == "A refund"
    assert exported["received_by"] == "Portal"
    assert exported["status"] == "Being investigated"
    assert exported["received_at"].startswith("2026-03-02T10:00:00")
    timeline = [(e["what"], e["text"], e["by"]) for e in exported["events"]]
    assert ("Our reply", "We found a double charge and will refund £12.50.", "Sam Service") in timeline
    assert ("Message from the customer", "Thank you, when will it arrive?", "Alice Archer") in timeline
    assert timeline[0] == ("Complaint received", "Complaint received by portal.", "Alice Archer")
    [message] = [e for e in exported["events"] if e["what"] == "Message from the customer"]
    assert message["reached_us_by"] == "Portal"
    assert exported["waiting_for_our_answer_since"] == message["at"]  # nobody has answered it yet
    text = json.dumps(data)
    assert bobs.reference not in text
    assert "Bob's engineer" not in text


def test_bobs_export_holds_only_his_complaint(client, alice, bob):
    alices = open_complaint(alice)
    bobs = open_complaint(bob)

    data = download(client, bob)

    assert [c["reference"] for c in data["complaints"]] == [bobs.reference]
    assert alices.reference not in json.dumps(data)


def test_a_customer_without_complaints_has_an_empty_section(client, alice):
    assert download(client, alice)["complaints"] == []
