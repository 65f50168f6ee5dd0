"""The Accounts team's invoice and credit note lists: filters by status, run and month of issue, search by
number and customer, read-only pages with lines, allocations, credit notes and events, and any PDF."""

import re
from datetime import date
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.urls import reverse

from billing.admin_invoices import number_candidates
from billing.models import Invoice, InvoiceEvent, InvoiceEventKind, InvoiceStatus
from billing.services.payments import allocation_make, payment_record
from portal import admin_scale
from tests.billing.ledger_helpers import issued_invoice
from tests.billing.page_helpers import attach_pdf, billing_run, credit_note, media  # noqa: F401
from tests.factories import CustomerFactory
from tests.helpers import pdf_text, shows, visible_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

CHANGELIST = reverse("admin:billing_invoice_changelist")


@pytest.fixture(autouse=True)
def late_january():
    with mock.patch("portal.clock.today", return_value=date(2027, 1, 20)):
        yield


def listed(response):
    """The invoice numbers in the changelist's rows."""
    html = response.content.decode()
    if 'id="result_list"' not in html:
        return set()
    table = html[html.index('id="result_list"') : html.index("</table>", html.index('id="result_list"'))]
    return set(re.findall(r"INV-\d{6}", table))


@pytest.fixture
def ledger(alice, bob):
    """One invoice in each state, as of 20 January 2027."""
    due = issued_invoice(alice, "60.00", issue_date=date(2027, 1, 10))
    part = issued_invoice(bob, "30.00", issue_date=date(2027, 1, 12))
    overdue = issued_invoice(alice, "48.00", issue_date=date(2026, 12, 1))
    paid = issued_invoice(bob, "24.00", issue_date=date(2026, 12, 2))
    credited = issued_invoice(alice, "12.00", issue_date=date(2026, 11, 3))
    draft = issued_invoice(alice, "99.00", issue_date=None)
    Invoice.objects.filter(pk=draft.pk).update(status=InvoiceStatus.DRAFT)
    payment_record(
        customer=bob,
        method="cheque",
        received_on=date(2027, 1, 14),
        amount="34.00",
        allocations=[(part, "10.00"), (paid, "24.00")],
    )
    allocation_make(invoice=credited, amount=Decimal("12.00"), credit_note=credit_note(credited, "10.00"))
    return {"due": due, "part": part, "overdue": overdue, "paid": paid, "credited": credited, "draft": draft}


@pytest.mark.parametrize(
    "state, expected",
    [
        ("due", ["due"]),
        ("part_paid", ["part"]),
        ("overdue", ["overdue"]),
        ("paid", ["paid"]),
        ("credited", ["credited"]),
    ],
)
def test_the_list_is_filtered_by_status(client, ann, ledger, state, expected):
    client.force_login(ann)

    response = client.get(CHANGELIST, {"state": state})

    assert listed(response) == {ledger[name].number for name in expected}


def test_each_row_shows_its_status_in_words(client, ann, ledger):
    client.force_login(ann)

    html = client.get(CHANGELIST).content.decode()

    assert 'class="invoice-state invoice-overdue">Overdue</span>' in html
    assert 'class="invoice-state invoice-part_paid">Part paid</span>' in html


def test_overdue_and_due_use_the_partial_index_on_open_invoices(ann, ledger, rf):
    from billing.admin_invoices import StateFilter

    for state in ("overdue", "due"):
        request = rf.get(CHANGELIST, {"state": state})
        request.user = ann
        chosen = StateFilter(request, {"state": [state]}, Invoice, None)
        sql, params = chosen.queryset(request, Invoice.objects.all()).query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
            plan = " ".join(row[0] for row in cursor.fetchall())
        assert "billing_invoice_open_due" in plan, plan


def test_the_list_is_filtered_by_billing_run(client, ann, alice, bob):
    january, february = billing_run(date(2027, 1, 1)), billing_run(date(2027, 2, 1))
    in_january = issued_invoice(alice, "10.00")
    in_february = issued_invoice(bob, "10.00")
    Invoice.objects.filter(pk=in_january.pk).update(run=january)
    Invoice.objects.filter(pk=in_february.pk).update(run=february)
    client.force_login(ann)

    response = client.get(CHANGELIST, {"run": january.pk})

    assert listed(response) == {in_january.number}
    assert "January 2027" in visible_text(response) and "February 2027" in visible_text(response)  # the choices


def test_the_list_is_filtered_by_month_of_issue_not_a_date_hierarchy(client, ann, ledger):
    client.force_login(ann)

    response = client.get(CHANGELIST, {"issued": "2026-12"})

    assert listed(response) == {ledger["overdue"].number, ledger["paid"].number}
    assert shows(response, "December 2026")
    assert shows(response, "February 2026")  # twelve months back
    assert "date_hierarchy" not in response.content.decode() and "xfull" not in response.content.decode()


def test_a_month_that_is_not_a_month_leaves_the_list_whole(client, ann, ledger):
    client.force_login(ann)

    response = client.get(CHANGELIST, {"issued": "2026-13"})

    assert response.status_code == 200
    assert ledger["due"].number in listed(response)


@pytest.mark.parametrize("typed", ["INV-009123", "inv-009123", "inv 9123", "INV9123", "9123", " 009123 "])
def test_search_by_number_is_exact_and_tolerant(client, ann, alice, typed):
    wanted = issued_invoice(alice, "10.00", number="INV-009123")
    issued_invoice(alice, "10.00", number="INV-091230")  # holds the digits, is not the number
    client.force_login(ann)

    response = client.get(CHANGELIST, {"q": typed})

    assert listed(response) == {wanted.number}


def test_number_candidates_are_none_for_words():
    assert number_candidates("alice", "INV-") is None
    assert number_candidates("inv 12", "INV-") == {"INV-000012", "INV-12", "INV 12"}


def test_search_by_customer_username_name_or_email(client, ann):
    dora = CustomerFactory(username="dora77", full_name="Dora Dunn", email="dora@mail.example")
    mine = issued_invoice(dora, "10.00")
    issued_invoice(CustomerFactory(), "10.00")
    client.force_login(ann)

    for term in ("dora77", "Dunn", "dora@mail.example"):
        assert listed(client.get(CHANGELIST, {"q": term})) == {mine.number}, term


def test_the_invoice_page_is_read_only_with_lines_allocations_credit_notes_and_events(client, ann, ledger):
    invoice = ledger["part"]
    InvoiceEvent.objects.create(invoice=invoice, kind=InvoiceEventKind.NOTE, text="Customer rang about it.")
    note = credit_note(invoice, "2.00")
    client.force_login(ann)

    response = client.get(reverse("admin:billing_invoice_change", args=[invoice.pk]))

    assert response.status_code == 200
    text = visible_text(response)
    assert "Cheque £34.00 on 14/01/2027" in text  # the allocation's payment
    assert note.number in text
    assert "Customer rang about it." in text
    assert "£10.00 received by cheque" in text
    html = response.content.decode()
    assert 'name="_save"' not in html and "deletelink" not in html
    assert client.post(reverse("admin:billing_invoice_change", args=[invoice.pk]), {"total": "1.00"}).status_code == 403
    assert client.post(reverse("admin:billing_invoice_delete", args=[invoice.pk]), {"post": "yes"}).status_code == 403
    invoice.refresh_from_db()
    assert invoice.total == Decimal("30.00")


def test_nobody_adds_changes_or_deletes_an_invoice_not_even_an_administrator(client, ledger, django_user_model):
    admin_user = django_user_model.objects.create_superuser("root", "root@121com.co.uk", "x")
    client.force_login(admin_user)
    invoice = ledger["due"]

    assert client.get(reverse("admin:billing_invoice_add")).status_code == 403
    assert client.post(reverse("admin:billing_invoice_delete", args=[invoice.pk]), {"post": "yes"}).status_code == 403
    assert "delete_selected" not in client.get(CHANGELIST).content.decode()
    assert Invoice.objects.filter(pk=invoice.pk).exists()


def test_accounts_download_any_invoice_pdf_from_the_list(client, ann, alice):
    invoice = attach_pdf(issued_invoice(alice, "60.00"))
    client.force_login(ann)

    url = reverse("admin:billing_invoice_pdf", args=[invoice.pk])
    listing = client.get(CHANGELIST).content.decode()
    response = client.get(url)

    assert url in listing
    assert response["Content-Disposition"] == f'attachment; filename="{invoice.number}.pdf"'
    assert invoice.number in pdf_text(b"".join(response.streaming_content))


def test_a_pdf_not_yet_rendered_says_so_in_the_admin(client, ann, alice):
    invoice = issued_invoice(alice, "60.00")
    client.force_login(ann)

    response = client.get(reverse("admin:billing_invoice_pdf", args=[invoice.pk]), follow=True)

    assert shows(response, f"The PDF of {invoice.number} is being prepared")


def test_accounts_download_a_credit_note_pdf(client, ann, alice):
    note = attach_pdf(credit_note(issued_invoice(alice, "60.00"), "5.00"))
    client.force_login(ann)

    listing = client.get(reverse("admin:billing_creditnote_changelist"))
    response = client.get(reverse("admin:billing_creditnote_pdf", args=[note.pk]))

    assert note.number in visible_text(listing)
    assert response["Content-Disposition"] == f'attachment; filename="{note.number}.pdf"'


def test_credit_notes_are_searched_by_their_own_number(client, ann, alice):
    note = credit_note(issued_invoice(alice, "60.00"), "5.00", number="CRN-000042")
    credit_note(issued_invoice(alice, "60.00"), "5.00", number="CRN-000043")
    client.force_login(ann)

    response = client.get(reverse("admin:billing_creditnote_changelist"), {"q": "crn 42"})

    assert note.number in visible_text(response) and "CRN-000043" not in visible_text(response)


def test_the_list_never_counts_the_whole_table(client, ann, alice, monkeypatch):
    monkeypatch.setattr(admin_scale, "COUNT_CAP", 3)
    for _ in range(5):
        issued_invoice(alice, "10.00")
    client.force_login(ann)

    response = client.get(CHANGELIST)

    assert shows(response, "3 or more invoices")
    assert not shows(response, "5 invoices")
