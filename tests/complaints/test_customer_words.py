"""The complaint page in the customer's words, the ADR scheme's details as links, and the admin's
status box labelled as what the customer reads."""

import pytest
from django.urls import reverse

from complaints import services
from complaints.models import Status
from tests.helpers import visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def complaint(alice):
    return services.complaint_open(customer=alice, category="billing", what_happened="Charged twice in October.")


def test_the_timeline_heads_a_status_move_in_the_customers_words(client, alice, sam, complaint):
    services.complaint_acknowledge_by_hand(complaint=complaint, by=sam)
    services.complaint_set_status(complaint=complaint, to=Status.INVESTIGATING, by=sam)
    client.force_login(alice)

    page = visible_text(client.get(reverse("complaints:complaint_detail", args=[complaint.pk])))

    assert "We are investigating your complaint" in page
    assert "Progress on your complaint Acknowledged in person by Sam Service." in page
    assert "Status changed" not in page and "→" not in page


def test_the_adr_schemes_phone_email_and_website_are_links(client, alice, complaint):
    client.force_login(alice)

    page = client.get(reverse("complaints:complaint_detail", args=[complaint.pk])).content.decode()

    assert '<a href="tel:08450501614">0845 050 1614</a>' in page
    assert '<a href="mailto:enquiries@otelo.org.uk">enquiries@otelo.org.uk</a>' in page
    assert '<a href="https://www.otelo.org.uk">www.otelo.org.uk</a>' in page


def test_the_status_box_in_the_admin_says_the_customer_reads_it(client, sam, complaint):
    services.complaint_acknowledge_by_hand(complaint=complaint, by=sam)
    client.force_login(sam)

    page = visible_text(client.get(reverse("admin:complaints_complaint_action", args=[complaint.pk, "status"])))

    assert "Message the customer will see" in page
    assert "Note for the timeline" not in page
