"""The staff lists of big tables (portal/admin_scale.py): counted only as far as a page needs, searched by what
staff search (references, customers' names, emails, postcodes), filtered without reading every row."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaints.models import Complaint
from portal import admin_scale
from portal.models import OutboxMessage, Status
from tests.complaints.helpers import open_complaint
from tests.factories import CustomerFactory, StaffFactory
from tests.helpers import queries_for_get, visible_text

COMPLAINTS = reverse("admin:complaints_complaint_changelist")
OUTBOX = reverse("admin:portal_outboxmessage_changelist")
CUSTOMERS = reverse("admin:accounts_user_changelist")


@pytest.fixture
def root(db):
    """An administrator: reads every message and every list."""
    return StaffFactory(username="root", full_name="Rita Root", is_superuser=True)


def listed(response):
    return list(response.context["cl"].result_list)


def test_a_long_filtered_list_says_or_more_rather_than_counting_every_row(client, root, alice, monkeypatch):
    monkeypatch.setattr(admin_scale, "COUNT_CAP", 3)
    for _ in range(5):
        open_complaint(alice)
    client.force_login(root)

    response = client.get(COMPLAINTS, {"status__exact": "received"})

    assert "3 or more complaints" in visible_text(response)
    assert len(listed(response)) == 5  # the page itself still lists them all


def test_a_short_list_is_counted_exactly(client, root, alice, bob):
    open_complaint(alice)
    open_complaint(bob)
    client.force_login(root)

    response = client.get(COMPLAINTS)

    assert "2 complaints" in visible_text(response)
    assert "or more" not in visible_text(response)


@pytest.mark.parametrize("typed", ["Archer", "alice archer", "ME17 4AA", "me17", "alice"])
def test_complaints_are_found_by_the_customers_name_postcode_or_username(client, root, alice, bob, typed):
    hers, _his = open_complaint(alice), open_complaint(bob)
    client.force_login(root)

    response = client.get(COMPLAINTS, {"q": typed})

    assert listed(response) == [hers]


def test_a_complaint_is_found_by_its_own_words(client, root, alice, bob):
    open_complaint(alice)
    wanted = open_complaint(bob, what_happened="The router light blinks amber every evening.")
    client.force_login(root)

    assert listed(client.get(COMPLAINTS, {"q": "blinks amber"})) == [wanted]


def test_the_outbox_is_found_by_the_recipients_email_or_name(client, root, alice, bob):
    open_complaint(alice)
    open_complaint(bob)
    client.force_login(root)

    by_email = listed(client.get(OUTBOX, {"q": "alice@example.co.uk"}))
    by_name = listed(client.get(OUTBOX, {"q": "Bob Brown"}))

    assert by_email and {m.customer for m in by_email} == {alice}
    assert by_name and {m.customer for m in by_name} == {bob}


def test_customers_are_found_by_email_phone_or_postcode(client, root, alice, bob):
    client.force_login(root)

    assert listed(client.get(CUSTOMERS, {"q": "ALICE@example"})) == [alice]
    assert listed(client.get(CUSTOMERS, {"q": "ME17 4AA"})) == [alice]
    assert listed(client.get(CUSTOMERS, {"q": "nobody-has-this"})) == []


def test_the_outbox_filters_by_the_kinds_it_holds(client, root, alice):
    open_complaint(alice)
    client.force_login(root)

    response = client.get(OUTBOX)
    kinds = {
        choice["display"]
        for spec in response.context["cl"].filter_specs
        for choice in spec.choices(response.context["cl"])
        if spec.title == "kind"
    }
    filtered = listed(client.get(OUTBOX, {"kind": "complaint_ack"}))

    assert "Complaint acknowledgement" in kinds  # named in words, read from the kind column's index
    assert filtered and {m.kind for m in filtered} == {"complaint_ack"}


def test_the_complaints_list_filters_by_when_received_instead_of_a_date_drill_down(client, root, alice):
    open_complaint(alice)
    client.force_login(root)

    response = client.get(COMPLAINTS)

    assert response.context["cl"].date_hierarchy is None
    assert "Past 7 days" in visible_text(response)


@pytest.mark.parametrize("url", [COMPLAINTS, OUTBOX, CUSTOMERS])
def test_a_list_costs_the_same_queries_for_one_row_and_many(client, root, url):
    client.force_login(root)
    open_complaint(CustomerFactory())
    one = queries_for_get(client, url)
    for _ in range(6):
        open_complaint(CustomerFactory())
    assert queries_for_get(client, url) == one
    assert queries_for_get(client, f"{url}?q=example") == queries_for_get(client, f"{url}?q=example")


def test_a_list_of_one_page_is_read_with_a_limit(client, root, alice):
    """Django reads a short list whole; PostgreSQL, planning for its own estimate of a filter rather than the
    count, could then join every customer to find a handful of rows. The list keeps the page's LIMIT."""
    late = open_complaint(alice)
    Complaint.objects.filter(pk=late.pk).update(acknowledged_at=late.ack_due_at + timedelta(hours=1))
    client.force_login(root)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(COMPLAINTS, {"ack": "late"})
    assert late.reference in visible_text(response)
    [listed] = [
        q["sql"] for q in captured.captured_queries if q["sql"].startswith('SELECT "complaints_complaint"."id"')
    ]
    assert listed.rstrip().endswith("LIMIT 50")


def test_the_front_page_counts_what_needs_staff(client, root, alice):
    open_complaint(alice)
    OutboxMessage.objects.filter(customer=alice).update(status=Status.FAILED)
    client.force_login(root)

    response = client.get(reverse("admin:index"))

    failed = OutboxMessage.objects.filter(status=Status.FAILED).count()
    assert f"{failed} email" in visible_text(response)
    assert Complaint.objects.count() == 1
