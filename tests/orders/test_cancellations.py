"""Cancellations: a written request quoting the account username, and the withdrawal date told at once.

Code (Account Cancellations): requests are written ("an email or ... a letter"), "quoting your account
username"; "we aim to advise you of the time period from us receiving your cancellation request to the
time at which the service is withdrawn. During this period, you remain liable for the costs".
"""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from orders import services
from orders.models import (
    Cancellation,
    CancellationChannel,
    CancellationStatus,
    Service,
    ServiceStatus,
    WithdrawalReason,
)
from orders.tasks import cease_due_services
from portal.clock import today
from portal.formats import day_text
from portal.models import Channel
from portal.office_hours import add_working_days
from portal.workflow import InvalidTransition, Refused
from tests.helpers import ldn, shows
from tests.orders.helpers import hold


def cancel(
    service, *, received_at, channel=CancellationChannel.EMAIL, quoted=None, requested_date=None, by=None, now=None
):
    return services.cancellation_request(
        service=service,
        channel=channel,
        received_at=received_at,
        requested_date=requested_date,
        quoted_username=quoted or service.customer.username,
        recorded_by=by,
        now=now or received_at,
    )


# --- The withdrawal date -------------------------------------------------------------------------------


def test_inside_the_minimum_term_the_service_is_withdrawn_when_the_term_ends(june_fttc, sam):
    cancellation = cancel(june_fttc, received_at=ldn(2026, 11, 24, 11), by=sam)

    assert cancellation.withdrawal_date == date(2027, 6, 15)  # 12 months from 15 June 2026
    assert cancellation.withdrawal_reason == WithdrawalReason.MINIMUM_TERM


def test_after_the_minimum_term_the_service_is_withdrawn_on_the_next_working_day(alice, fttc, sam):
    service = hold(alice, fttc, start=date(2025, 1, 10), by=sam)  # term ended 10 January 2026

    cancellation = cancel(service, received_at=ldn(2026, 11, 24, 11), by=sam)  # Tuesday

    assert cancellation.withdrawal_date == date(2026, 11, 25)
    assert cancellation.withdrawal_reason == WithdrawalReason.NOTICE


@pytest.mark.parametrize(
    "received, withdrawn",
    [
        (ldn(2026, 11, 27, 16), date(2026, 11, 30)),  # Friday: the next working day is Monday
        (ldn(2026, 11, 28, 10), date(2026, 11, 30)),  # Saturday: Monday too
        (ldn(2026, 12, 24, 15), date(2026, 12, 29)),  # Christmas Eve: 25 and 28 December are bank holidays
    ],
    ids=["friday", "saturday", "christmas-eve"],
)
def test_the_notice_counts_working_days(alice, products, sam, received, withdrawn):
    service = hold(alice, products["pstn"], start=date(2025, 1, 10), by=sam)  # a 1-month term, long over

    assert cancel(service, received_at=received, by=sam).withdrawal_date == withdrawn


def test_a_letter_recorded_days_after_it_arrived_still_gets_its_notice_from_the_day_it_is_recorded(
    alice, products, sam
):
    service = hold(alice, products["pstn"], start=date(2025, 1, 10), by=sam)

    # Posted and received on Monday, keyed in on Wednesday: the customer is told on Wednesday.
    cancellation = cancel(service, received_at=ldn(2026, 11, 23, 10), now=ldn(2026, 11, 25, 14), by=sam)

    assert cancellation.withdrawal_date == date(2026, 11, 26)
    assert cancellation.withdrawal_reason == WithdrawalReason.NOTICE


def test_a_longer_notice_set_by_policy_is_used(alice, products, sam, settings):
    settings.PORTAL_POLICY = {**settings.PORTAL_POLICY, "CANCELLATION_NOTICE_WORKING_DAYS": 3}
    service = hold(alice, products["shared-hosting"], start=date(2025, 1, 10), by=sam)  # no minimum term

    cancellation = cancel(service, received_at=ldn(2026, 11, 27, 16), by=sam)  # Friday

    assert cancellation.withdrawal_date == date(2026, 12, 2)  # Monday, Tuesday, Wednesday


def test_adsl_needs_its_industry_process_lead_time_in_working_days_across_christmas(alice, products, sam):
    adsl = products["adsl"]
    assert (adsl.cancellation_needs_industry_process, adsl.cancellation_lead_working_days) == (True, 10)
    service = hold(alice, adsl, start=date(2026, 1, 5), by=sam)  # 1-month term, long over

    cancellation = cancel(service, received_at=ldn(2026, 12, 24, 15), by=sam)

    # 10 working days after Thursday 24 December 2026: 29, 30, 31 Dec, 4, 5, 6, 7, 8, 11, 12 Jan.
    # Friday 25 Dec, Monday 28 Dec (Boxing Day's substitute) and Friday 1 Jan are bank holidays.
    assert cancellation.withdrawal_date == date(2027, 1, 12)
    assert cancellation.withdrawal_reason == WithdrawalReason.INDUSTRY_PROCESS


def test_an_adsl_request_received_at_the_weekend_counts_working_days_after_that_day(alice, products, sam):
    service = hold(alice, products["adsl"], start=date(2026, 1, 5), by=sam)

    cancellation = cancel(service, received_at=ldn(2026, 11, 28, 10), by=sam)  # Saturday

    # Ten working days after Saturday 28 November: Monday 30 November is the first, Friday 11 December the tenth.
    assert cancellation.withdrawal_date == date(2026, 12, 11)


def test_an_adsl_request_sent_in_the_evening_costs_the_customer_no_extra_day(alice, products, sam):
    service = hold(alice, products["adsl"], start=date(2026, 1, 5), by=sam)

    evening = cancel(service, received_at=ldn(2026, 11, 23, 18), by=sam)  # Monday, after closing

    # Ten working days after Monday 23 November, as for a request at noon that day.
    assert evening.withdrawal_date == date(2026, 12, 7)


def test_a_later_date_the_customer_asks_for_is_the_withdrawal_date(june_fttc, sam):
    cancellation = cancel(june_fttc, received_at=ldn(2026, 11, 24, 11), requested_date=date(2027, 8, 2), by=sam)

    assert cancellation.withdrawal_date == date(2027, 8, 2)
    assert cancellation.withdrawal_reason == WithdrawalReason.REQUESTED


def test_an_earlier_date_than_allowed_is_not_granted(june_fttc, sam):
    cancellation = cancel(june_fttc, received_at=ldn(2026, 11, 24, 11), requested_date=date(2026, 12, 1), by=sam)

    assert cancellation.withdrawal_date == date(2027, 6, 15)
    assert cancellation.withdrawal_reason == WithdrawalReason.MINIMUM_TERM


# --- The customer's written request in the portal -----------------------------------------------------


def test_the_customer_cancels_in_the_portal_and_sees_the_withdrawal_date_and_liability_at_once(
    client, alice, alices_fttc, on_commit
):
    client.force_login(alice)
    url = reverse("orders:service_cancel", args=[alices_fttc.pk])
    term_end = day_text(alices_fttc.minimum_term_end)  # nine months from now
    form = client.get(url)
    assert shows(form, f"the earliest date we can withdraw the service is {term_end}")

    with on_commit():
        response = client.post(url, {"quoted_username": "alice", "requested_date": ""}, follow=True)

    expected = f"Your FTTC fibre broadband service will be withdrawn on {term_end}. You remain liable for its charges until then."
    assert shows(response, expected)
    assert shows(response, "That date is set by the end of your minimum contract period.")
    cancellation = Cancellation.objects.get(service=alices_fttc)
    assert cancellation.channel == CancellationChannel.PORTAL and cancellation.recorded_by == alice
    alices_fttc.refresh_from_db()
    assert alices_fttc.status == ServiceStatus.CANCELLING
    [email] = [m for m in mail.outbox if "withdrawal date" in m.subject]
    assert f"Your service will be withdrawn on {term_end}." in email.body
    assert "You remain liable for the charges of this service until it is withdrawn on that date." in email.body
    assert shows(client.get(reverse("orders:service_list")), f"Withdrawn on {alices_fttc.minimum_term_end:%-d %b %Y}")


def test_the_portal_form_refuses_an_account_username_that_is_not_the_customers(client, alice, alices_fttc):
    client.force_login(alice)

    response = client.post(reverse("orders:service_cancel", args=[alices_fttc.pk]), {"quoted_username": "bob"})

    assert response.status_code == 200
    assert shows(response, "That is not your account username.")
    assert not Cancellation.objects.exists()
    alices_fttc.refresh_from_db()
    assert alices_fttc.status == ServiceStatus.ACTIVE


def test_a_withdrawal_date_in_the_past_cannot_be_asked_for(client, alice, alices_fttc):
    client.force_login(alice)

    response = client.post(
        reverse("orders:service_cancel", args=[alices_fttc.pk]),
        {"quoted_username": "alice", "requested_date": "2020-01-01"},
    )

    assert shows(response, f"The earliest date is {day_text(alices_fttc.minimum_term_end)}: choose it or a later date")
    assert not Cancellation.objects.exists()


# --- The same day: an out-of-term service is never withdrawn the day the customer asks -------------


def test_an_out_of_term_line_cancelled_today_is_withdrawn_on_the_next_working_day_and_can_be_kept_until_then(
    client, alice, products, sam, on_commit
):
    pstn = hold(alice, products["pstn"], start=date(2025, 1, 10), by=sam)  # past its first month
    next_working_day = day_text(add_working_days(today(), 1))
    client.force_login(alice)
    url = reverse("orders:service_cancel", args=[pstn.pk])
    form = client.get(url)
    assert shows(form, f"the earliest date we can withdraw the service is {next_working_day}")
    assert shows(form, "set by our notice period after we have your request")
    assert shows(form, "You can withdraw your request at any time before that date.")
    mail.outbox.clear()

    with on_commit():
        page = client.post(url, {"quoted_username": "alice", "requested_date": today().isoformat()}, follow=True)
    assert shows(page, "The earliest date is")  # today itself cannot be asked for
    with on_commit():
        page = client.post(url, {"quoted_username": "alice", "requested_date": ""}, follow=True)

    assert shows(
        page, f"service will be withdrawn on {next_working_day}. You remain liable for its charges until then."
    )
    [email] = mail.outbox
    assert f"Your service will be withdrawn on {next_working_day}." in email.body
    assert "no sooner than the next working day after we have the request" in " ".join(email.body.split())
    assert f"at any time before {next_working_day}." in " ".join(email.body.split())
    # The hourly job, run again the same day, leaves the line alone...
    assert cease_due_services() == {"selected": 0}
    pstn.refresh_from_db()
    assert pstn.status == ServiceStatus.CANCELLING
    # ... and the customer can still change her mind, as the email says.
    cancellation = Cancellation.objects.get(service=pstn)
    page = client.post(reverse("orders:cancellation_withdraw", args=[cancellation.pk]), follow=True)
    assert shows(page, "Your cancellation is withdrawn")
    pstn.refresh_from_db()
    assert pstn.status == ServiceStatus.ACTIVE


def test_a_service_already_cancelling_cannot_be_cancelled_again(alices_fttc, sam):
    cancel(alices_fttc, received_at=timezone.now(), by=sam)

    with pytest.raises(Refused, match="is cancelling: it cannot be cancelled now"):
        cancel(alices_fttc, received_at=timezone.now(), by=sam)

    assert Cancellation.objects.count() == 1


# --- Staff record emails and letters --------------------------------------------------------------

ADD_URL = reverse("admin:orders_cancellation_add")


def admin_form(service, **overrides):
    data = {
        "service": service.pk,
        "channel": "letter",
        "received_at_0": "24/11/2026",
        "received_at_1": "11:00",
        "quoted_username": service.customer.username,
        "requested_date": "",
    }
    return {**data, **overrides}


def test_staff_entering_a_letter_with_the_wrong_account_username_are_refused_and_nothing_changes(
    client, sam, alices_fttc
):
    client.force_login(sam)
    mail.outbox.clear()

    response = client.post(ADD_URL, admin_form(alices_fttc, quoted_username="alicee"))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "is not the account username of Alice Archer's account" in errors["quoted_username"][0]
    assert not Cancellation.objects.exists()
    alices_fttc.refresh_from_db()
    assert alices_fttc.status == ServiceStatus.ACTIVE
    assert alices_fttc.events.count() == 1
    assert mail.outbox == []


def test_staff_record_a_letter_and_the_customer_who_takes_letters_gets_the_date_by_letter(
    client, sam, carol, products, on_commit
):
    service = hold(carol, products["isdn2"], start=date(2026, 6, 1), by=sam)
    client.force_login(sam)

    with on_commit():
        response = client.post(ADD_URL, admin_form(service, quoted_username="CarolsBakery "), follow=True)

    cancellation = Cancellation.objects.get(service=service)
    assert shows(response, "the service will be withdrawn on Tuesday 1 June 2027")
    assert (cancellation.channel, cancellation.recorded_by, cancellation.withdrawal_date) == (
        CancellationChannel.LETTER,
        sam,
        date(2027, 6, 1),
    )
    letter = cancellation_message(cancellation)
    assert letter.channel == Channel.LETTER
    assert "Tuesday 1 June 2027" in letter.body_html and "remain liable" in letter.body_html


def test_staff_cannot_record_a_request_received_in_the_future(client, sam, alices_fttc):
    client.force_login(sam)

    response = client.post(ADD_URL, admin_form(alices_fttc, received_at_0="01/01/2099"))

    assert "cannot be in the future" in str(response.context["adminform"].form.errors)
    assert not Cancellation.objects.exists()


def cancellation_message(cancellation):
    from portal.outbox import messages_concerning

    return messages_concerning(cancellation).get()


# --- Changing one's mind, and the withdrawal itself -----------------------------------------------


def test_the_customer_withdraws_the_request_before_the_date_and_keeps_the_service(
    client, alice, alices_fttc, on_commit
):
    cancellation = cancel(alices_fttc, received_at=timezone.now(), channel=CancellationChannel.PORTAL, by=alice)
    client.force_login(alice)
    mail.outbox.clear()

    with on_commit():
        response = client.post(reverse("orders:cancellation_withdraw", args=[cancellation.pk]), follow=True)

    assert shows(response, "Your cancellation is withdrawn: your FTTC fibre broadband service continues as before.")
    cancellation.refresh_from_db()
    alices_fttc.refresh_from_db()
    assert cancellation.status == CancellationStatus.WITHDRAWN and cancellation.withdrawn_at
    assert alices_fttc.status == ServiceStatus.ACTIVE
    assert alices_fttc.events.order_by("-at", "-id").first().text == "Cancellation withdrawn: the service continues."
    [email] = mail.outbox
    assert email.subject == "Your FTTC fibre broadband service continues"


def test_a_request_cannot_be_withdrawn_on_or_after_its_date(june_fttc, alice):
    cancellation = cancel(june_fttc, received_at=ldn(2026, 11, 24, 11), by=alice)

    with pytest.raises(Refused, match="too late to withdraw"):
        services.cancellation_withdraw(cancellation=cancellation, by=alice, now=ldn(2027, 6, 15, 8))

    june_fttc.refresh_from_db()
    assert june_fttc.status == ServiceStatus.CANCELLING


def test_a_suspended_service_whose_cancellation_is_withdrawn_goes_back_to_suspended(alices_fttc, alice, ann):
    services.service_suspend(service=alices_fttc, by=ann, reason="Invoice unpaid.")
    cancellation = cancel(alices_fttc, received_at=timezone.now(), by=alice)

    services.cancellation_withdraw(cancellation=cancellation, by=alice)

    alices_fttc.refresh_from_db()
    assert alices_fttc.status == ServiceStatus.SUSPENDED


def test_the_periodic_job_ceases_services_whose_withdrawal_date_has_come_once(alice, fttc, products, sam, on_commit):
    # Ten days ago: the next working day after it has come, whatever today is (the longest gap between two
    # working days, at Christmas, is five days).
    ten_days_ago = timezone.now() - timedelta(days=10)
    old = hold(alice, fttc, start=date(2024, 1, 10), by=sam)  # its term ended long ago
    due = cancel(old, received_at=ten_days_ago, by=sam)  # withdrawn the next working day
    later = cancel(
        hold(alice, products["shared-hosting"], start=date(2024, 1, 10), by=sam),
        received_at=ten_days_ago,
        requested_date=today() + timedelta(days=30),
        by=sam,
    )
    mail.outbox.clear()

    with on_commit():
        first = cease_due_services()
        assert Service.objects.get(pk=old.pk).status == ServiceStatus.CANCELLING  # queued after the commit
    second = cease_due_services()

    assert first == {"selected": 1}
    assert second == {"selected": 0}
    old.refresh_from_db()
    assert (old.status, old.ceased_on) == (ServiceStatus.CEASED, due.withdrawal_date)
    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.status, later.status) == (CancellationStatus.COMPLETED, CancellationStatus.ACTIVE)
    [email] = mail.outbox
    assert email.subject == "Your FTTC fibre broadband service has been withdrawn"
    assert f"was withdrawn on {day_text(due.withdrawal_date)}" in email.body
    assert old.events.order_by("-at", "-id").first().kind == "ceased"


def test_ceasing_waits_for_the_withdrawal_date_in_london(june_fttc, sam):
    cancellation = cancel(june_fttc, received_at=ldn(2026, 11, 24, 11), by=sam)

    # 22:30 UTC on 14 June 2027 is 23:30 in London (BST): not yet. 23:30 UTC is 00:30 on the 15th: due.
    assert not services.service_cease(cancellation_id=cancellation.pk, now=utc(2027, 6, 14, 22, 30))
    assert services.service_cease(cancellation_id=cancellation.pk, now=utc(2027, 6, 14, 23, 30))
    assert not services.service_cease(cancellation_id=cancellation.pk, now=utc(2027, 6, 15, 9, 0))
    june_fttc.refresh_from_db()
    assert (june_fttc.status, june_fttc.ceased_on) == (ServiceStatus.CEASED, date(2027, 6, 15))


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def test_a_cancelling_service_cannot_be_suspended_or_resumed_so_it_is_still_withdrawn_on_its_date(alices_fttc, sam):
    from orders.services.cancellations import service_cease
    from orders.services.held import service_resume, service_suspend

    cancellation = cancel(alices_fttc, received_at=ldn(2026, 11, 24, 11), by=sam)

    for move in (service_suspend, service_resume):
        with pytest.raises(InvalidTransition, match="A service that is cancelling cannot become"):
            move(service=alices_fttc, by=sam, reason="unpaid invoice")
    alices_fttc.refresh_from_db()
    assert alices_fttc.status == ServiceStatus.CANCELLING

    day_after = timezone.make_aware(datetime.combine(cancellation.withdrawal_date, time(12)))
    assert service_cease(cancellation_id=cancellation.pk, now=day_after)
    alices_fttc.refresh_from_db()
    assert alices_fttc.status == ServiceStatus.CEASED
