"""The invoice pages cost the same number of queries however many rows they show (no N+1): the customer's
list, the account overview, and the Accounts team's changelists, each with 1 and with 50 documents."""

from datetime import date, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.urls import reverse

from billing.models import Invoice
from billing.services.payments import allocation_make, payment_record
from tests.billing.ledger_helpers import issued_invoice
from tests.billing.page_helpers import attach_pdf, billing_run, credit_note, media, small_pdf  # noqa: F401
from tests.factories import CustomerFactory
from tests.helpers import queries_for_get

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


@pytest.fixture(autouse=True)
def late_january():
    with mock.patch("portal.clock.today", return_value=date(2027, 1, 20)):
        yield


def queries(client, url):
    """The queries of a GET once the process's caches are warm (the first admin page of a test run also
    loads the content types)."""
    client.get(url)
    return queries_for_get(client, url)


@pytest.fixture(scope="module")
def pdf():
    return small_pdf("An invoice")


def make_invoices(customer, count, *, pdf, start=0):
    """A mix: every state, some with PDFs and credit notes, some in runs (one a single account's run)."""
    made = []
    for i in range(start, start + count):
        who = customer or CustomerFactory()
        invoice = issued_invoice(who, "60.00", issue_date=date(2026, 1, 1) + timedelta(days=i * 7))
        if i % 2:
            attach_pdf(invoice, pdf)
        if i % 3 == 1:
            payment_record(
                customer=who,
                method="cheque",
                received_on=date(2027, 1, 10),
                amount="20.00",
                allocations=[(invoice, "20.00")],
            )
        if i % 5 == 2:
            note = attach_pdf(credit_note(invoice, "5.00"), pdf)
            allocation_make(invoice=invoice, amount=Decimal("6.00"), credit_note=note)
        if i % 4 == 3:
            run = billing_run(date(2026, 1 + i % 12, 1))
            if i % 8 == 7:
                run.customer = who
                run.save()
            Invoice.objects.filter(pk=invoice.pk).update(run=run)
        made.append(invoice)
    return made


def test_the_customers_invoices_page_costs_the_same_with_1_and_50_invoices(client, alice, pdf):
    client.force_login(alice)
    make_invoices(alice, 1, pdf=pdf, start=2)  # one with a credit note: both tables are on the page
    url = reverse("billing:invoice_list")
    one = queries(client, url)

    made = make_invoices(alice, 49, pdf=pdf, start=3)
    fifty = queries(client, url)

    page = client.get(url).content.decode()
    assert made[-1].number in page and "Credit notes" in page
    assert fifty == one


def test_the_account_overview_costs_the_same_with_1_and_50_invoices(client, alice, pdf):
    client.force_login(alice)
    make_invoices(alice, 1, pdf=pdf)
    url = reverse("accounts:dashboard")
    one = queries(client, url)

    make_invoices(alice, 49, pdf=pdf, start=1)

    assert queries(client, url) == one


@pytest.mark.parametrize("query", [{}, {"state": "overdue"}, {"q": "example"}, {"issued": "2026-06"}])
def test_the_invoice_changelist_costs_the_same_with_1_and_50_invoices(client, ann, pdf, query):
    client.force_login(ann)
    make_invoices(None, 1, pdf=pdf)
    url = reverse("admin:billing_invoice_changelist")
    one = queries(client, url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""))

    made = make_invoices(None, 49, pdf=pdf, start=1)
    fifty = queries(client, url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""))

    if not query:
        page = client.get(url).content.decode()
        assert made[-1].number in page and "50 invoices" in page
    assert fifty == one


def test_the_credit_note_changelist_costs_the_same_with_1_and_50_credit_notes(client, ann, pdf):
    client.force_login(ann)
    url = reverse("admin:billing_creditnote_changelist")
    credit_note(issued_invoice(CustomerFactory(), "60.00"), "5.00")
    one = queries(client, url)

    for _ in range(49):
        attach_pdf(credit_note(issued_invoice(CustomerFactory(), "60.00"), "5.00"), pdf)

    assert queries(client, url) == one
    assert "50 credit notes" in client.get(url).content.decode()


def test_the_invoice_page_costs_the_same_with_1_and_30_payments(client, ann, alice):
    invoice = issued_invoice(alice, "300.00")
    client.force_login(ann)
    url = reverse("admin:billing_invoice_change", args=[invoice.pk])
    payment_record(customer=alice, method="cheque", received_on=date(2027, 1, 1), amount="1.00")
    credit_note(invoice, "0.50")
    one = queries(client, url)

    for day in range(29):
        payment_record(customer=alice, method="transfer", received_on=date(2027, 1, 1 + day % 19), amount="1.00")
        credit_note(invoice, "0.50")

    assert queries(client, url) == one
