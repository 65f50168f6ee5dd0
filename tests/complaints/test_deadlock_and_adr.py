"""Code (Dispute resolution): "If we are unable to resolve your complaint satisfactorily, we will issue a
"deadlock" letter so that you may make a complaint through Otelo ... Alternatively if more than three
months has passed since you first made your complaint, please contact the ADR scheme directly."
"""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from complaints import services
from complaints.models import AdrScheme, Complaint, ComplaintEvent, EventKind, Status
from complaints.services import add_months
from complaints.tasks import complaints_raise_adr_letters
from portal.models import Channel as MessageChannel
from portal.models import OutboxMessage
from portal.models import Status as MessageStatus
from portal.office_hours import london
from portal.workflow import Refused
from tests.complaints.helpers import advance, letter_pdf_text, long_date, open_complaint, reload
from tests.helpers import emails_to, ldn, pdf_text, visible_text

FINAL_POSITION = (
    "We checked the line on 3 and 10 March and found no fault on our network. "
    "As a gesture of goodwill we have credited your account with £15."
)
OTELO = [
    "Otelo",
    "PO Box 730",
    "WA4 6WU",
    "0845 050 1614",
    "01925 430 049",
    "enquiries@otelo.org.uk",
    "www.otelo.org.uk",
    "free",
]
ALICES_ADDRESS = ["Alice Archer", "12 Orchard Way", "Boughton Monchelsea", "Maidstone", "Kent", "ME17 4AA"]


def deadlock_url(complaint):
    return reverse("admin:complaints_complaint_action", args=[complaint.pk, "deadlock"])


def post_deadlock(client, complaint, on_commit, **data):
    data = {"final_position": FINAL_POSITION, "by_email": "on", **data}
    with on_commit():
        return client.post(deadlock_url(complaint), {k: v for k, v in data.items() if v is not None}, follow=True)


def deadlock_emails():
    return [m for m in mail.outbox if m.subject.startswith("Our final position")]


@pytest.fixture
def investigating(alice, sam, on_commit):
    with on_commit():
        complaint = open_complaint(alice)
    return advance(complaint, Status.INVESTIGATING, by=sam)


def today_dates(before):
    """Today's date as a letter prints it; two if midnight passed while the test ran."""
    return {long_date(before), long_date(timezone.now())}


def assert_is_deadlock_letter(text, complaint, dates):
    assert complaint.reference in text
    assert any(d in text for d in dates), (dates, text)
    for line in ALICES_ADDRESS:
        assert line in text
    assert FINAL_POSITION in text
    for detail in OTELO:
        assert detail in text
    assert "deadlock letter" in text


# --- The deadlock letter ---------------------------------------------------------------------------


def test_staff_email_a_deadlock_letter_as_a_pdf(client, sam, investigating, on_commit):
    client.force_login(sam)
    before = timezone.now()

    response = post_deadlock(client, investigating, on_commit)

    assert "Issue a deadlock letter: done." in visible_text(response)
    [email] = deadlock_emails()
    assert email.to == ["Alice Archer <alice@example.co.uk>"]
    assert email.subject == f"Our final position on your complaint ({investigating.reference})"
    assert FINAL_POSITION in email.body
    assert "Otelo" in email.body and "free of charge" in email.body
    [(filename, content, mimetype)] = email.attachments
    assert filename == f"deadlock-letter-{investigating.reference}.pdf"
    assert mimetype == "application/pdf"
    assert content.startswith(b"%PDF")
    assert_is_deadlock_letter(pdf_text(content), investigating, today_dates(before))
    assert not OutboxMessage.objects.filter(channel=MessageChannel.LETTER).exists()


def test_staff_post_a_deadlock_letter_with_the_same_content(client, sam, investigating, on_commit):
    client.force_login(sam)
    before = timezone.now()

    post_deadlock(client, investigating, on_commit, by_email=None, by_post="on")

    assert deadlock_emails() == []
    letter = OutboxMessage.objects.get(kind="complaint_deadlock", channel=MessageChannel.LETTER)
    assert letter.status == MessageStatus.TO_PRINT
    assert letter.postal_address == "12 Orchard Way\nBoughton Monchelsea\nMaidstone\nKent\nME17 4AA"
    assert_is_deadlock_letter(letter_pdf_text(letter), investigating, today_dates(before))


def test_staff_email_and_post_the_deadlock_letter_at_once(client, sam, investigating, on_commit):
    client.force_login(sam)
    before = timezone.now()

    post_deadlock(client, investigating, on_commit, by_email="on", by_post="on")

    [email] = deadlock_emails()
    emailed = pdf_text(email.attachments[0][1])
    posted = letter_pdf_text(OutboxMessage.objects.get(kind="complaint_deadlock", channel=MessageChannel.LETTER))
    assert_is_deadlock_letter(emailed, investigating, today_dates(before))
    assert_is_deadlock_letter(posted, investigating, today_dates(before))


def test_a_deadlocked_complaint_shows_the_final_position_and_the_event(client, alice, sam, investigating, on_commit):
    client.force_login(sam)
    before = timezone.now()
    post_deadlock(client, investigating, on_commit)

    complaint = reload(investigating)
    assert complaint.status == Status.DEADLOCKED
    assert complaint.deadlock_position == FINAL_POSITION
    assert before <= complaint.deadlocked_at <= timezone.now()
    event = ComplaintEvent.objects.get(complaint=complaint, kind=EventKind.DEADLOCK)
    assert (event.by, event.text, event.at) == (sam, FINAL_POSITION, complaint.deadlocked_at)
    client.force_login(alice)
    text = visible_text(client.get(reverse("complaints:complaint_detail", args=[complaint.pk])))
    assert "Deadlocked: you may go to the ADR scheme" in text
    assert f"Our final position {FINAL_POSITION}" in text
    assert "Deadlock letter issued" in text
    assert (
        f"We issued a deadlock letter on {long_date(complaint.deadlocked_at)}: you may take your complaint "
        "to Otelo (Office of the Telecommunications Ombudsman) now."
    ) in text


@pytest.mark.parametrize("start", [Status.RECEIVED, Status.ACKNOWLEDGED])
def test_a_deadlock_letter_is_refused_before_the_complaint_is_investigated(client, alice, sam, start, on_commit):
    complaint = open_complaint(alice)
    if start == Status.ACKNOWLEDGED:
        advance(complaint, start, by=sam)
    events = ComplaintEvent.objects.filter(complaint=complaint).count()
    client.force_login(sam)

    response = post_deadlock(client, complaint, on_commit)

    assert response.status_code == 200
    assert re.search(rf"A complaint that is {start.value}[a-z ]* cannot [a-z ]*deadlocked", visible_text(response))
    assert reload(complaint).status == start
    assert ComplaintEvent.objects.filter(complaint=complaint).count() == events
    assert deadlock_emails() == []
    assert not OutboxMessage.objects.filter(kind="complaint_deadlock").exists()


@pytest.mark.parametrize("position", ["", "   \n  "])
def test_a_deadlock_letter_without_a_final_position_is_refused(client, sam, investigating, position, on_commit):
    client.force_login(sam)

    response = post_deadlock(client, investigating, on_commit, final_position=position)

    assert "This field is required." in visible_text(response)
    assert reload(investigating).status == Status.INVESTIGATING
    assert deadlock_emails() == []


def test_the_service_refuses_a_blank_final_position_too(sam, investigating):
    with pytest.raises(Refused, match="Write our final position"):
        services.complaint_issue_deadlock(complaint=investigating, by=sam, final_position="  ")
    assert reload(investigating).status == Status.INVESTIGATING


def test_a_deadlock_letter_must_be_emailed_or_posted(client, sam, investigating, on_commit):
    client.force_login(sam)

    response = post_deadlock(client, investigating, on_commit, by_email=None)

    assert "Choose to email the letter, post it, or both." in visible_text(response)
    assert reload(investigating).status == Status.INVESTIGATING


def test_a_deadlock_letter_cannot_be_emailed_to_a_customer_without_email(client, carol, sam, on_commit):
    complaint = advance(open_complaint(carol), Status.INVESTIGATING, by=sam)
    client.force_login(sam)

    response = post_deadlock(client, complaint, on_commit)

    assert "We have no email address for this customer: post the letter instead." in visible_text(response)
    assert reload(complaint).status == Status.INVESTIGATING

    post_deadlock(client, complaint, on_commit, by_email=None, by_post="on")

    assert reload(complaint).status == Status.DEADLOCKED
    letter = OutboxMessage.objects.get(kind="complaint_deadlock")
    text = letter_pdf_text(letter)
    assert "Dear Carol Baker," in text and "Carol's Bakery Ltd" in text and FINAL_POSITION in text


def test_the_scheme_details_staff_edit_appear_in_the_next_letter(client, alice, sam, investigating, on_commit):
    scheme = AdrScheme.objects.get(is_current=True)
    client.force_login(sam)
    response = client.post(
        reverse("admin:complaints_adrscheme_change", args=[scheme.pk]),
        {
            "name": "Communications Ombudsman",
            "postal_address": "PO Box 999\nWarrington\nWA1 1ZZ",
            "office_address": "",
            "phones": "0330 440 1614",
            "fax": "",
            "email": "help@commsombudsman.example",
            "website": "www.commsombudsman.example",
            "is_current": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    post_deadlock(client, investigating, on_commit)

    text = pdf_text(deadlock_emails()[0].attachments[0][1])
    for detail in [
        "Communications Ombudsman",
        "PO Box 999",
        "WA1 1ZZ",
        "0330 440 1614",
        "help@commsombudsman.example",
        "www.commsombudsman.example",
    ]:
        assert detail in text
    for old in ["Otelo", "PO Box 730", "0845 050 1614"]:
        assert old not in text
    client.force_login(alice)
    page = visible_text(client.get(reverse("complaints:complaint_detail", args=[investigating.pk])))
    assert "you may take your complaint to Communications Ombudsman now" in page


# --- The ADR letter, three months on ------------------------------------------------------------------


def received_months_ago(months, *, days=0):
    return add_months(timezone.now(), -months) + timedelta(days=days)


def three_months_ago_and_a_day():
    """Received so that the three months ended yesterday (or earlier, on a short month's end)."""
    return received_months_ago(3, days=-1)


def adr_messages():
    return OutboxMessage.objects.filter(kind="complaint_adr")


def test_the_adr_job_tells_a_customer_she_may_go_to_the_scheme_three_months_on(alice, on_commit):
    received = three_months_ago_and_a_day()
    with on_commit():
        complaint = open_complaint(alice, received_at=received)
    sent_before = len(mail.outbox)
    before = timezone.now()

    with on_commit():
        assert complaints_raise_adr_letters() == 1

    [email] = mail.outbox[sent_before:]
    assert email.to == ["Alice Archer <alice@example.co.uk>"]
    assert email.subject == f"You may now take your complaint to the ADR scheme ({complaint.reference})"
    assert f"You first made your complaint {complaint.reference} on {long_date(received)}" in email.body
    assert "you may now take it directly to Otelo" in email.body
    for detail in OTELO[1:-1]:
        assert detail in email.body
    complaint.refresh_from_db()
    assert before <= complaint.adr_letter_at <= timezone.now()
    event = ComplaintEvent.objects.get(complaint=complaint, kind=EventKind.ADR_LETTER)
    assert event.internal is False and event.by is None


def test_the_adr_letter_is_posted_to_a_customer_who_takes_letters(carol, on_commit):
    complaint = open_complaint(carol, received_at=three_months_ago_and_a_day())

    with on_commit():
        complaints_raise_adr_letters()

    letter = adr_messages().get()
    assert letter.status == MessageStatus.TO_PRINT
    text = letter_pdf_text(letter)
    assert complaint.reference in text
    assert "Carol Baker" in text and "3 High Street" in text
    assert "you may now take it directly to an independent alternative dispute resolution (ADR) scheme" in text
    for detail in OTELO:
        assert detail in text


def test_the_adr_job_raises_the_letter_only_once(alice, on_commit):
    complaint = open_complaint(alice, received_at=three_months_ago_and_a_day())

    with on_commit():
        assert complaints_raise_adr_letters() == 1
    with on_commit():
        assert complaints_raise_adr_letters() == 0

    assert adr_messages().count() == 1
    assert len([m for m in mail.outbox if "ADR scheme" in m.subject]) == 1
    assert ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.ADR_LETTER).count() == 1


def test_the_adr_job_waits_until_the_time_has_come(alice):
    # Three months are never shorter than 89 days (1 February to 1 May), so 88 days ago is always early.
    # ("Three months less a day ago" is not: near a short month's end add_months clamps the day.)
    complaint = open_complaint(alice, received_at=timezone.now() - timedelta(days=88))
    assert complaint.adr_from > timezone.now() + timedelta(hours=20)

    assert complaints_raise_adr_letters() == 0

    assert not adr_messages().exists()
    assert reload(complaint).adr_letter_at is None


@pytest.mark.parametrize("end", [Status.RESOLVED, Status.DEADLOCKED, Status.CLOSED])
def test_the_adr_job_leaves_alone_a_complaint_that_is_no_longer_open(alice, sam, end):
    complaint = advance(open_complaint(alice, received_at=received_months_ago(4)), end, by=sam)

    assert complaints_raise_adr_letters() == 0

    assert not adr_messages().exists()
    assert reload(complaint).adr_letter_at is None


@pytest.mark.parametrize("status", [Status.RECEIVED, Status.ACKNOWLEDGED, Status.INVESTIGATING])
def test_the_adr_job_writes_for_every_unresolved_status(alice, sam, status):
    complaint = open_complaint(alice, received_at=received_months_ago(4))
    if status != Status.RECEIVED:
        advance(complaint, status, by=sam)

    assert complaints_raise_adr_letters() == 1
    assert adr_messages().get().subject.endswith(f"({complaint.reference})")


def test_with_ofcoms_eight_weeks_the_adr_time_is_eight_weeks(client, alice, bob, settings, on_commit):
    settings.PORTAL_POLICY = {**settings.PORTAL_POLICY, "ADR_AFTER_WEEKS": 8}
    now = timezone.now()
    due = open_complaint(alice, received_at=now - timedelta(weeks=8, days=1))
    not_yet = open_complaint(bob, received_at=now - timedelta(weeks=8) + timedelta(days=1))
    fresh = open_complaint(alice)

    with on_commit():
        assert complaints_raise_adr_letters() == 1

    assert adr_messages().get().customer == alice
    assert reload(due).adr_letter_at is not None
    assert reload(not_yet).adr_letter_at is None
    # Eight weeks on the London clock: the same wall-clock time, whatever clock change falls in between.
    assert london(fresh.adr_from).replace(tzinfo=None) == london(fresh.received_at).replace(tzinfo=None) + timedelta(
        weeks=8
    )
    client.force_login(alice)
    text = visible_text(client.get(reverse("complaints:complaint_detail", args=[fresh.pk])))
    assert f"You may also go to them directly from {long_date(fresh.adr_from)}" in text


ADD_MONTHS = [
    (ldn(2026, 1, 31, 12, 0), 1, ldn(2026, 2, 28, 12, 0), "31 January to the end of February"),
    (ldn(2028, 1, 31, 12, 0), 1, ldn(2028, 2, 29, 12, 0), "a leap year"),
    (ldn(2026, 11, 30, 9, 0), 3, ldn(2027, 2, 28, 9, 0), "over the new year"),
    (ldn(2026, 8, 31, 10, 0), 3, ldn(2026, 11, 30, 10, 0), "into a 30-day month"),
    (ldn(2026, 1, 15, 12, 0), 3, ldn(2026, 4, 15, 12, 0), "same London time across the clocks going forward"),
    (ldn(2026, 5, 1, 0, 30), 3, ldn(2026, 8, 1, 0, 30), "just after midnight in BST: the London date counts"),
    (ldn(2026, 11, 24, 23, 0), -3, ldn(2026, 8, 24, 23, 0), "backwards"),
]


@pytest.mark.parametrize("start, months, expected, why", ADD_MONTHS, ids=[a[-1] for a in ADD_MONTHS])
def test_add_months(start, months, expected, why):
    assert add_months(start, months) == expected


def test_a_complaint_made_on_31_january_may_go_to_the_scheme_from_the_end_of_april(alice):
    received = ldn(2026, 1, 31, 14, 0)

    complaint = open_complaint(alice, received_at=received, now=received)

    assert complaint.adr_from == ldn(2026, 4, 30, 14, 0)


# --- What the customer sees --------------------------------------------------------------------------


def detail_text(client, customer, complaint):
    client.force_login(customer)
    return visible_text(client.get(reverse("complaints:complaint_detail", args=[complaint.pk])))


def test_before_the_adr_time_the_customer_sees_from_when_she_may_go_to_the_scheme(client, alice):
    complaint = open_complaint(alice)

    text = detail_text(client, alice, complaint)

    assert complaint.adr_from == add_months(complaint.received_at, 3)
    assert (
        f"You may also go to them directly from {long_date(complaint.adr_from)}, whatever the state of your complaint."
    ) in text
    assert "you may take your complaint to" not in text
    assert "Using the scheme is free for you." in text
    for detail in ["PO Box 730", "0845 050 1614 or 01925 430 049", "enquiries@otelo.org.uk", "www.otelo.org.uk"]:
        assert detail in text


def test_after_the_adr_time_the_customer_sees_she_may_go_to_the_scheme_now(client, alice):
    received = three_months_ago_and_a_day()
    complaint = open_complaint(alice, received_at=received)

    text = detail_text(client, alice, complaint)

    assert (
        f"It is more than the time set out in our Code since you first complained ({long_date(received)}): "
        "you may take your complaint to Otelo (Office of the Telecommunications Ombudsman) now."
    ) in text
    assert "You may also go to them directly from" not in text


def test_after_a_deadlock_the_customer_sees_she_may_go_to_the_scheme_now(client, alice, sam):
    complaint = advance(open_complaint(alice), Status.DEADLOCKED, by=sam)

    text = detail_text(client, alice, complaint)

    assert "you may take your complaint to Otelo (Office of the Telecommunications Ombudsman) now." in text
    assert "You may also go to them directly from" not in text


def test_the_adr_time_is_fixed_when_the_complaint_is_received(alice, settings):
    complaint = open_complaint(alice)
    settings.PORTAL_POLICY = {**settings.PORTAL_POLICY, "ADR_AFTER_WEEKS": 8}

    assert reload(complaint).adr_from == add_months(complaint.received_at, 3)
    assert complaints_raise_adr_letters() == 0
    assert Complaint.objects.get().adr_letter_at is None
    assert emails_to("alice@example.co.uk") == []


def test_the_adr_job_sends_no_letter_naming_no_scheme(alice, on_commit):
    """Staff replacing the scheme may briefly have none current. The deadlock letter refuses to go out
    without a scheme; the ADR letter must not go out with blank details either, and goes once there is one."""
    complaint = open_complaint(alice, received_at=three_months_ago_and_a_day())
    AdrScheme.objects.update(is_current=False)

    with on_commit():
        complaints_raise_adr_letters()

    assert not adr_messages().exists()
    assert reload(complaint).adr_letter_at is None

    AdrScheme.objects.update(is_current=True)
    with on_commit():
        assert complaints_raise_adr_letters() == 1
    assert "you may now take it directly to Otelo" in adr_messages().get().body_text


def test_the_adr_job_carries_on_past_a_customer_we_cannot_write_to(alice, carol, on_commit):
    from datetime import timedelta

    from django.utils import timezone

    from complaints.tasks import complaints_raise_adr_letters
    from portal.models import OutboxMessage

    received = timezone.now() - timedelta(days=100)
    with on_commit():
        unreachable = services.complaint_open(
            customer=alice,
            category="service",
            received_at=received,
            now=received,
            what_happened="The line drops every evening.",
        )
        reachable = services.complaint_open(
            customer=carol,
            category="service",
            received_at=received,
            now=received,
            what_happened="The line drops every morning.",
        )
    alice.email, alice.address, alice.postcode = "", "", ""
    alice.save()

    with on_commit():
        assert complaints_raise_adr_letters() == 1

    unreachable.refresh_from_db()
    reachable.refresh_from_db()
    assert unreachable.adr_letter_at is None  # tried again on the next run, once staff have an address
    assert reachable.adr_letter_at is not None
    assert OutboxMessage.objects.filter(kind="complaint_adr", customer=carol).count() == 1
