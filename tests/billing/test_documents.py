"""Invoice PDFs: rendered once at issue, stored, every field of a UK VAT invoice on them, and sent: emailed
with the stored PDF attached, or posted from the print queue for customers who take letters."""

from datetime import date
from decimal import Decimal
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse

from billing import documents
from billing.models import AccountCharge
from billing.services.issuing import invoice_issue_for_period
from portal.models import Channel, OutboxAttachment, OutboxMessage, Status
from tests.billing.run_helpers import held, issue_time, media  # noqa: F401  (fixture)
from tests.helpers import pdf_text

JAN = date(2027, 1, 1)


@pytest.fixture(autouse=True)
def in_january(media):
    with mock.patch("portal.clock.today", return_value=JAN):
        yield


def issue(customer, on_commit):
    with on_commit():
        invoice = invoice_issue_for_period(customer=customer, period=JAN, now=issue_time(JAN))
    invoice.refresh_from_db()
    return invoice


def test_the_pdf_carries_every_field_of_a_uk_vat_invoice(alice, on_commit, settings):
    settings.BILLING_COMPANY = {
        **settings.BILLING_COMPANY,
        "legal_name": "121 Communications Ltd",
        "vat_number": "GB 123 4567 89",
        "cheques_payable_to": "121 Communications Ltd",
        "bank_account_name": "121 Comms Ltd Client",
        "bank_sort_code": "30-94-57",
        "bank_account_number": "12345678",
    }
    service = held(alice, start=date(2027, 1, 18), setup_fee="50.00")
    AccountCharge.objects.create(customer=alice, description="Goodwill credit", amount="-10.00", vat_rate="0.200")
    invoice = issue(alice, on_commit)
    assert invoice.pdf and invoice.pdf_rendered_at
    text = pdf_text(invoice.pdf.read())
    for expected in [
        "VAT invoice INV-000001",
        "Invoice number INV-000001",
        "Date of issue Friday 1 January 2027",
        "Tax point Friday 1 January 2027",
        "121 Communications Ltd",
        "4 Firmin Avenue",
        "ME17 4NN",
        "VAT registration number: GB 123 4567 89",
        "Alice Archer",
        "12 Orchard Way",
        "ME17 4AA",
        "Account username alice",
        f"FTTC fibre broadband ({service.reference}), 14 of 31 days",
        "18/01/2027 to 31/01/2027",
        "0.4516 £25.00 20% £11.29",
        "Set-up fee: FTTC fibre broadband",
        "1 £50.00 20% £50.00",
        "Goodwill credit",
        "-£10.00",
        "Total excluding VAT £51.29",
        "VAT at 20% on £51.29 £10.26",
        "Total VAT £10.26",
        "Total due for this invoice £61.55",
        "Balance brought forward £0.00",
        "Payment due by Friday 15 January 2027",
        "cheque payable to 121 Communications Ltd",
        "account name 121 Comms Ltd Client, sort code 30-94-57, account number 12345678",
        "quoting INV-000001",
    ]:
        assert expected in text, expected
    assert (invoice.net, invoice.vat, invoice.total) == (Decimal("51.29"), Decimal("10.26"), Decimal("61.55"))


def test_the_pdf_is_emailed_as_the_stored_file_not_a_copy_in_the_database(alice, on_commit):
    held(alice, start=date(2026, 6, 1))
    invoice = issue(alice, on_commit)
    [email] = mail.outbox
    assert email.to == ["Alice Archer <alice@example.co.uk>"]
    assert "INV-000001" in email.subject and "£30.00" in email.body and "30-94-57" in email.body
    [(filename, content, mimetype)] = email.attachments
    assert (filename, mimetype) == ("INV-000001.pdf", "application/pdf")
    assert content == invoice.pdf.open("rb").read()
    [attachment] = OutboxAttachment.objects.all()
    assert attachment.content is None and attachment.stored_name == invoice.pdf.name


def test_it_is_rendered_once_whatever_repeats_the_task(alice, on_commit, media):
    held(alice, start=date(2026, 6, 1))
    invoice = issue(alice, on_commit)
    first = invoice.pdf.name
    with on_commit():
        assert documents.invoice_document_issue(invoice_id=invoice.pk) is False
    invoice.refresh_from_db()
    assert invoice.pdf.name == first
    assert len(list(media.rglob("*.pdf"))) == 1 and OutboxMessage.objects.count() == 1


def test_a_customer_who_takes_letters_has_it_posted_with_a_covering_letter(carol, ann, on_commit, client):
    held(carol, "isdn2", start=date(2026, 6, 1))
    invoice = issue(carol, on_commit)
    assert mail.outbox == []
    [letter] = OutboxMessage.objects.all()
    assert (letter.channel, letter.status, letter.kind) == (Channel.LETTER, Status.TO_PRINT, "invoice_issued")
    enclosure = letter.attachments.get(filename="INV-000001.pdf")
    assert enclosure.content is None and enclosure.stored_name == invoice.pdf.name
    covering = pdf_text(letter.attachments.get(filename="letter.pdf").read())
    assert "Your invoice INV-000001 is enclosed" in covering and "Carol's Bakery Ltd" in covering
    client.force_login(ann)
    queue = client.get(reverse("admin:portal_printqueueletter_changelist"))
    assert "INV-000001.pdf" in queue.content.decode()
    download = client.get(reverse("admin:portal_outboxmessage_attachment", args=[letter.pk, enclosure.pk]))
    assert download.status_code == 200 and bytes(download.content) == invoice.pdf.open("rb").read()


def test_rendering_an_invoice_fetches_nothing_at_all(alice):
    from portal.pdf import StaticOnlyFetcher

    held(alice, start=date(2026, 6, 1))
    invoice = invoice_issue_for_period(customer=alice, period=JAN, now=issue_time(JAN))
    with mock.patch.object(StaticOnlyFetcher, "fetch", side_effect=AssertionError("fetched")) as fetch:
        assert documents.invoice_pdf_bytes(invoice).startswith(b"%PDF")
    assert fetch.call_count == 0  # no font, image or stylesheet URL: the stylesheets are parsed once, from disk


def test_an_account_we_cannot_reach_keeps_its_pdf_and_staff_see_why(db, on_commit):
    from tests.factories import CustomerFactory

    nowhere = CustomerFactory(email="", address="", postcode="")
    held(nowhere, start=date(2026, 6, 1))
    invoice = issue(nowhere, on_commit)
    assert invoice.pdf and not OutboxMessage.objects.exists()
    assert "could not be sent" in invoice.events.get(kind="note").text
