"""The demo data: Alice's billing complaint, to which she has written again (so customer services see a
customer waiting for an answer), and Carol's complaint taken by phone."""

from datetime import timedelta

import pytest
from django.utils import timezone

from complaints.demo import complaints as complaints_demo
from complaints.models import Complaint, EventKind

pytestmark = pytest.mark.django_db


def test_the_demo_shows_a_customer_waiting_for_our_answer(alice, carol, sam):
    now = timezone.now()

    complaints_demo({"alice": alice, "carolsbakery": carol}, {"sam": sam}, now)

    alices = Complaint.objects.get(customer=alice)
    assert alices.customer_waiting_since == now - timedelta(hours=1)
    assert alices.events.filter(kind=EventKind.CUSTOMER_MESSAGE).count() == 1
    assert Complaint.objects.get(customer=carol).customer_waiting_since is None
