"""The staff admin fits the staff's work: letters in the print queue named in words with their download
first, and every time on the 24-hour clock as the customer pages write it."""

from datetime import UTC, datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.template import Context, Template
from django.urls import reverse

from portal import outbox
from portal.models import Channel, CodeCopyRequest, OutboxMessage, Status
from tests.helpers import visible_text

pytestmark = pytest.mark.django_db


def test_the_print_queue_names_each_letter_in_words_and_puts_its_download_first(client, sam):
    request = CodeCopyRequest.objects.create(name="Dora", method="post", address="1 Mill Lane", postcode="ME15 6AA")
    OutboxMessage.objects.create(
        channel=Channel.LETTER,
        kind="code_copy",
        status=Status.TO_PRINT,
        to_name="Dora",
        postal_address="1 Mill Lane\nMaidstone\nME15 6AA",
        subject="The Code of Practice",
        concerning_type=ContentType.objects.get_for_model(CodeCopyRequest),
        concerning_id=request.pk,
    )
    client.force_login(sam)

    page = client.get(reverse("admin:portal_printqueueletter_changelist")).content.decode()

    assert "Copy of the Code of Practice" in page
    assert ">code_copy<" not in page
    header = page[page.index('id="result_list"') :]
    header = header[: header.index("</thead>")]
    assert header.index("Due at") < header.index("Letter") < header.index("Kind") < header.index("Address")


def test_a_kind_nobody_named_reads_as_words():
    assert outbox.kind_label("complaint_ack") == "Complaint acknowledgement"
    assert outbox.kind_label("some_new_kind") == "Some new kind"


def test_django_formats_times_on_the_24_hour_clock_in_uk_order(settings):
    at = datetime(2026, 12, 2, 18, 12, tzinfo=UTC)

    text = Template("{{ at }}|{{ at|date }}|{{ at|time }}|{{ at|date:'SHORT_DATETIME_FORMAT' }}").render(
        Context({"at": at})
    )

    assert text == "2 Dec 2026, 18:12|2 Dec 2026|18:12|02/12/2026 18:12"


def test_the_admin_shows_a_complaints_times_on_the_24_hour_clock(client, sam, alice):
    from complaints import services

    complaint = services.complaint_open(customer=alice, category="billing", what_happened="Charged twice.")
    client.force_login(sam)

    page = visible_text(client.get(reverse("admin:complaints_complaint_change", args=[complaint.pk])))

    assert "a.m." not in page and "p.m." not in page
