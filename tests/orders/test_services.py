"""The services a customer holds, and the control panel.

Code (General philosophy): customers "configure their packages at any time or day or night ... without
the need to 'submit requests' for an operations engineer". Every change is an event on the timeline.
"""

from datetime import date

import pytest
from django.urls import reverse

from orders import services
from orders.models import ServiceStatus
from portal.dates import add_months
from portal.workflow import Refused
from tests.helpers import shows
from tests.orders.helpers import hold


def test_a_customer_sees_their_services_with_their_minimum_term_end_dates(client, alice, products, sam):
    hold(alice, products["fttc"], start=date(2026, 6, 15), by=sam)
    hold(alice, products["shared-hosting"], start=date(2026, 9, 1), by=sam)
    client.force_login(alice)

    response = client.get(reverse("orders:service_list"))

    assert shows(response, "FTTC fibre broadband SVC-")
    assert shows(response, "15 Jun 2026 15 Jun 2027 £25.00 a month + VAT (£30.00 inc. VAT) Active")
    assert shows(response, "Shared web hosting")
    assert shows(response, "No minimum period")


def test_the_service_page_shows_its_terms_and_timeline(client, alice, alices_fttc):
    client.force_login(alice)

    response = client.get(reverse("orders:service_detail", args=[alices_fttc.pk]))

    assert shows(response, f"Minimum contract period ends {date_words(alices_fttc.minimum_term_end)}")
    assert shows(response, "Service started on")
    assert shows(response, "Cancel this service")


def date_words(day):
    return f"{day:%A} {day.day} {day:%B %Y}"


def test_the_customer_renames_the_service_and_changes_the_fault_contact_and_each_change_is_an_event(
    client, alice, alices_fttc
):
    client.force_login(alice)
    url = reverse("orders:service_detail", args=[alices_fttc.pk])

    response = client.post(
        url,
        {"nickname": "Home office", "fault_contact_name": "Adam Archer", "fault_contact_phone": "07700 900456"},
        follow=True,
    )

    assert shows(response, "Your changes are saved.")
    assert shows(response, "Home office")
    alices_fttc.refresh_from_db()
    assert (alices_fttc.nickname, alices_fttc.fault_contact_name, alices_fttc.fault_contact_phone) == (
        "Home office",
        "Adam Archer",
        "07700 900456",
    )
    texts = list(alices_fttc.events.filter(kind="settings").values_list("text", "by"))
    assert texts == [
        ("Nickname changed to “Home office”.", alice.pk),
        ("Contact for fault visits changed to “Adam Archer”.", alice.pk),
        ("Phone for fault visits changed to “07700 900456”.", alice.pk),
    ]
    assert shows(response, "Nickname changed to “Home office”. (you)")


def test_saving_the_control_panel_without_changes_adds_no_event(client, alice, alices_fttc):
    client.force_login(alice)
    events = alices_fttc.events.count()

    response = client.post(
        reverse("orders:service_detail", args=[alices_fttc.pk]),
        {
            "nickname": "",
            "fault_contact_name": alices_fttc.fault_contact_name,
            "fault_contact_phone": alices_fttc.fault_contact_phone,
        },
        follow=True,
    )

    assert shows(response, "Nothing changed.")
    assert alices_fttc.events.count() == events


def test_a_hosting_service_has_an_alert_email_in_its_control_panel_and_broadband_does_not(
    client, alice, products, alices_fttc, sam
):
    hosting = hold(alice, products["shared-hosting"], start=date(2026, 9, 1), by=sam)
    assert hosting.alert_email == "alice@example.co.uk"  # from her account until she changes it
    client.force_login(alice)

    fttc_page = client.get(reverse("orders:service_detail", args=[alices_fttc.pk])).content.decode()
    client.post(
        reverse("orders:service_detail", args=[hosting.pk]),
        {
            "nickname": "Village hall site",
            "fault_contact_name": "",
            "fault_contact_phone": "",
            "alert_email": "webmaster@hall.example.org",
        },
    )

    assert 'name="alert_email"' not in fttc_page
    hosting.refresh_from_db()
    assert hosting.alert_email == "webmaster@hall.example.org"
    assert hosting.events.filter(text="Email for alerts changed to “webmaster@hall.example.org”.").exists()


def test_an_invalid_control_panel_change_shows_why_and_changes_nothing(client, alice, products, sam):
    hosting = hold(alice, products["shared-hosting"], start=date(2026, 9, 1), by=sam)
    client.force_login(alice)

    response = client.post(
        reverse("orders:service_detail", args=[hosting.pk]),
        {"nickname": "New name", "fault_contact_name": "", "fault_contact_phone": "", "alert_email": "not an email"},
    )

    assert shows(response, "Enter a valid email address.")
    hosting.refresh_from_db()
    assert hosting.nickname == "" and hosting.alert_email == "alice@example.co.uk"


def test_broadband_cannot_be_given_an_alert_email_even_by_a_crafted_request(alices_fttc, alice):
    with pytest.raises(Refused, match="Alert emails are for hosting services"):
        services.service_update_settings(service=alices_fttc, by=alice, changes={"alert_email": "x@example.org"})


def test_a_withdrawn_service_has_no_control_panel(client, alice, alices_fttc, sam):
    from orders.models import Service

    Service.objects.filter(pk=alices_fttc.pk).update(status=ServiceStatus.CEASED, ceased_on=date(2026, 11, 1))
    client.force_login(alice)

    response = client.get(reverse("orders:service_detail", args=[alices_fttc.pk]))

    assert not shows(response, "Control panel")
    assert not shows(response, "Cancel this service")
    with pytest.raises(Refused, match="withdrawn"):
        services.service_update_settings(service=alices_fttc, by=alice, changes={"nickname": "x"})


@pytest.mark.parametrize(
    "start, months, end",
    [
        (date(2026, 1, 15), 12, date(2027, 1, 15)),
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # a leap year
        (date(2026, 8, 31), 1, date(2026, 9, 30)),
        (date(2026, 11, 24), -3, date(2026, 8, 24)),
        (date(2026, 5, 1), 0, date(2026, 5, 1)),
    ],
)
def test_a_minimum_term_ends_the_same_day_months_later_or_at_the_end_of_a_shorter_month(start, months, end):
    assert add_months(start, months) == end
