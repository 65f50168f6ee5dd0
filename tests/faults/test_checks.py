"""Code (Fault Repair): "We may request that you carry out some simple checks to help us establish the
cause of the fault." The portal walks the customer through them, one per step, before the description."""

import re

import pytest
from django.urls import reverse

from faults.models import Fault, FaultCheck
from tests.faults.helpers import DESCRIPTION, make_service
from tests.helpers import ldn, visible_text

pytestmark = pytest.mark.django_db

IN_HOURS = ldn(2026, 11, 23, 10, 0)  # a Monday morning


def report_url(service):
    return reverse("faults:fault_report", args=[service.pk])


def walk(client, service, answers, description=DESCRIPTION):
    """Answer each check in turn through the web wizard, then describe the fault."""
    for step, answer in enumerate(answers):
        response = client.post(report_url(service), {"step": step, "answer": answer})
        assert response.status_code == 302, visible_text(response)
    return client.post(report_url(service), {"step": len(answers), "description": description}, follow=True)


@pytest.fixture
def as_alice(client, alice, clock_at):
    clock_at(IN_HOURS)
    client.force_login(alice)
    return client


@pytest.mark.parametrize(
    "code, questions",
    [
        (
            "fttc",
            [
                "Is your router switched on, and have you restarted it?",
                "Is there a microfilter on every phone socket that has something plugged in?",
                "Does the problem remain with the router plugged into the master socket?",
                "Are other devices affected too?",
            ],
        ),
        (
            "pstn",
            [
                "When you lift the handset, is there a dial tone?",
                "Does the problem remain with another handset?",
                "Does the problem remain with the phone plugged into the master socket?",
                "Is there crackling, humming or other noise on the line?",
            ],
        ),
    ],
)
def test_a_customer_is_walked_through_the_checks_of_her_kind_of_service_one_at_a_time(as_alice, alice, code, questions):
    service = make_service(alice, code)

    for step, question in enumerate(questions):
        page = visible_text(as_alice.get(report_url(service)))
        assert f"Check {step + 1} of {len(questions)}" in page
        assert question in page
        assert "That fixed it — no need to report" in page
        as_alice.post(report_url(service), {"step": step, "answer": "yes" if step % 2 else "no"})

    page = visible_text(as_alice.get(report_url(service)))
    assert "Describe the fault" in page
    assert all(question in page for question in questions)  # "Your answers so far"


@pytest.mark.parametrize(
    "code, keys",
    [
        ("fttc", ["router_restarted", "microfilters", "master_socket", "other_devices"]),
        ("adsl", ["router_restarted", "microfilters", "master_socket", "other_devices"]),
        ("isdn2", ["dial_tone", "other_handset", "master_socket", "noise"]),
    ],
)
def test_every_answer_is_recorded_with_the_fault_in_the_order_asked(as_alice, alice, code, keys):
    service = make_service(alice, code)

    response = walk(as_alice, service, ["yes", "no", "no", "yes"])

    fault = Fault.objects.get()
    assert response.redirect_chain[-1][0] == reverse("faults:fault_detail", args=[fault.pk])
    assert [(c.position, c.key, c.answer) for c in fault.checks.all()] == [
        (1, keys[0], "Yes"),
        (2, keys[1], "No"),
        (3, keys[2], "No"),
        (4, keys[3], "Yes"),
    ]
    assert fault.description == DESCRIPTION
    page = visible_text(response)
    assert f"Your fault {fault.reference} is reported" in page
    assert "The checks you made" in page


def test_hosting_checks_are_questions_in_words_and_each_is_required(as_alice, alice):
    service = make_service(alice, "shared-hosting")

    refused = as_alice.post(report_url(service), {"step": 0, "answer": "   "})

    assert refused.status_code == 400
    page = visible_text(refused)
    assert "Which website, mailbox or server is affected?" in page
    assert "Please answer this question: our engineers need it." in page
    assert "That fixed it" not in page  # a question of fact cannot fix anything
    assert "Check 1 of 3" in visible_text(as_alice.get(report_url(service)))

    walk(as_alice, service, ["www.orchard-hall.org.uk", "Error 500 on every page", "Since Tuesday 9pm"])

    fault = Fault.objects.get()
    assert [(c.key, c.question, c.answer) for c in fault.checks.all()] == [
        ("which_site", "Which website, mailbox or server is affected?", "www.orchard-hall.org.uk"),
        ("error", "What error do you see?", "Error 500 on every page"),
        ("since_when", "Since when has it happened?", "Since Tuesday 9pm"),
    ]


def test_a_check_that_fixes_the_problem_ends_the_report_and_raises_no_fault(as_alice, alice):
    service = make_service(alice, "fttc")
    as_alice.post(report_url(service), {"step": 0, "answer": "no"})

    response = as_alice.post(report_url(service), {"step": 1, "fixed": "1"})

    page = visible_text(response)
    assert "Good news: no fault reported" in page
    assert "We have not raised a fault, and nothing has been recorded." in page
    assert not Fault.objects.exists()
    assert not FaultCheck.objects.exists()
    # The next report starts from the first check again.
    assert "Check 1 of 4" in visible_text(as_alice.get(report_url(service)))


def test_an_answer_other_than_yes_or_no_is_asked_again(as_alice, alice):
    service = make_service(alice, "pstn")

    response = as_alice.post(report_url(service), {"step": 0, "answer": "maybe"})

    assert response.status_code == 400
    assert "Choose yes or no." in visible_text(response)
    assert "Check 1 of 4" in visible_text(as_alice.get(report_url(service)))


def test_a_form_sent_twice_records_the_answer_once(as_alice, alice):
    service = make_service(alice, "fttc")
    as_alice.post(report_url(service), {"step": 0, "answer": "yes"})
    as_alice.post(report_url(service), {"step": 0, "answer": "yes"})  # the browser sent it again

    assert "Check 2 of 4" in visible_text(as_alice.get(report_url(service)))


def test_the_description_is_needed_and_nothing_is_lost_while_it_is_missing(as_alice, alice):
    service = make_service(alice, "fttc")
    for step in range(4):
        as_alice.post(report_url(service), {"step": step, "answer": "yes"})

    response = as_alice.post(report_url(service), {"step": 4, "description": "down"})

    assert response.status_code == 400
    assert "Tell us a little more about the fault" in visible_text(response)
    assert not Fault.objects.exists()
    as_alice.post(report_url(service), {"step": 4, "description": "Down since 6pm; the broadband light is red."})
    assert [c.answer for c in Fault.objects.get().checks.all()] == ["Yes", "Yes", "Yes", "Yes"]


def test_a_customer_can_start_the_checks_again(as_alice, alice):
    service = make_service(alice, "fttc")
    as_alice.post(report_url(service), {"step": 0, "answer": "yes"})

    as_alice.get(report_url(service) + "?restart=1")

    assert "Check 1 of 4" in visible_text(as_alice.get(report_url(service)))


def test_a_withdrawn_service_cannot_have_a_fault_reported(as_alice, alice):
    service = make_service(alice, "fttc", status="ceased")

    assert as_alice.get(report_url(service)).status_code == 404
    assert as_alice.post(report_url(service), {"step": 0, "answer": "yes"}).status_code == 404


def test_a_suspended_or_cancelling_service_can_still_have_a_fault_reported(as_alice, alice):
    for status in ("suspended", "cancelling"):
        service = make_service(alice, "pstn", status=status)
        walk(as_alice, service, ["yes", "yes", "yes", "no"])
    assert Fault.objects.count() == 2


def test_the_list_offers_a_report_link_for_each_service_she_holds(as_alice, alice):
    fttc, ceased = make_service(alice, "fttc"), make_service(alice, "pstn", status="ceased")

    html = as_alice.get(reverse("faults:fault_list")).content.decode()

    assert report_url(fttc) in html
    assert report_url(ceased) not in html


def test_the_description_sent_twice_reports_one_fault_and_sends_one_acknowledgement(client, alice, on_commit):
    """A double click on the last step: the second request, sent with the same session before the first
    answer came back, finds the fault the first one made."""
    from faults.checks import checks_for
    from portal.models import OutboxMessage

    service = make_service(alice, "fttc")
    client.force_login(alice)
    url = reverse("faults:fault_report", args=[service.pk])
    for step, _ in enumerate(checks_for(service)):
        client.post(url, {"step": step, "answer": "yes"})
    last = len(checks_for(service))
    key = f"faults.report.{service.pk}"
    trip = dict(client.session[key])

    with on_commit():
        first = client.post(url, {"step": last, "description": DESCRIPTION})
    session = client.session
    session[key] = trip  # the twin request still carries the session as it was
    session.save()
    with on_commit():
        second = client.post(url, {"step": last, "description": DESCRIPTION})

    assert Fault.objects.count() == 1
    assert OutboxMessage.objects.filter(kind="fault_ack").count() == 1
    assert first["Location"] == second["Location"]


def trip_on(response):
    """The answers so far, as the page's forms carry them (signed)."""
    return re.search(r'name="trip" value="([^"]*)"', response.content.decode()).group(1)


def test_the_answers_so_far_come_with_the_form_so_a_session_that_lost_them_loses_nothing(as_alice, alice):
    """A step sent again after "nothing was saved" (the database went away) still has the steps before it."""
    service = make_service(alice, "fttc")
    for step in range(2):
        as_alice.post(report_url(service), {"step": step, "answer": "yes"})
    trip = trip_on(as_alice.get(report_url(service)))
    session = as_alice.session
    del session[f"faults.report.{service.pk}"]  # whatever became of the session's copy
    session.save()

    response = as_alice.post(report_url(service), {"step": 2, "answer": "no", "trip": trip}, follow=True)

    assert "Check 4 of 4" in visible_text(response)
    as_alice.post(report_url(service), {"step": 3, "answer": "yes", "trip": trip_on(response)})
    as_alice.post(report_url(service), {"step": 4, "description": DESCRIPTION})
    assert [c.answer for c in Fault.objects.get().checks.all()] == ["Yes", "Yes", "No", "Yes"]


def test_answers_not_signed_for_this_customer_and_service_are_not_taken(as_alice, alice, bob):
    from django.core import signing

    service = make_service(alice, "fttc")
    as_alice.post(report_url(service), {"step": 0, "answer": "yes"})
    forged = signing.dumps({"answers": ["No", "No", "No"]}, salt=f"faults.report.{bob.pk}.{service.pk}")

    as_alice.post(report_url(service), {"step": 3, "answer": "no", "trip": forged})

    assert "Check 2 of 4" in visible_text(as_alice.get(report_url(service)))  # her own answers, as they were
