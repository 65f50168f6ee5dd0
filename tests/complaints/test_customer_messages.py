"""A customer's message on a complaint reaches the staff who own it, once per message, and the complaint
shows "customer replied, waiting for us" in the admin until staff answer (portal/customer_messages.py)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.groups import CUSTOMER_SERVICES
from complaints import services
from complaints.models import ComplaintEvent, EventKind, Status
from portal.models import OutboxMessage
from portal.office_hours import london
from portal.workflow import Refused
from tests.complaints.helpers import advance, open_complaint, reload
from tests.factories import StaffFactory
from tests.helpers import changelist_column, emails_to, ldn, visible_text

CHANGELIST = reverse("admin:complaints_complaint_changelist")


@pytest.fixture
def sue(db):
    """A second member of customer services: she must hear of complaints nobody owns, not of Sam's."""
    return StaffFactory(username="sue", full_name="Sue Smith", group=CUSTOMER_SERVICES)


@pytest.fixture
def complaint(alice, sam, on_commit):
    """Alice's complaint, made in the portal yesterday and acknowledged by email."""
    with on_commit():
        made = open_complaint(alice, received_at=timezone.now() - timedelta(days=1))
    mail.outbox.clear()
    return made


def post_message(client, complaint, text):
    return client.post(reverse("complaints:complaint_message", args=[complaint.pk]), {"text": text}, follow=True)


def alerts():
    return [m for m in mail.outbox if "Customer replied on complaint" in m.subject]


def when(moment):
    local = london(moment)
    return f"{local:%a} {local.day} {local:%b %Y}, {local:%H:%M}"


# --- Who is told --------------------------------------------------------------------------------------


def test_a_message_from_the_complaint_page_reaches_its_owner_and_nobody_else(
    client, alice, sam, sue, complaint, on_commit
):
    services.complaint_assign(complaint=complaint, owner=sam, by=sam)
    client.force_login(alice)

    with on_commit():
        response = post_message(client, complaint, "It dropped again at 7pm tonight, for an hour.")

    assert "Your message is added to your complaint. We have let the person handling it know." in visible_text(response)
    [alert] = alerts()
    assert alert.to == ["Sam Service <sam@121com.co.uk>"]
    assert alert.subject == f"Customer replied on complaint {complaint.reference}: Alice Archer (alice)"
    event = ComplaintEvent.objects.get(complaint=complaint, kind=EventKind.CUSTOMER_MESSAGE)
    assert (
        f"Alice Archer (alice) wrote about complaint {complaint.reference} (the service itself) in the "
        f"portal on {when(event.at)}:"
    ) in alert.body
    assert "It dropped again at 7pm tonight, for an hour." in alert.body
    assert "has no owner" not in alert.body
    assert emails_to("sue@121com.co.uk") == []


def test_with_no_owner_every_member_of_customer_services_is_told(client, alice, sam, sue, eric, complaint, on_commit):
    client.force_login(alice)

    with on_commit():
        post_message(client, complaint, "Any news? Nobody has called me.")

    assert sorted(to for m in alerts() for to in m.to) == [
        "Sam Service <sam@121com.co.uk>",
        "Sue Smith <sue@121com.co.uk>",
    ]
    assert "it has no owner: Customer services, please take it" in alerts()[0].body
    assert emails_to("eric@") == []  # engineers do not handle complaints


def test_an_owner_who_has_left_is_not_the_only_one_told(client, alice, sam, sue, complaint, on_commit):
    services.complaint_assign(complaint=complaint, owner=sue, by=sam)
    sue.is_active = False
    sue.save()
    client.force_login(alice)

    with on_commit():
        post_message(client, complaint, "Any news?")

    assert [m.to for m in alerts()] == [["Sam Service <sam@121com.co.uk>"]]


def test_each_message_is_alerted_once(client, alice, sam, complaint, on_commit):
    services.complaint_assign(complaint=complaint, owner=sam, by=sam)
    client.force_login(alice)

    with on_commit():
        post_message(client, complaint, "First message.")
        post_message(client, complaint, "Second message.")

    assert [("First message." in m.body, "Second message." in m.body) for m in alerts()] == [
        (True, False),
        (False, True),
    ]
    assert OutboxMessage.objects.filter(kind="complaint_customer_message").count() == 2


def test_a_message_refused_on_a_closed_complaint_alerts_nobody(client, alice, sam, complaint):
    advance(complaint, Status.CLOSED, by=sam)
    mail.outbox.clear()
    client.force_login(alice)

    post_message(client, complaint, "Still broken.")

    assert not OutboxMessage.objects.filter(kind="complaint_customer_message").exists()
    assert reload(complaint).customer_waiting_since is None


# --- Waiting for us ---------------------------------------------------------------------------------


def changelist_rows(response):
    """{reference: the text of its Customer replied column} for each row of the changelist."""
    return changelist_column(response, "customer_replied", "CMP")


def waiting_label(moment):
    local = london(moment)
    return f"Waiting for us since {local:%a} {local.day} {local:%b %H:%M}"


def test_the_admin_list_shows_which_customers_wait_for_us_and_filters_by_it(client, alice, bob, sam):
    waiting = open_complaint(alice, received_at=ldn(2026, 3, 2, 10, 0))
    quiet = open_complaint(bob)
    services.complaint_add_customer_message(
        complaint=waiting,
        customer=alice,
        text="Any news?",
        received_at=ldn(2026, 3, 3, 14, 5),
        now=ldn(2026, 3, 3, 14, 6),
    )
    client.force_login(sam)

    assert changelist_rows(client.get(CHANGELIST)) == {
        waiting.reference: "Waiting for us since Tue 3 Mar 14:05",
        quiet.reference: "-",
    }
    assert list(changelist_rows(client.get(CHANGELIST, {"replied": "waiting"}))) == [waiting.reference]
    assert list(changelist_rows(client.get(CHANGELIST, {"replied": "no"}))) == [quiet.reference]
    page = visible_text(client.get(reverse("admin:complaints_complaint_change", args=[waiting.pk])))
    assert "Customer replied, waiting for us since: 3 Mar 2026, 14:05" in page  # the 24-hour clock


def test_it_waits_from_the_first_message_we_have_not_answered(alice, complaint):
    first = timezone.now() - timedelta(hours=3)
    services.complaint_add_customer_message(complaint=complaint, customer=alice, text="One.", received_at=first)
    services.complaint_add_customer_message(
        complaint=complaint, customer=alice, text="Two.", received_at=first + timedelta(hours=1)
    )

    assert reload(complaint).customer_waiting_since == first


def message(complaint, customer):
    services.complaint_add_customer_message(
        complaint=complaint, customer=customer, text="Any news?", received_at=timezone.now()
    )


@pytest.mark.parametrize(
    "answer",
    [
        lambda c, sam: services.complaint_reply(complaint=c, by=sam, text="We are on it: an engineer calls Friday."),
        lambda c, sam: services.complaint_set_status(complaint=c, to=Status.RESOLVED, by=sam, note="Refunded."),
        lambda c, sam: services.complaint_issue_deadlock(complaint=c, by=sam, final_position="We stand by our bill."),
    ],
    ids=["a reply", "resolving it", "a deadlock letter"],
)
def test_staff_writing_to_the_customer_answers_them(alice, sam, complaint, answer):
    advance(complaint, Status.INVESTIGATING, by=sam)
    message(complaint, alice)
    assert reload(complaint).customer_waiting_since is not None

    answer(reload(complaint), sam)

    assert reload(complaint).customer_waiting_since is None


def test_closing_a_complaint_leaves_nothing_waiting(alice, sam, complaint):
    advance(complaint, Status.RESOLVED, by=sam)
    message(complaint, alice)

    services.complaint_set_status(complaint=reload(complaint), to=Status.CLOSED, by=sam)

    assert reload(complaint).customer_waiting_since is None


@pytest.mark.parametrize(
    "not_an_answer",
    [
        lambda c, sam: services.complaint_add_note(complaint=c, by=sam, text="Rang her, no answer."),
        lambda c, sam: services.complaint_assign(complaint=c, owner=sam, by=sam),
        lambda c, sam: services.complaint_set_status(complaint=c, to=Status.INVESTIGATING, by=sam),
    ],
    ids=["an internal note", "a new owner", "a status she is not written to about"],
)
def test_what_does_not_reach_the_customer_leaves_them_waiting(alice, sam, complaint, not_an_answer):
    assert reload(complaint).status == Status.ACKNOWLEDGED  # by the email the fixture sent
    message(complaint, alice)

    not_an_answer(reload(complaint), sam)

    assert reload(complaint).customer_waiting_since is not None


def test_the_automatic_adr_letter_is_no_answer(alice, sam, complaint):
    message(complaint, alice)

    services.complaint_raise_adr_letter(complaint_id=complaint.pk, now=complaint.adr_from + timedelta(minutes=1))

    assert reload(complaint).adr_letter_at is not None
    assert reload(complaint).customer_waiting_since is not None


# --- The same path for an emailed reply -------------------------------------------------------------


def test_an_emailed_reply_takes_the_same_path_at_the_time_it_reached_us(client, alice, sam, complaint, on_commit):
    services.complaint_assign(complaint=complaint, owner=sam, by=sam)
    reached = timezone.now() - timedelta(minutes=20)

    with on_commit():
        event = services.complaint_add_customer_message(
            complaint=complaint,
            customer=alice,
            text="Replying to your email: yes, Friday suits me.",
            received_at=reached,
            via="email",
        )

    assert (event.at, event.via, event.by) == (reached, "email", alice)
    assert reload(complaint).customer_waiting_since == reached
    [alert] = alerts()
    assert f"wrote about complaint {complaint.reference} (the service itself) by email on {when(reached)}" in alert.body
    client.force_login(alice)
    page = visible_text(client.get(reverse("complaints:complaint_detail", args=[complaint.pk])))
    assert "you · by email Your message Replying to your email: yes, Friday suits me." in page


@pytest.mark.parametrize(
    "received_at, via, refusal",
    [
        (lambda: timezone.now() + timedelta(hours=1), "email", "cannot be in the future"),
        (lambda: None, "email", "Give the time the message reached us."),
        (lambda: timezone.now(), "pigeon", "Unknown way for a message to reach us"),
        (lambda: timezone.now() - timedelta(days=400), "letter", "cannot have reached us before the case it is about"),
    ],
)
def test_a_message_that_cannot_be_right_is_refused_and_changes_nothing(alice, complaint, received_at, via, refusal):
    with pytest.raises(Refused, match=refusal):
        services.complaint_add_customer_message(
            complaint=complaint, customer=alice, text="Hello.", received_at=received_at(), via=via
        )

    assert not ComplaintEvent.objects.filter(kind=EventKind.CUSTOMER_MESSAGE).exists()
    assert reload(complaint).customer_waiting_since is None
    assert alerts() == []


def test_another_customers_message_is_refused(bob, complaint):
    with pytest.raises(Refused, match="This is not your complaint."):
        services.complaint_add_customer_message(
            complaint=complaint, customer=bob, text="Hello.", received_at=timezone.now()
        )

    assert alerts() == []


# --- Reopening --------------------------------------------------------------------------------------


def test_a_customer_reopening_her_complaint_tells_its_owner_and_waits_for_us(client, alice, sam, complaint, on_commit):
    services.complaint_assign(complaint=complaint, owner=sam, by=sam)
    advance(complaint, Status.RESOLVED, by=sam)
    mail.outbox.clear()
    client.force_login(alice)

    with on_commit():
        response = client.post(
            reverse("complaints:complaint_reopen", args=[complaint.pk]),
            {"reason": "The refund never arrived."},
            follow=True,
        )

    assert "Your complaint is reopened: we are looking into it again." in visible_text(response)
    [alert] = [m for m in mail.outbox if "reopened by the customer" in m.subject]
    assert alert.to == ["Sam Service <sam@121com.co.uk>"]
    assert alert.subject == f"Complaint {complaint.reference} reopened by the customer: Alice Archer (alice)"
    assert "The refund never arrived." in alert.body
    assert reload(complaint).status == Status.INVESTIGATING
    assert reload(complaint).customer_waiting_since is not None


def test_staff_reopening_a_complaint_alert_nobody(alice, sam, complaint):
    advance(complaint, Status.RESOLVED, by=sam)
    mail.outbox.clear()

    services.complaint_set_status(
        complaint=reload(complaint), to=Status.INVESTIGATING, by=sam, note="The customer rang: the refund is missing."
    )

    assert not OutboxMessage.objects.filter(kind="complaint_reopened").exists()
    assert reload(complaint).customer_waiting_since is None
