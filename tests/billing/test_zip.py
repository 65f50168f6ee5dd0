"""A run's PDFs, or a selection's, as one ZIP streamed from storage: exactly those PDFs, named after their
numbers, and never the whole archive in memory."""

import io
import zipfile
from datetime import date

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from billing import zips
from billing.models import Invoice, InvoiceStatus
from tests.billing.ledger_helpers import issued_invoice
from tests.billing.page_helpers import attach_pdf, billing_run, credit_note, media, small_pdf  # noqa: F401
from tests.helpers import pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


def in_run(invoice, run):
    Invoice.objects.filter(pk=invoice.pk).update(run=run)
    invoice.refresh_from_db()
    return invoice


def unzip(response):
    assert isinstance(response, StreamingHttpResponse)
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


@pytest.fixture
def january(alice, bob, carol):
    run = billing_run(date(2027, 1, 1))
    invoices = [attach_pdf(in_run(issued_invoice(who, "60.00"), run)) for who in (alice, bob, carol)]
    return run, invoices


def test_the_run_zip_holds_exactly_the_runs_pdfs_named_by_number(client, ann, alice, january):
    run, invoices = january
    other_run = billing_run(date(2027, 2, 1))
    attach_pdf(in_run(issued_invoice(alice, "70.00"), other_run))  # another run's
    attach_pdf(issued_invoice(alice, "80.00"))  # in no run
    attach_pdf(credit_note(invoices[0], "5.00"))  # a credit note on one of the run's invoices
    not_rendered = in_run(issued_invoice(alice, "90.00"), run)  # no PDF yet: left out, never an empty file
    client.force_login(ann)

    response = client.get(reverse("admin:billing_invoice_run_zip", args=[run.pk]))

    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == f'attachment; filename="invoices-2027-01-run-{run.pk}.zip"'
    archive = unzip(response)
    assert archive.testzip() is None
    assert sorted(archive.namelist()) == sorted(f"{i.number}.pdf" for i in invoices)
    assert f"{not_rendered.number}.pdf" not in archive.namelist()
    for invoice in invoices:
        stored = invoice.pdf.open("rb").read()
        assert archive.read(f"{invoice.number}.pdf") == stored
        assert invoice.number in pdf_text(stored)


def test_a_run_that_does_not_exist_is_404(client, ann):
    client.force_login(ann)

    assert client.get(reverse("admin:billing_invoice_run_zip", args=[987654])).status_code == 404


def test_the_filtered_list_links_the_runs_zip(client, ann, january):
    run, _ = january
    client.force_login(ann)

    page = client.get(reverse("admin:billing_invoice_changelist"), {"run": run.pk}).content.decode()

    assert reverse("admin:billing_invoice_run_zip", args=[run.pk]) in page
    assert "Download the PDFs of the run January 2027 as one ZIP" in page


def test_the_selection_zip_holds_the_selected_pdfs_only(client, ann, january):
    _, invoices = january
    chosen = invoices[:2]
    client.force_login(ann)

    response = client.post(
        reverse("admin:billing_invoice_changelist"),
        {"action": "download_zip", "_selected_action": [i.pk for i in chosen]},
    )

    assert sorted(unzip(response).namelist()) == sorted(f"{i.number}.pdf" for i in chosen)


def test_a_selection_of_credit_notes_zips_their_pdfs(client, ann, january):
    _, invoices = january
    notes = [attach_pdf(credit_note(i, "5.00")) for i in invoices[:2]]
    client.force_login(ann)

    response = client.post(
        reverse("admin:billing_creditnote_changelist"),
        {"action": "download_zip", "_selected_action": [n.pk for n in notes]},
    )

    assert sorted(unzip(response).namelist()) == sorted(f"{n.number}.pdf" for n in notes)


def test_the_zip_is_streamed_reading_each_file_only_when_the_stream_reaches_it(january, monkeypatch):
    run, invoices = january
    storage = Invoice._meta.get_field("pdf").storage
    opened = []
    real_open = storage.open

    def watched_open(name, mode="rb"):
        opened.append(name)
        return real_open(name, mode)

    monkeypatch.setattr(storage, "open", watched_open)
    monkeypatch.setattr(zips, "CHUNK", 1024)  # several chunks per PDF
    chunks = zips.zip_chunks(Invoice.objects.filter(run=run))

    first = next(chunks)
    assert opened == []  # the first file's header goes before any file is read
    sizes = [len(first)]
    while len(opened) < 2:
        sizes.append(len(next(chunks)))
    assert len(opened) == 2  # the second file is opened only once the first is written
    rest = list(chunks)
    assert len(opened) == 3
    smallest_pdf = min(i.pdf.size for i in invoices)
    assert smallest_pdf > 2048 and max(sizes + [len(c) for c in rest]) < smallest_pdf  # never a whole file at once


def test_drafts_are_never_in_a_runs_zip(client, ann, january, alice):
    run, invoices = january
    draft = attach_pdf(in_run(issued_invoice(alice, "10.00", number="INV-DRAFT9"), run))
    Invoice.objects.filter(pk=draft.pk).update(status=InvoiceStatus.DRAFT)
    client.force_login(ann)

    names = unzip(client.get(reverse("admin:billing_invoice_run_zip", args=[run.pk]))).namelist()

    assert "INV-DRAFT9.pdf" not in names and len(names) == 3
