"""What customers read on their fault pages is written for them: timeline headings in their words (no
"Status changed", no "Reported → Being investigated"), a warning before reporting a second fault on a
line, and what staff type for the customer labelled as such in the admin."""

import pytest
from django.urls import reverse

from faults import services
from faults.models import Status
from tests.faults.helpers import investigating, make_service, report
from tests.helpers import ldn, visible_text

pytestmark = pytest.mark.django_db

MONDAY = ldn(2026, 11, 23, 10, 0)
LATER = ldn(2026, 11, 23, 11, 0)


def fault_page(client, customer, fault):
    client.force_login(customer)
    return visible_text(client.get(reverse("faults:fault_detail", args=[fault.pk])))


def test_the_timeline_says_each_step_in_the_customers_words(client, alice, eric):
    fault = report(alice, at=MONDAY)
    investigating(fault, eric, at=LATER)
    services.fault_set_status(
        fault=fault, to=Status.RESOLVED, note="We replaced a faulty card at the exchange.", by=eric, now=LATER
    )

    page = fault_page(client, alice, fault)

    assert "We are investigating the fault" in page
    assert "Fault fixed We replaced a faulty card at the exchange." in page
    assert "Status changed" not in page and "→" not in page


def test_staff_still_read_the_move_in_the_admin(client, alice, eric):
    fault = report(alice, at=MONDAY)
    investigating(fault, eric, at=LATER)
    client.force_login(eric)

    page = visible_text(client.get(reverse("admin:faults_fault_change", args=[fault.pk])))

    assert "Reported → Being investigated." in page


def test_reporting_on_a_line_with_a_fault_open_warns_and_links_it(client, alice, eric):
    service = make_service(alice, "fttc")
    fault = report(alice, service, at=MONDAY)
    client.force_login(alice)

    response = client.get(reverse("faults:fault_report", args=[service.pk]))

    assert "You already have a fault open on this line." in visible_text(response)
    assert (
        f'href="{reverse("faults:fault_detail", args=[fault.pk])}">{fault.reference}</a>' in response.content.decode()
    )


def test_no_warning_once_the_lines_fault_is_fixed_or_on_another_line(client, alice, eric):
    service, other = make_service(alice, "fttc"), make_service(alice, "pstn")
    fault = report(alice, service, at=MONDAY)
    report(alice, other, at=MONDAY)
    investigating(fault, eric, at=LATER)
    services.fault_set_status(fault=fault, to=Status.RESOLVED, by=eric, now=LATER)
    client.force_login(alice)

    response = client.get(reverse("faults:fault_report", args=[service.pk]))

    assert "already have a fault open" not in visible_text(response)


def test_the_admin_says_the_customer_reads_the_status_message_word_for_word(client, alice, eric):
    fault = report(alice, at=MONDAY)
    client.force_login(eric)

    page = visible_text(client.get(reverse("admin:faults_fault_action", args=[fault.pk, "status"])))

    assert "Message the customer will see" in page
    assert "Shown word for word on the customer's fault page" in page
    assert "Note for the customer" not in page


def test_a_reported_fault_offers_only_its_allowed_moves_and_no_visit_times_yet(client, alice, eric):
    fault = report(alice, at=MONDAY)
    client.force_login(eric)

    change = client.get(reverse("admin:faults_fault_change", args=[fault.pk])).content.decode()
    form = client.get(reverse("admin:faults_fault_action", args=[fault.pk, "status"])).content.decode()

    assert "Offer visit times" not in change  # only once it is being investigated
    options = form[form.index('name="to"') : form.index("</select>")]
    assert '"investigating"' in options and '"not_our_fault"' in options
    assert '"resolved"' not in options and '"closed"' not in options and '"visit_booked"' not in options

    investigating(fault, eric, at=LATER)
    assert "Offer visit times" in client.get(reverse("admin:faults_fault_change", args=[fault.pk])).content.decode()
