"""Tests for the staff's print queue (PrintQueueAdmin) and the outbox admin's "send again" action.

Customer services (sam) download each letter's PDF, print and post it, then mark it posted.
"""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal import outbox
from portal.models import Channel, CodeCopyRequest, OutboxAttachment, OutboxMessage, Status
from tests.helpers import pdf_text

QUEUE_URL = "/admin/portal/printqueueletter/"
OUTBOX_URL = "/admin/portal/outboxmessage/"


def letter_to(customer, on_commit, subject="Welcome to 121 Communications"):
    """A letter rendered by the worker, waiting in the print queue."""
    with on_commit():
        message = outbox.send_to_customer(
            customer, kind="welcome", template="accounts/welcome", subject=subject, context={}, by_post=True
        )
    message.refresh_from_db()
    assert message.status == Status.TO_PRINT
    return message


def queued_letter(name, number):
    """A print-queue row without rendering a PDF: enough for the list page. A posted copy of the Code, as
    a visitor asks for one on the public pages."""
    request = CodeCopyRequest.objects.create(
        name=name, method="post", address=f"{number} Mill Lane\nMaidstone", postcode="ME15 6AA"
    )
    message = OutboxMessage.objects.create(
        channel=Channel.LETTER,
        kind="code_copy",
        status=Status.TO_PRINT,
        to_name=name,
        postal_address=f"{number} Mill Lane\nMaidstone\nME15 6AA",
        subject="The Code of Practice",
        concerning_type=ContentType.objects.get_for_model(CodeCopyRequest),
        concerning_id=request.pk,
    )
    OutboxAttachment.objects.create(message=message, filename="letter.pdf", content=b"%PDF-1.7 not a real letter")
    return message


@pytest.fixture
def carols_letter(carol, on_commit):
    return letter_to(carol, on_commit)


def test_customer_services_see_a_letter_waiting_in_the_print_queue(client, sam, carols_letter):
    client.force_login(sam)

    page = client.get(QUEUE_URL).content.decode()

    assert '<td class="field-to_name">Carol Baker</td>' in page
    assert "Kent, ME14 1AB" in page  # the end of the address, to check against the envelope
    assert "Welcome to 121 Communications" in page
    assert reverse("admin:portal_printqueueletter_pdf", args=[carols_letter.pk]) in page
    assert "Download PDF" in page


def test_customer_services_download_the_letters_pdf(client, sam, carols_letter):
    client.force_login(sam)

    response = client.get(reverse("admin:portal_printqueueletter_pdf", args=[carols_letter.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"letter-{carols_letter.pk}-welcome.pdf" in response["Content-Disposition"]
    text = pdf_text(response.content)
    assert "Carol Baker" in text
    assert "3 High Street" in text
    assert "ME14 1AB" in text


def test_marking_a_letter_posted_takes_it_out_of_the_queue(client, sam, carols_letter):
    client.force_login(sam)
    before = timezone.now()

    response = client.post(QUEUE_URL, {"action": "mark_posted", "_selected_action": [carols_letter.pk]}, follow=True)

    assert "1 letter(s) marked as posted." in response.content.decode()
    carols_letter.refresh_from_db()
    assert carols_letter.status == Status.POSTED
    assert carols_letter.sent_at >= before
    assert carols_letter.posted_by == sam
    response = client.get(QUEUE_URL)
    assert "Carol Baker" not in response.content.decode()
    assert response.context["cl"].result_count == 0


def test_marking_posted_leaves_the_letters_not_selected_in_the_queue(client, sam, carol, alice, on_commit):
    carols = letter_to(carol, on_commit)
    alices = letter_to(alice, on_commit)
    client.force_login(sam)

    client.post(QUEUE_URL, {"action": "mark_posted", "_selected_action": [carols.pk]})

    carols.refresh_from_db()
    alices.refresh_from_db()
    assert carols.status == Status.POSTED
    assert alices.status == Status.TO_PRINT
    assert alices.posted_by is None
    page = client.get(QUEUE_URL).content.decode()
    assert "Alice Archer" in page
    assert "Carol Baker" not in page


def test_emails_never_appear_in_the_print_queue(client, sam, alice, on_commit):
    with on_commit():
        emailed = outbox.send_to_customer(
            alice, kind="welcome", template="accounts/welcome", subject="Welcome to 121 Communications", context={}
        )
    assert len(mail.outbox) == 1
    client.force_login(sam)

    response = client.get(QUEUE_URL)

    assert "Alice Archer" not in response.content.decode()
    assert response.context["cl"].result_count == 0
    assert client.get(reverse("admin:portal_printqueueletter_pdf", args=[emailed.pk])).status_code == 404
    assert client.get(f"{QUEUE_URL}{emailed.pk}/change/").status_code in (302, 404)


def test_a_letter_not_rendered_yet_is_not_in_the_queue(client, sam, carol):
    waiting = outbox.send_to_customer(
        carol, kind="welcome", template="accounts/welcome", subject="Welcome", context={}
    )  # never committed: the worker has not made the PDF
    client.force_login(sam)

    assert "Carol Baker" not in client.get(QUEUE_URL).content.decode()
    assert client.get(reverse("admin:portal_printqueueletter_pdf", args=[waiting.pk])).status_code == 404


@pytest.mark.parametrize("url", [QUEUE_URL, "pdf"])
def test_a_customer_is_sent_to_the_staff_login(client, alice, carols_letter, url):
    if url == "pdf":
        url = reverse("admin:portal_printqueueletter_pdf", args=[carols_letter.pk])
    client.force_login(alice)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_an_engineer_cannot_see_the_print_queue_or_its_letters(client, eric, carols_letter):
    client.force_login(eric)

    assert client.get(QUEUE_URL).status_code == 403
    assert client.get(reverse("admin:portal_printqueueletter_pdf", args=[carols_letter.pk])).status_code == 404
    response = client.post(QUEUE_URL, {"action": "mark_posted", "_selected_action": [carols_letter.pk]})
    assert response.status_code == 403
    carols_letter.refresh_from_db()
    assert carols_letter.status == Status.TO_PRINT


def test_send_again_requeues_and_sends_failed_messages_only(client, sam, alice, bob, settings, on_commit):
    settings.EMAIL_BACKEND = "tests.portal.test_outbox.BrokenBackend"
    settings.OUTBOX_MAX_ATTEMPTS = 1
    with on_commit():
        failed = outbox.send_to_customer(
            alice, kind="welcome", template="accounts/welcome", subject="Welcome, Alice", context={}
        )
    failed.refresh_from_db()
    assert failed.status == Status.FAILED
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with on_commit():
        sent = outbox.send_to_customer(
            bob, kind="welcome", template="accounts/welcome", subject="Welcome, Bob", context={}
        )
    assert [m.subject for m in mail.outbox] == ["Welcome, Bob"]
    client.force_login(sam)

    with on_commit():
        response = client.post(
            OUTBOX_URL, {"action": "send_again", "_selected_action": [failed.pk, sent.pk]}, follow=True
        )

    assert "1 message(s) queued to send again." in response.content.decode()
    assert [m.subject for m in mail.outbox] == ["Welcome, Bob", "Welcome, Alice"]
    failed.refresh_from_db()
    assert failed.status == Status.SENT
    assert failed.last_error == ""


def test_the_print_queue_page_costs_the_same_queries_for_1_or_20_letters(client, sam, django_assert_num_queries):
    queued_letter("Customer 0", 0)
    client.force_login(sam)
    client.get(QUEUE_URL)  # warm caches (content types, permissions) that only the first request fills

    with CaptureQueriesContext(connection) as one_letter:
        page = client.get(QUEUE_URL).content.decode()
    assert "Customer 0" in page
    for number in range(1, 20):
        queued_letter(f"Customer {number}", number)

    with django_assert_num_queries(len(one_letter.captured_queries)):
        response = client.get(QUEUE_URL)

    page = response.content.decode()
    assert all(f"Customer {number}<" in page for number in range(20))
    assert response.context["cl"].result_count == 20


def test_a_letter_opened_in_the_print_queue_offers_its_pdf(client, sam, carols_letter):
    client.force_login(sam)

    response = client.get(reverse("admin:portal_printqueueletter_change", args=[carols_letter.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert reverse("admin:portal_printqueueletter_pdf", args=[carols_letter.pk]) in page
    assert "3 High Street" in page


@pytest.fixture
def failed_email_with_attachment(db, settings, on_commit):
    settings.EMAIL_BACKEND = "tests.portal.test_outbox.BrokenBackend"
    settings.OUTBOX_MAX_ATTEMPTS = 1
    request = CodeCopyRequest.objects.create(name="Dana Dawson", method="email", email="dana@example.co.uk")
    with on_commit():
        message = outbox.email(
            kind="code_copy",
            to_email="dana@example.co.uk",
            to_name="Dana Dawson",
            template="portal/code_copy",
            subject="The Code",
            context={},
            concerning=request,
            attachments=[outbox.Attachment(filename="code.pdf", html="<p>Dispute resolution</p>")],
        )
    message.refresh_from_db()
    assert message.status == Status.FAILED
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return message


def test_staff_find_a_failed_message_flagged_with_its_error(client, sam, failed_email_with_attachment):
    client.force_login(sam)

    flagged = client.get(OUTBOX_URL, {"attention": "failed"})
    change = client.get(reverse("admin:portal_outboxmessage_change", args=[failed_email_with_attachment.pk]))

    assert [m.pk for m in flagged.context["cl"].result_list] == [failed_email_with_attachment.pk]
    assert "Failed: not sent, safe to send again" in flagged.content.decode()
    assert "ConnectionRefusedError: [Errno 111] Connection refused" in change.content.decode()


def test_customer_services_see_and_download_an_emails_attachment(client, sam, failed_email_with_attachment):
    message = failed_email_with_attachment
    attachment = message.attachments.get()
    download_url = reverse("admin:portal_outboxmessage_attachment", args=[message.pk, attachment.pk])
    client.force_login(sam)

    page = client.get(reverse("admin:portal_outboxmessage_change", args=[message.pk])).content.decode()
    response = client.get(download_url)

    assert response["Content-Type"] == "application/pdf"
    assert "Dispute resolution" in pdf_text(response.content)
    # Staff must be able to find that link: the attachments are listed on the message's page.
    assert "code.pdf" in page
    assert download_url in page
