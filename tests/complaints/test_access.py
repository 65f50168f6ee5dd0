"""A customer sees only her own complaints (a wrong id answers 404), customers never reach the staff
admin, and staff without complaints permissions (engineers) are refused there."""

import pytest
from django.urls import reverse

from complaints.models import ComplaintEvent, EventKind, Status
from portal.models import OutboxMessage
from tests.complaints.helpers import WHAT_HAPPENED, advance, open_complaint, reload


@pytest.fixture
def alices(alice):
    return open_complaint(alice)


def test_bob_cannot_see_alices_complaint(client, bob, alices):
    client.force_login(bob)

    response = client.get(reverse("complaints:complaint_detail", args=[alices.pk]))

    assert response.status_code == 404
    assert alices.reference not in response.content.decode()
    assert WHAT_HAPPENED not in response.content.decode()


def test_bob_cannot_add_a_message_to_alices_complaint(client, bob, alices):
    client.force_login(bob)

    response = client.post(reverse("complaints:complaint_message", args=[alices.pk]), {"text": "Ha, mine now"})

    assert response.status_code == 404
    assert not ComplaintEvent.objects.filter(kind=EventKind.CUSTOMER_MESSAGE).exists()


def test_bob_cannot_reopen_alices_complaint(client, bob, alice, sam):
    complaint = advance(open_complaint(alice), Status.RESOLVED, by=sam)
    client.force_login(bob)

    response = client.post(reverse("complaints:complaint_reopen", args=[complaint.pk]), {"reason": "Because"})

    assert response.status_code == 404
    assert reload(complaint).status == Status.RESOLVED
    assert not ComplaintEvent.objects.filter(kind=EventKind.REOPENED).exists()


def test_bobs_list_does_not_show_alices_complaint(client, bob, alices):
    client.force_login(bob)

    page = client.get(reverse("complaints:complaint_list")).content.decode()

    assert alices.reference not in page
    assert "You have made no complaints." in page


def test_a_complaint_id_that_does_not_exist_is_404(client, alice, alices):
    client.force_login(alice)

    assert client.get(reverse("complaints:complaint_detail", args=[alices.pk + 1000])).status_code == 404


def admin_urls(complaint):
    return [
        ("get", reverse("admin:complaints_complaint_changelist")),
        ("get", reverse("admin:complaints_complaint_change", args=[complaint.pk])),
        ("get", reverse("admin:complaints_complaint_action", args=[complaint.pk, "reply"])),
        ("post", reverse("admin:complaints_complaint_action", args=[complaint.pk, "reply"])),
        ("post", reverse("admin:complaints_complaint_action", args=[complaint.pk, "status"])),
        ("post", reverse("admin:complaints_complaint_acknowledge", args=[complaint.pk])),
        ("get", reverse("admin:complaints_complaint_record")),
        ("post", reverse("admin:complaints_complaint_record")),
        ("get", reverse("admin:complaints_complaint_report")),
    ]


def test_a_customer_is_sent_to_the_staff_login_from_every_complaints_admin_page(client, alice, alices):
    client.force_login(alice)

    for method, url in admin_urls(alices):
        response = getattr(client, method)(url, {"text": "I am staff now", "to": "resolved"})
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url

    complaint = reload(alices)
    assert complaint.status == Status.RECEIVED
    assert complaint.ack_by_hand is None
    assert not ComplaintEvent.objects.filter(kind=EventKind.REPLY).exists()
    assert OutboxMessage.objects.count() == 1  # only the acknowledgement


@pytest.mark.parametrize(
    "method, name, args",
    [
        ("get", "admin:complaints_complaint_action", ["reply"]),
        ("post", "admin:complaints_complaint_action", ["reply"]),
        ("post", "admin:complaints_complaint_action", ["deadlock"]),
        ("post", "admin:complaints_complaint_action", ["note"]),
        ("get", "admin:complaints_complaint_record", None),
        ("post", "admin:complaints_complaint_record", None),
        ("get", "admin:complaints_complaint_report", None),
        ("post", "admin:complaints_complaint_acknowledge", []),
    ],
)
def test_an_engineer_is_refused_the_complaints_staff_pages(client, eric, alice, alices, method, name, args):
    client.force_login(eric)
    url = reverse(name, args=None if args is None else [alices.pk, *args])

    response = getattr(client, method)(url, {"text": "Looked at it", "final_position": "No.", "by_email": "on"})

    assert response.status_code == 403
    assert reload(alices).status == Status.RECEIVED
    assert ComplaintEvent.objects.filter(complaint=alices).count() == 1  # only "received"


def test_an_engineer_does_not_see_complaints_in_the_admin(client, eric, alices):
    client.force_login(eric)

    assert client.get(reverse("admin:complaints_complaint_changelist")).status_code == 403
    assert client.get(reverse("admin:complaints_complaint_change", args=[alices.pk])).status_code == 403
