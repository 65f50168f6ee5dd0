"""Who reads which message in the outbox and the print queue (portal/message_access.py).

A message is read by the staff who handle what it concerns: complaints by Customer services, faults by
Engineers and Customer services, orders and customers' accounts by Customer services, billing by Accounts,
an alert by the group it went to; administrators read everything. Body and files go together, so every
page that takes a message's id (its page, its history, its attachments, the print queue's letter and PDF,
the actions on the lists) gives each group the same answer.
"""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from accounts.groups import CUSTOMER_SERVICES, ENGINEERS
from complaints.models import Status as ComplaintStatus
from orders.models import OrderChannel, Product
from orders.services import order_place
from portal import outbox
from portal.models import Channel, OutboxMessage, Status
from tests.complaints.helpers import advance, open_complaint
from tests.factories import StaffFactory
from tests.faults.helpers import report
from tests.helpers import ldn

OUTBOX = reverse("admin:portal_outboxmessage_changelist")
QUEUE = reverse("admin:portal_printqueueletter_changelist")

# What each persona reads, by the names of the messages made in the `messages` fixture.
COMPLAINTS = {"complaint_ack_email", "deadlock_email", "complaint_ack_letter"}
FAULTS = {"fault_ack_email", "fault_ack_letter"}
ACCOUNT = {"welcome_letter", "password_reset", "code_copy_letter"}
ORDERS = {"order_email"}
EVERYTHING = COMPLAINTS | FAULTS | ACCOUNT | ORDERS | {"customer_services_alert", "engineers_alert", "mystery"}
READS = {
    "sam": COMPLAINTS | FAULTS | ACCOUNT | ORDERS | {"customer_services_alert"},
    "ann": set(),  # billing sends nothing yet
    "eric": FAULTS | {"engineers_alert"},
    "root": EVERYTHING,
}
PERSONAS = list(READS)  # each test checks them in turn, over one set of messages


@pytest.fixture
def root(db):
    """An administrator: reads every message, including one no group handles."""
    return StaffFactory(username="root", full_name="Rita Root", is_superuser=True)


@pytest.fixture
def staff(sam, ann, eric, root):
    return {"sam": sam, "ann": ann, "eric": eric, "root": root}


@pytest.fixture
def messages(alice, carol, sam, eric, staff, client, on_commit):
    """One message of every kind of business, sent (emails) or rendered for the print queue (letters)."""
    made = {}
    with on_commit():
        complaint = open_complaint(alice)
        made["complaint_ack_email"] = complaint.ack_message
    with on_commit():  # acknowledged and sent: now to deadlock
        advance(complaint, ComplaintStatus.DEADLOCKED, by=sam)
        made["deadlock_email"] = outbox.messages_concerning(complaint).get(kind="complaint_deadlock")
        made["complaint_ack_letter"] = open_complaint(carol).ack_message
        made["fault_ack_email"] = report(alice, at=ldn(2026, 11, 23, 10, 0)).ack_message
        made["fault_ack_letter"] = report(carol, at=ldn(2026, 11, 23, 10, 0)).ack_message
        made["welcome_letter"] = outbox.send_to_customer(
            carol,
            kind="welcome",
            template="accounts/welcome",
            subject="Welcome to 121 Communications",
            context={},
            concerning=carol,
        )
        client.post(reverse("accounts:password_reset"), {"email": alice.email})
        made["password_reset"] = OutboxMessage.objects.get(kind="password_reset")
        client.post(
            reverse("portal:code_copy"),
            {
                "name": "Dev Patel",
                "method": "post",
                "email": "",
                "address": "4 Mill Lane\nMaidstone",
                "postcode": "ME15 6AA",
            },
        )
        made["code_copy_letter"] = OutboxMessage.objects.get(kind="code_copy")
        order = order_place(
            customer=alice,
            product=Product.objects.get(code="fttc"),
            address="12 Orchard Way",
            postcode="ME17 4AA",
            contact_name="Alice Archer",
            channel=OrderChannel.PHONE,
            received_at=timezone.now(),
            entered_by=sam,
        )
        made["order_email"] = outbox.messages_concerning(order).get(kind="order_received")
        [made["customer_services_alert"]] = outbox.email_staff(
            group=CUSTOMER_SERVICES,
            kind="complaint_ack_alert",
            template="complaints/complaint_ack_alert",
            subject="Complaints to acknowledge: 1 overdue, 0 at risk",
            context={"overdue": [], "at_risk": [], "hours": 2},
        )
        made["engineers_alert"] = outbox.email_staff(
            group=ENGINEERS,
            kind="fault_repair_alert",
            template="faults/fault_repair_alert",
            subject="Fault repair targets: 1 overdue, 0 at risk",
            context={"overdue": [], "at_risk": [], "hours": 4},
        )[0]
        made["mystery"] = outbox.email(
            kind="mystery",
            to_email="someone@example.co.uk",
            to_name="Someone",
            template="portal/code_copy",
            subject="A kind nobody has placed",
            context={},
        )
    for message in made.values():
        message.refresh_from_db()
    assert {m.status for m in made.values()} <= {Status.SENT, Status.TO_PRINT}, {m.status for m in made.values()}
    assert len({m.pk for m in made.values()}) == len({m.subject for m in made.values()}) == len(made)
    return made


def each_persona_and_message(client, staff, messages):
    for who in PERSONAS:
        client.force_login(staff[who])
        for name, message in messages.items():
            yield who, name, message


def names(messages, pks):
    return {name for name, message in messages.items() if message.pk in set(pks)}


def letters(messages):
    return {name for name, message in messages.items() if message.channel == Channel.LETTER}


def attached(messages):
    """(name, attachment) for every file a message carries: the deadlock letter's PDF, the letters."""
    return [(name, a) for name, m in messages.items() for a in m.attachments.all()]


def test_the_outbox_lists_the_messages_of_the_readers_work_only(client, staff, messages):
    for who in PERSONAS:
        client.force_login(staff[who])

        response = client.get(OUTBOX)

        listed = names(messages, [m.pk for m in response.context["cl"].result_list])
        assert listed == READS[who], who
        page = response.content.decode()
        for name, message in messages.items():
            assert (message.subject in page) == (name in READS[who]), (who, name)


def test_a_message_opens_only_for_those_who_read_it(client, staff, messages):
    for who, name, message in each_persona_and_message(client, staff, messages):
        for view in ("change", "history"):
            response = client.get(reverse(f"admin:portal_outboxmessage_{view}", args=[message.pk]))
            if name in READS[who]:
                assert response.status_code == 200, (who, name, view)
                assert message.subject in response.content.decode()
            else:
                # The admin's answer for an id that does not exist: back to the front page, "doesn't exist".
                assert response.status_code in (302, 404), (who, name, view)
                assert message.subject not in client.get(response.get("Location", OUTBOX)).content.decode()


def test_a_file_downloads_from_the_outbox_only_for_those_who_read_its_message(client, staff, messages):
    files = attached(messages)
    assert {name for name, _ in files} == {"deadlock_email"} | letters(messages)

    for who in PERSONAS:
        client.force_login(staff[who])
        for name, attachment in files:
            response = client.get(
                reverse("admin:portal_outboxmessage_attachment", args=[attachment.message_id, attachment.pk])
            )
            if name in READS[who]:
                assert response.status_code == 200, (who, name)
                assert response.content.startswith(b"%PDF")
            else:
                assert response.status_code == 404, (who, name)
                assert not response.content.startswith(b"%PDF")


def test_the_print_queue_gives_the_same_answer_as_the_outbox_for_the_same_letter(client, staff, messages):
    for who in PERSONAS:
        client.force_login(staff[who])
        may_post = staff[who].has_perm("portal.view_printqueueletter")

        queue = client.get(QUEUE)

        if may_post:
            listed = names(messages, [m.pk for m in queue.context["cl"].result_list])
            assert listed == letters(messages) & READS[who], who
        else:
            assert queue.status_code == 403, who
        for name in letters(messages):
            message = messages[name]
            change = client.get(reverse("admin:portal_printqueueletter_change", args=[message.pk]))
            pdf = client.get(reverse("admin:portal_printqueueletter_pdf", args=[message.pk]))
            in_outbox = client.get(
                reverse("admin:portal_outboxmessage_attachment", args=[message.pk, message.attachments.get().pk])
            )
            assert pdf.status_code == in_outbox.status_code == (200 if name in READS[who] else 404), (who, name)
            assert pdf.content == in_outbox.content
            assert (change.status_code == 200) == (may_post and name in READS[who]), (who, name)


def test_send_again_acts_only_on_messages_the_reader_may_read(client, staff, messages):
    emails = {name for name, m in messages.items() if m.channel == Channel.EMAIL}
    for who in PERSONAS:
        OutboxMessage.objects.filter(channel=Channel.EMAIL).update(status=Status.FAILED)
        client.force_login(staff[who])

        client.post(OUTBOX, {"action": "send_again", "_selected_action": [m.pk for m in messages.values()]})

        queued = names(messages, OutboxMessage.objects.filter(status=Status.QUEUED).values_list("pk", flat=True))
        may_act = staff[who].has_perm("portal.change_outboxmessage")
        assert queued == (emails & READS[who] if may_act else set()), who


def test_mark_posted_acts_only_on_letters_the_reader_may_read(client, staff, messages):
    for who in PERSONAS:
        OutboxMessage.objects.filter(status=Status.POSTED).update(status=Status.TO_PRINT, sent_at=None)
        client.force_login(staff[who])

        client.post(QUEUE, {"action": "mark_posted", "_selected_action": [m.pk for m in messages.values()]})

        posted = names(messages, OutboxMessage.objects.filter(status=Status.POSTED).values_list("pk", flat=True))
        may_act = staff[who].has_perm("portal.change_printqueueletter")
        assert posted == (letters(messages) & READS[who] if may_act else set()), who


def test_the_front_page_counts_only_what_the_reader_may_read(client, staff, messages):
    OutboxMessage.objects.filter(pk__in=[messages["mystery"].pk, messages["engineers_alert"].pk]).update(
        status=Status.FAILED
    )
    for who in PERSONAS:
        client.force_login(staff[who])

        page = client.get(reverse("admin:index")).content.decode()

        failed = len({"mystery", "engineers_alert"} & READS[who])
        to_print = len(letters(messages) & READS[who]) if staff[who].has_perm("portal.view_printqueueletter") else 0
        assert (f"<strong>{failed}</strong> email" in page) == bool(failed), who
        assert (f"<strong>{to_print}</strong> letter" in page) == bool(to_print), who
        assert "failed to send" in page or not failed


def test_nobody_reading_a_password_reset_in_the_outbox_sees_a_usable_link(client, staff, messages):
    message = messages["password_reset"]
    assert "/account/password/reset/" not in message.body_text + message.body_html
    assert not message.attachments.exists()
    for who in ["sam", "root"]:
        client.force_login(staff[who])

        page = client.get(reverse("admin:portal_outboxmessage_change", args=[message.pk])).content.decode()

        assert "[[reset-path]]" in page, who
        assert "/account/password/reset/" not in page, who


def test_a_member_of_staff_in_no_group_reads_nothing(client, messages):
    nobody = StaffFactory(username="newstarter", full_name="New Starter")
    client.force_login(nobody)

    assert client.get(OUTBOX).status_code == 403
    attachment = messages["deadlock_email"].attachments.get()
    assert (
        client.get(
            reverse("admin:portal_outboxmessage_attachment", args=[attachment.message_id, attachment.pk])
        ).status_code
        == 404
    )
    assert (
        client.get(reverse("admin:portal_printqueueletter_pdf", args=[messages["complaint_ack_letter"].pk])).status_code
        == 404
    )


def test_a_group_given_a_topic_reads_its_messages_at_once(client, ann, messages):
    """The rule is permissions: granting one (here to one person) is all it takes, nothing else to edit."""
    from django.contrib.auth.models import Permission

    ann.user_permissions.add(Permission.objects.get(codename="read_complaint_messages"))
    client.force_login(ann)

    response = client.get(OUTBOX)

    assert names(messages, [m.pk for m in response.context["cl"].result_list]) == COMPLAINTS
    assert Group.objects.get(name=CUSTOMER_SERVICES).permissions.filter(codename="read_complaint_messages").exists()
