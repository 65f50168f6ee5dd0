"""The demo data (`make run`): the triage list shows an email from Alice waiting for customer services, with
its receipt, and an out-of-office note kept aside as a robot's."""

import pytest
from django.urls import reverse

from portal import clock
from portal.inbound.demo import inbound_emails
from portal.models import InboundStatus
from tests.helpers import shows
from tests.inbound.helpers import stored

pytestmark = pytest.mark.django_db


def test_the_demo_fills_the_triage_list(client, alice, sam):
    inbound_emails({"alice": alice}, {"sam": sam}, clock.now())

    waiting = stored(status=InboundStatus.TRIAGE).get()
    assert waiting.customer == alice and waiting.receipt.to_email == alice.email
    assert stored(status=InboundStatus.ROBOT).get().receipt is None
    client.force_login(sam)
    page = client.get(reverse("admin:portal_inboundmessage_changelist") + "?show=known")
    assert shows(page, "Moving house in January") and not shows(page, "Out of office")
