"""Times staff type (when a call, email or letter reached us; a fault's repair target) are checked on every
admin form by one field (portal/staff_time.py): a mistyped year gets a message on the form and nothing
is saved. Year 1 used to be saved for complaints, orders and cancellations, and to fail with a 500
(OverflowError in the repair target) for faults."""

from datetime import date

import pytest
from django.urls import reverse

from complaints.models import Complaint
from faults.models import Fault
from orders.models import Cancellation, Order
from portal.models import OutboxMessage
from tests.faults.helpers import make_service, report
from tests.helpers import visible_text
from tests.orders.conftest import products  # noqa: F401  (the catalogue)
from tests.orders.helpers import hold


@pytest.fixture
def pstn(alice, sam, products):
    return hold(alice, products["pstn"], start=date(2025, 1, 10), by=sam)


def complaint_form(alice, when):
    return reverse("admin:complaints_complaint_record"), {
        "customer": alice.pk,
        "channel": "phone",
        "received_at": when,
        "category": "billing",
        "what_happened": "Billed twice.",
        "reply_by": "email",
    }


def fault_form(alice, when):
    return reverse("admin:faults_fault_record"), {
        "service": make_service(alice, "pstn").pk,
        "channel": "email",
        "reported_at": when,
        "description": "Line dead.",
    }


def order_form(alice, when, products):
    day, time = when
    return reverse("admin:orders_order_add"), {
        "customer": alice.pk,
        "product": products["fttc"].pk,
        "channel": "phone",
        "received_at_0": day,
        "received_at_1": time,
        "address": "12 Orchard Way",
        "postcode": "ME17 4AA",
        "contact_name": "Alice Archer",
        "contact_phone": "01622 000101",
    }


def cancellation_form(service, when):
    day, time = when
    return reverse("admin:orders_cancellation_add"), {
        "service": service.pk,
        "channel": "letter",
        "received_at_0": day,
        "received_at_1": time,
        "quoted_username": "alice",
        "requested_date": "",
    }


@pytest.mark.parametrize(
    "when, message",
    [
        (("0001-01-01T00:00", ("01/01/0001", "00:00")), "cannot be before 1 January 2000: check the year."),
        (("1999-12-31T23:59", ("31/12/1999", "23:59")), "cannot be before 1 January 2000: check the year."),
        (("9999-12-31T23:59", ("31/12/9999", "23:59")), "cannot be in the future."),
    ],
    ids=["year-1", "just-before-2000", "year-9999"],
)
@pytest.mark.parametrize("form", ["complaint", "fault", "order", "cancellation"])
def test_a_received_time_out_of_range_is_refused_on_the_form_and_nothing_is_saved(
    client, sam, eric, alice, pstn, products, form, when, message
):
    single, split = when
    url, data = {
        "complaint": lambda: complaint_form(alice, single),
        "fault": lambda: fault_form(alice, single),
        "order": lambda: order_form(alice, split, products),
        "cancellation": lambda: cancellation_form(pstn, split),
    }[form]()
    client.force_login(eric if form == "fault" else sam)
    client.raise_request_exception = False
    orders, messages = Order.objects.count(), OutboxMessage.objects.count()

    response = client.post(url, data)

    assert response.status_code == 200
    assert message in visible_text(response)
    assert not Complaint.objects.exists() and not Fault.objects.exists() and not Cancellation.objects.exists()
    assert (Order.objects.count(), OutboxMessage.objects.count()) == (orders, messages)


@pytest.mark.parametrize(
    "due_at, message",
    [
        ("9999-12-31T17:00", "A new repair target cannot be more than a year ahead: check the year."),
        ("0001-01-01T17:00", "A new repair target must be in the future."),
    ],
)
def test_a_repair_target_centuries_away_is_refused_and_the_target_stays(client, eric, alice, due_at, message):
    from django.utils import timezone

    fault = report(alice, at=timezone.now())
    before = fault.repair_due_at
    client.force_login(eric)
    client.raise_request_exception = False

    response = client.post(
        reverse("admin:faults_fault_action", args=[fault.pk, "target"]),
        {"due_at": due_at, "reason": "Waiting for another operator."},
    )

    assert response.status_code == 200
    assert message in visible_text(response)
    fault.refresh_from_db()
    assert fault.repair_due_at == before
