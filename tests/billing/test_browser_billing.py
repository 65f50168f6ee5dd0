"""In real Chromium: a customer opens Invoices from the menu and downloads her invoice's PDF; an accounts
user filters the admin's invoice list by run and downloads the run's PDFs as one ZIP."""

import io
import zipfile
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from billing.models import Invoice
from portal import clock
from tests.billing.ledger_helpers import issued_invoice
from tests.billing.page_helpers import attach_pdf, billing_run, media  # noqa: F401
from tests.browser.helpers import log_in, log_in_to_admin
from tests.helpers import pdf_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("media")]


def in_run(invoice, run):
    Invoice.objects.filter(pk=invoice.pk).update(run=run)
    invoice.refresh_from_db()
    return invoice


def test_a_customer_downloads_her_invoice_and_accounts_download_a_runs_zip(
    live_server, page, alice, bob, ann, password
):
    run = billing_run(date(2027, 1, 1))
    issued = clock.today() - timedelta(days=3)
    alices = attach_pdf(in_run(issued_invoice(alice, "36.00", issue_date=issued), run))
    bobs = attach_pdf(in_run(issued_invoice(bob, "48.00", issue_date=issued), run))
    attach_pdf(issued_invoice(bob, "12.00", issue_date=issued))  # in no run

    # Alice finds her invoices in the menu and downloads the PDF.
    log_in(page, live_server.url, "alice", password)
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Invoices").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My invoices")
    row = page.locator("#invoices tbody tr", has_text=alices.number)
    expect(row).to_contain_text("£36.00")
    expect(row).to_contain_text("Due")
    expect(page.locator("#account-balance")).to_contain_text("You owe £36.00.")
    expect(page.locator("body")).not_to_contain_text(bobs.number)
    with page.expect_download() as download_info:
        row.get_by_role("link", name=f"Download {alices.number}").click()
    download = download_info.value
    assert download.suggested_filename == f"{alices.number}.pdf"
    with open(download.path(), "rb") as handle:
        pdf = handle.read()
    assert pdf.startswith(b"%PDF")
    assert alices.number in pdf_text(pdf)
    page.context.clear_cookies()

    # Ann, in accounts, filters the invoice list by the run and downloads its PDFs as one ZIP.
    log_in_to_admin(page, live_server.url, "ann", password)
    page.goto(live_server.url + "/admin/billing/invoice/")
    runs = page.locator("#changelist-filter details", has_text="By billing run")
    runs.get_by_role("link", name="January 2027").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(2)
    expect(page.locator("#result_list")).to_contain_text(alices.number)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the PDFs of the run January 2027 as one ZIP").click()
    download = download_info.value
    assert download.suggested_filename == f"invoices-2027-01-run-{run.pk}.zip"
    with open(download.path(), "rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    assert sorted(archive.namelist()) == sorted([f"{alices.number}.pdf", f"{bobs.number}.pdf"])
    assert bobs.number in pdf_text(archive.read(f"{bobs.number}.pdf"))
