"""Code (Fault Repair): "Faults can be reported around the clock ... However ... engineers only attend to
faults in normal working hours (Monday - Friday 9am to 5:30pm, excluding bank holidays)."

A report is acknowledged at once with its reference; out of hours, the page and the email say when
engineers are next at work. The repair target is the end of the second full working day after it.
"""

import pytest
from django.core import mail
from django.urls import reverse

from faults import services
from faults.models import EventKind, Fault
from portal.models import Channel as MessageChannel
from portal.models import OutboxMessage
from portal.office_hours import london
from tests.faults.helpers import make_service, report
from tests.helpers import emails_to, ldn, visible_text

pytestmark = pytest.mark.django_db


def report_through_the_portal(client, customer, clock_at, at, code="fttc"):
    """The customer goes through the checks and reports at `at` (London), as in the browser."""
    clock_at(at)
    service = make_service(customer, code)
    client.force_login(customer)
    url = reverse("faults:fault_report", args=[service.pk])
    for step in range(4):
        client.post(url, {"step": step, "answer": "yes"})
    return client.post(
        url, {"step": 4, "description": "No broadband since this evening; the light is red."}, follow=True
    )


def test_the_customer_gets_an_acknowledgement_email_at_once_with_the_reference(client, alice, clock_at, on_commit):
    with on_commit():
        response = report_through_the_portal(client, alice, clock_at, ldn(2026, 11, 23, 10, 0))

    fault = Fault.objects.get()
    [ack] = emails_to("alice@example.co.uk")
    assert ack.subject == f"We have your fault report ({fault.reference})"
    assert f"its reference is {fault.reference}" in ack.body
    assert "Is your router switched on, and have you restarted it? Yes" in ack.body
    assert fault.ack_message.kind == "fault_ack"
    assert f"Your fault {fault.reference} is reported, and we have emailed you an acknowledgement" in visible_text(
        response
    )
    event = fault.events.get(kind=EventKind.REPORTED)
    assert (event.message, event.by, event.at) == (fault.ack_message, alice, ldn(2026, 11, 23, 10, 0))


OUT_OF_HOURS = [
    (ldn(2026, 11, 27, 19, 0), "Monday 30 November at 09:00", "a Friday evening"),
    # Mon 31 August 2026 is the summer bank holiday: the next opening is Tuesday.
    (ldn(2026, 8, 29, 22, 0), "Tuesday 1 September at 09:00", "a bank holiday weekend"),
    (ldn(2026, 11, 24, 7, 30), "Tuesday 24 November at 09:00", "early on a weekday"),
    (ldn(2026, 12, 24, 17, 30), "Tuesday 29 December at 09:00", "Christmas Eve at closing time"),
]


@pytest.mark.parametrize("at, opening, why", OUT_OF_HOURS, ids=[why for *_, why in OUT_OF_HOURS])
def test_out_of_hours_the_page_and_the_email_say_when_engineers_are_next_at_work(
    client, alice, clock_at, on_commit, at, opening, why
):
    with on_commit():
        response = report_through_the_portal(client, alice, clock_at, at)

    sentence = f"Our engineers are next at work on {opening}."
    page = visible_text(response)
    assert page.count(sentence) == 1  # in the confirmation, said once
    # The fault page says it until then.
    again = visible_text(client.get(reverse("faults:fault_detail", args=[Fault.objects.get().pk])))
    assert f"You reported this fault outside office hours. We have it. {sentence}" in again
    [ack] = emails_to("alice@example.co.uk")
    assert f"You reported it outside office hours. {sentence}" in ack.body
    assert sentence in ack.alternatives[0][0]


def test_in_office_hours_there_is_no_next_at_work_sentence(client, alice, clock_at, on_commit):
    with on_commit():
        response = report_through_the_portal(client, alice, clock_at, ldn(2026, 11, 23, 10, 0))

    assert "next at work" not in visible_text(response)
    assert "next at work" not in emails_to("alice@example.co.uk")[0].body


def test_the_fault_page_stops_saying_when_engineers_are_next_at_work_once_they_are(client, alice, clock_at):
    report_through_the_portal(client, alice, clock_at, ldn(2026, 11, 27, 19, 0))
    fault = Fault.objects.get()

    clock_at(ldn(2026, 11, 30, 9, 15))
    page = visible_text(client.get(reverse("faults:fault_detail", args=[fault.pk])))

    assert "next at work" not in page


REPAIR_TARGETS = [
    (ldn(2026, 11, 23, 10, 0), ldn(2026, 11, 25, 17, 30), "Monday morning: end of Wednesday"),
    (ldn(2026, 11, 28, 23, 0), ldn(2026, 12, 1, 17, 30), "Saturday night: end of Tuesday"),
    (ldn(2026, 11, 27, 19, 0), ldn(2026, 12, 1, 17, 30), "Friday evening: end of Tuesday"),
    # 25 Dec, the weekend and Mon 28 Dec (Boxing Day's substitute) are not working days.
    (ldn(2026, 12, 24, 10, 0), ldn(2026, 12, 30, 17, 30), "across Christmas"),
    # BST: 17:30 London is 16:30 UTC.
    (ldn(2026, 6, 1, 12, 0), ldn(2026, 6, 3, 17, 30), "in summer time"),
]


@pytest.mark.parametrize("at, due, why", REPAIR_TARGETS, ids=[why for *_, why in REPAIR_TARGETS])
def test_the_repair_target_is_the_end_of_the_second_full_working_day_after_the_report(client, alice, at, due, why):
    fault = report(alice, at=at)

    assert fault.repair_due_at == due
    assert services.repair_due(at) == due
    message = OutboxMessage.objects.get(pk=fault.ack_message_id)
    assert f"We aim to repair it by {due:%A} {due.day} {due:%B %Y} at 17:30" in message.body_text
    client.force_login(alice)
    page = visible_text(client.get(reverse("faults:fault_detail", args=[fault.pk])))
    assert f"Repair target {due:%A} {due.day} {due:%B} at 17:30" in page


def test_a_customer_who_takes_letters_only_gets_the_acknowledgement_by_post(carol):
    fault = report(carol, at=ldn(2026, 11, 28, 23, 0))

    message = fault.ack_message
    assert message.channel == MessageChannel.LETTER
    assert fault.reference in message.body_html
    assert "Our engineers are next at work on Monday 30 November at 09:00." in message.body_html
    assert not mail.outbox


def test_a_report_made_before_opening_time_leaves_that_whole_day_for_the_repair():
    from faults.services.reports import repair_due

    early = repair_due(ldn(2026, 11, 23, 8, 0))  # Monday before 09:00: Monday is a full working day
    noon = repair_due(ldn(2026, 11, 23, 12, 0))

    assert london(early).strftime("%a %d %b %H:%M") == "Tue 24 Nov 17:30"
    assert london(noon).strftime("%a %d %b %H:%M") == "Wed 25 Nov 17:30"
