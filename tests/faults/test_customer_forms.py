"""Every customer POST of the fault pages is read through a form: bad input (a NUL byte, a missing or
made-up field) gets a clear message and changes nothing, and a page that takes no form refuses a POST
rather than dropping it without a word."""

import re
from datetime import date

import pytest
from django.urls import reverse

from faults.models import EventKind, Fault, FaultCheck, SlotStatus, VisitSlot
from portal.models import OutboxMessage
from tests.faults.helpers import investigating, make_service, offer, report
from tests.helpers import ldn, visible_text

pytestmark = pytest.mark.django_db

IN_HOURS = ldn(2026, 11, 30, 9, 30)  # a Monday morning
NUL = "It drops\x00 every evening since Tuesday."
# What the customer is told (portal/text_input.py): the field cannot take it, nothing was saved.
NUL_SAID = "contains a character that cannot be part of any text (a NUL byte)"


@pytest.fixture
def as_alice(client, alice, clock_at):
    clock_at(IN_HOURS)
    client.force_login(alice)
    return client


def report_url(service):
    return reverse("faults:fault_report", args=[service.pk])


def test_a_described_fault_with_a_nul_byte_is_refused_with_a_message_and_nothing_is_saved(as_alice, alice):
    service = make_service(alice, "fttc")
    for step in range(4):
        as_alice.post(report_url(service), {"step": step, "answer": "yes"})

    response = as_alice.post(report_url(service), {"step": 4, "description": NUL})

    assert response.status_code == 400
    assert NUL_SAID in visible_text(response)
    assert not Fault.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_a_check_answered_in_words_with_a_nul_byte_is_asked_again(as_alice, alice):
    service = make_service(alice, "shared-hosting")

    response = as_alice.post(report_url(service), {"step": 0, "answer": "www.example\x00.org"})

    assert response.status_code == 400
    assert NUL_SAID in visible_text(response)
    assert "Check 1 of 3" in visible_text(as_alice.get(report_url(service)))


@pytest.mark.parametrize(
    "sent", [{"step": 0, "answer": "yes\x00"}, {"step": 0, "answer": "\x00"}], ids=["after yes", "alone"]
)
def test_a_yes_or_no_with_a_nul_byte_is_asked_again(as_alice, alice, sent):
    service = make_service(alice, "pstn")

    response = as_alice.post(report_url(service), sent)

    assert response.status_code == 400
    assert NUL_SAID in visible_text(response)
    assert "Check 1 of 4" in visible_text(as_alice.get(report_url(service)))


@pytest.mark.parametrize("step", ["one", "", "-1", "99"])
def test_a_step_that_is_not_a_step_sends_her_back_to_the_step_she_is_on(as_alice, alice, step):
    service = make_service(alice, "pstn")

    response = as_alice.post(report_url(service), {"step": step, "answer": "yes"}, follow=True)

    assert response.redirect_chain == [(report_url(service), 302)]
    assert "Check 1 of 4" in visible_text(response)
    assert not FaultCheck.objects.exists()


def test_information_with_a_nul_byte_is_refused_with_a_message_and_changes_nothing(as_alice, alice):
    fault = report(alice, at=ldn(2026, 11, 30, 9, 0))

    response = as_alice.post(reverse("faults:fault_message", args=[fault.pk]), {"text": NUL})

    assert response.status_code == 400
    assert NUL_SAID in visible_text(response)
    assert not fault.events.filter(kind=EventKind.CUSTOMER_MESSAGE).exists()
    assert Fault.objects.get(pk=fault.pk).customer_waiting_since is None


def form_actions(html):
    """{the name of a field in the form: the form's action} for each form on the page."""
    found = {}
    for attrs, body in re.findall(r"<form\b([^>]*)>(.*?)</form>", html, flags=re.S):
        action = re.search(r'action="([^"]*)"', attrs)
        for name in re.findall(r'<(?:textarea|input|select)\b[^>]*name="([^"]+)"', body):
            found.setdefault(name, set()).add(action.group(1) if action else "")
    return found


def test_each_form_on_the_fault_page_posts_to_the_view_that_takes_it(as_alice, alice, eric):
    fault = report(alice, at=ldn(2026, 11, 30, 9, 0))
    investigating(fault, eric, at=IN_HOURS)
    [slot] = offer(fault, eric, at=IN_HOURS, slots=[(date(2026, 12, 1), "morning")])

    actions = form_actions(as_alice.get(reverse("faults:fault_detail", args=[fault.pk])).content.decode())

    assert actions["text"] == {reverse("faults:fault_message", args=[fault.pk])}
    assert actions["amount_shown"] == {reverse("faults:slot_accept", args=[fault.pk, slot.pk])}
    assert actions["note"] == {reverse("faults:slots_decline", args=[fault.pk])}


def test_a_post_to_the_fault_page_itself_is_refused_not_lost_without_a_word(as_alice, alice, eric):
    fault = report(alice, at=ldn(2026, 11, 30, 9, 0))
    investigating(fault, eric, at=IN_HOURS)
    offer(fault, eric, at=IN_HOURS, slots=[(date(2026, 12, 1), "morning")])

    posted = [
        as_alice.post(reverse("faults:fault_detail", args=[fault.pk]), data)
        for data in ({"text": "More information."}, {"note": "Afternoons."})
    ]

    assert [r.status_code for r in posted] == [405, 405]
    assert not fault.events.filter(kind__in=[EventKind.CUSTOMER_MESSAGE, EventKind.SLOTS_DECLINED]).exists()
    assert {s.status for s in VisitSlot.objects.all()} == {SlotStatus.OFFERED}


def test_the_list_of_faults_takes_no_post(as_alice):
    assert as_alice.post(reverse("faults:fault_list"), {"text": "Hello"}).status_code == 405
