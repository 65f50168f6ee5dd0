"""A customer's invoices page: each issued invoice with its status in words, what is left to pay, the
balance and how to pay; credit notes with the invoice each corrects; the account overview's card; the PDFs."""

from datetime import date, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.urls import reverse

from billing.models import InvoiceStatus
from billing.services.payments import payment_record
from tests.billing.ledger_helpers import issued_invoice
from tests.billing.page_helpers import attach_pdf, credit_note, media  # noqa: F401
from tests.helpers import pdf_text, shows, visible_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

URL = "/invoices/"


@pytest.fixture(autouse=True)
def late_january():
    with mock.patch("portal.clock.today", return_value=date(2027, 1, 20)):
        yield


def pay(customer, amount, allocations):
    return payment_record(
        customer=customer, method="transfer", received_on=date(2027, 1, 10), amount=amount, allocations=allocations
    )


def row_of(response, number):
    text = visible_text(response)
    text = text[text.index("Left to pay Status PDF") :]  # the invoices table
    start = text.index(number)
    return text[start : start + 160]


def test_the_invoices_page_is_at_invoices_in_the_customers_menu(client, alice):
    client.force_login(alice)

    page = client.get(reverse("accounts:dashboard")).content.decode()

    assert reverse("billing:invoice_list") == URL
    assert f'href="{URL}">Invoices</a>' in page


def test_each_invoice_shows_its_dates_total_what_is_left_and_its_status_in_words(client, alice):
    due = issued_invoice(alice, "60.00", issue_date=date(2027, 1, 10))  # due 24 January
    part = issued_invoice(alice, "30.00", issue_date=date(2027, 1, 12))
    overdue = issued_invoice(alice, "48.00", issue_date=date(2026, 12, 1))  # due 15 December
    paid = issued_invoice(alice, "24.00", issue_date=date(2026, 11, 1))
    credited = issued_invoice(alice, "12.00", issue_date=date(2026, 10, 1))
    pay(alice, "34.00", [(part, "10.00"), (paid, "24.00")])
    from billing.services.payments import allocation_make

    allocation_make(invoice=credited, amount=Decimal("12.00"), credit_note=credit_note(credited, "10.00"))
    client.force_login(alice)

    response = client.get(URL)

    assert response.status_code == 200
    assert row_of(response, due.number).startswith(f"{due.number} 10 January 2027 24 January 2027 £60.00 £60.00 Due")
    assert f"{part.number} 12 January 2027 26 January 2027 £30.00 £20.00 Part paid" in row_of(response, part.number)
    assert f"{overdue.number} 1 December 2026 15 December 2026 £48.00 £48.00 Overdue" in row_of(
        response, overdue.number
    )
    assert f"{paid.number} 1 November 2026 15 November 2026 £24.00 £0.00 Paid" in row_of(response, paid.number)
    assert f"{credited.number} 1 October 2026 15 October 2026 £12.00 £0.00 Credited" in row_of(
        response, credited.number
    )
    html = response.content.decode()
    # Colour says it too, never colour alone: the words are in the badge.
    assert 'text-bg-danger">Overdue</span>' in html
    assert 'text-bg-success">Paid</span>' in html
    assert 'text-bg-warning">Part paid</span>' in html


def test_drafts_and_other_customers_invoices_are_not_listed(client, alice, bob):
    mine = issued_invoice(alice, "60.00")
    draft = issued_invoice(alice, "70.00", number="INV-DRAFT1")
    draft.status = InvoiceStatus.DRAFT
    draft.save()
    bobs = issued_invoice(bob, "99.00")
    client.force_login(alice)

    response = client.get(URL)

    assert shows(response, mine.number)
    assert "INV-DRAFT1" not in response.content.decode()
    assert "£70.00" not in visible_text(response)
    assert bobs.number not in response.content.decode()


def test_the_page_shows_the_balance_and_the_next_payment_due(client, alice):
    issued_invoice(alice, "60.00", issue_date=date(2027, 1, 10))  # due Sunday 24 January 2027
    issued_invoice(alice, "30.00", issue_date=date(2027, 1, 15))
    client.force_login(alice)

    response = client.get(URL)

    assert shows(response, "You owe £90.00.")
    assert shows(response, "Next payment due: £60.00 by Sunday 24 January 2027.")


def test_credit_on_the_account_is_shown_as_credit(client, alice):
    invoice = issued_invoice(alice, "60.00")
    pay(alice, "80.00", [(invoice, "60.00")])
    client.force_login(alice)

    response = client.get(URL)

    assert shows(response, "You have £20.00 in credit.")
    assert not shows(response, "Next payment due")


def test_the_page_says_how_to_pay_quoting_the_invoice_number(client, alice, settings):
    settings.BILLING_COMPANY = {
        **settings.BILLING_COMPANY,
        "cheques_payable_to": "121 Communications Limited",
        "bank_account_name": "121 COMMS LTD",
        "bank_sort_code": "40-11-62",
        "bank_account_number": "87654321",
    }
    invoice = issued_invoice(alice, "60.00")
    client.force_login(alice)

    response = client.get(URL)

    assert shows(response, "By cheque, payable to 121 Communications Limited")
    assert shows(
        response,
        "By bank transfer to 121 COMMS LTD, sort code 40-11-62, account number 87654321, "
        "with the invoice number as the reference.",
    )
    assert shows(response, f"Please quote the invoice number (for instance {invoice.number})")


def test_credit_notes_are_listed_with_the_invoice_each_corrects(client, alice):
    invoice = issued_invoice(alice, "60.00")
    note = credit_note(invoice, "5.00")
    client.force_login(alice)

    response = client.get(URL)

    assert shows(response, f"{note.number} {note.issue_date.day} January 2027 {invoice.number} £6.00")


def test_the_invoice_pdf_downloads_as_its_number(client, alice):
    invoice = attach_pdf(issued_invoice(alice, "60.00"))
    client.force_login(alice)

    listing = client.get(URL).content.decode()
    response = client.get(reverse("billing:invoice_pdf", args=[invoice.pk]))

    assert reverse("billing:invoice_pdf", args=[invoice.pk]) in listing
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{invoice.number}.pdf"'
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF")
    assert invoice.number in pdf_text(body)


def test_the_credit_note_pdf_downloads_as_its_number(client, alice):
    note = attach_pdf(credit_note(issued_invoice(alice, "60.00"), "5.00"))
    client.force_login(alice)

    response = client.get(reverse("billing:credit_note_pdf", args=[note.pk]))

    assert response["Content-Disposition"] == f'attachment; filename="{note.number}.pdf"'
    assert note.number in pdf_text(b"".join(response.streaming_content))


def test_an_invoice_whose_pdf_is_not_rendered_yet_says_it_is_being_prepared(client, alice):
    invoice = issued_invoice(alice, "60.00")
    client.force_login(alice)

    listing = client.get(URL)
    response = client.get(reverse("billing:invoice_pdf", args=[invoice.pk]))

    assert shows(listing, f"{invoice.number} 1 January 2027 15 January 2027 £60.00 £60.00 Overdue Being prepared")
    assert response.status_code == 200
    assert shows(response, f"The PDF of your invoice {invoice.number} is being prepared.")


def test_a_pdf_missing_from_storage_says_it_is_being_prepared_rather_than_failing(client, alice, media):
    invoice = attach_pdf(issued_invoice(alice, "60.00"))
    (media / invoice.pdf.name).unlink()
    client.force_login(alice)

    response = client.get(reverse("billing:invoice_pdf", args=[invoice.pk]))

    assert response.status_code == 200
    assert shows(response, "is being prepared")


def test_an_old_account_is_shown_25_invoices_a_page(client, alice):
    invoices = [issued_invoice(alice, "10.00", issue_date=date(2024, 1, 1) + timedelta(days=30 * i)) for i in range(30)]
    client.force_login(alice)

    first = client.get(URL)
    second = client.get(URL + "?page=2")

    newest, oldest = invoices[-1], invoices[0]
    assert shows(first, newest.number) and not shows(first, oldest.number)
    assert shows(second, oldest.number) and not shows(second, newest.number)
    assert shows(first, "Page 1 of 2")
    assert visible_text(first).count("INV-") == 25 + 1  # the rows, and the example in "how to pay"


def test_the_account_overview_shows_the_balance_and_next_due_date(client, alice):
    issued_invoice(alice, "60.00", issue_date=date(2027, 1, 10))
    client.force_login(alice)

    response = client.get(reverse("accounts:dashboard"))

    assert shows(response, "Your balance: you owe £60.00. Next payment due: £60.00 by Sunday 24 January 2027.")
    assert 'href="/invoices/">My invoices</a>' in response.content.decode()


def test_the_account_overview_says_when_there_is_nothing_to_pay(client, alice):
    client.force_login(alice)

    assert shows(client.get(reverse("accounts:dashboard")), "Invoices and payments You have nothing to pay.")


def test_staff_following_a_customer_invoice_link_are_taken_to_the_admin(client, ann):
    client.force_login(ann)

    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:billing_invoice_changelist")


def test_a_visitor_is_asked_to_log_in(client):
    response = client.get(URL)

    assert response.status_code == 302 and "/account/login/" in response["Location"]


def test_a_payment_already_late_reads_as_overdue_not_due_by_a_past_day(client, alice):
    issued_invoice(alice, "30.00", issue_date=date(2026, 11, 1))
    client.force_login(alice)
    with mock.patch("portal.clock.today", return_value=date(2026, 12, 2)):
        response = client.get("/invoices/")

    assert shows(response, "Overdue: £30.00 was due by Sunday 15 November 2026.")
    assert not shows(response, "Next payment due")


def test_the_account_overview_figures_are_the_customers_own(client, alice, bob):
    """The overview reads every card's figures in one query of subqueries: each must stay on its customer."""
    first = issued_invoice(alice, "60.00", issue_date=date(2027, 1, 10))
    issued_invoice(alice, "25.00", issue_date=date(2027, 1, 12))
    pay(alice, Decimal("70.00"), [(first, Decimal("60.00"))])  # £10.00 left unallocated
    issued_invoice(bob, "999.00", issue_date=date(2027, 1, 5))
    client.force_login(alice)

    response = client.get(reverse("accounts:dashboard"))

    assert shows(response, "Your balance: you owe £15.00. Next payment due: £25.00 by Tuesday 26 January 2027.")
    assert "999" not in visible_text(response)


def test_the_account_overview_costs_the_same_queries_with_a_months_history_or_a_years(client, alice):
    from tests.helpers import queries_for_get

    issued_invoice(alice, "30.00", issue_date=date(2027, 1, 1))  # open: the next payment due is looked up
    client.force_login(alice)
    client.get(reverse("accounts:dashboard"))
    one_month = queries_for_get(client, reverse("accounts:dashboard"))
    for month in range(1, 12):
        invoice = issued_invoice(alice, "30.00", issue_date=date(2026, month, 1))
        pay(alice, Decimal("30.00"), [(invoice, Decimal("30.00"))])

    assert queries_for_get(client, reverse("accounts:dashboard")) == one_month
    assert one_month == 3  # session, customer, and every card's figures in one
