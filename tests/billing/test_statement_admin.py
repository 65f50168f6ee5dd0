"""Bank statements in the admin, as the accounts team uses them: upload a file, read the result, work the
review list and allocate a line; customer services and engineers cannot see any of it."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from billing.models import InvoiceStatus, LineOutcome, Payment, StatementImport, StatementLine
from billing.services.statements import statement_process
from tests.billing.ledger_helpers import issued_invoice
from tests.billing.statement_helpers import fixture, import_bytes, import_fixture, november_invoices, starling
from tests.helpers import queries_for_get, visible_text

pytestmark = pytest.mark.django_db
D = Decimal
UPLOAD = reverse("admin:billing_statementimport_add")
REVIEW_LIST = reverse("admin:billing_statementline_changelist")


@pytest.fixture
def invoices(alice, bob, carol):
    return november_invoices(alice, bob, carol)


def upload(client, name, data=None, bank=""):
    file = SimpleUploadedFile(name, data if data is not None else fixture(name), content_type="text/csv")
    return client.post(UPLOAD, {"file": file, "bank": bank}, follow=True)


def test_accounts_upload_a_statement_and_see_what_happened_to_each_line(client, ann, invoices, on_commit):
    client.force_login(ann)
    page = client.get(UPLOAD)
    assert page.status_code == 200 and "Import a bank statement" in visible_text(page)
    with on_commit():  # the worker's task runs after the upload's commit, once its page is drawn
        response = upload(client, "lloyds.csv")
    text = visible_text(response)
    statement = StatementImport.objects.get()
    result_url = reverse("admin:billing_statementimport_change", args=[statement.pk])
    assert response.redirect_chain[-1][0] == result_url
    assert "Statement lloyds.csv received: 4 lines, being imported now." in text
    assert "Being imported." in text and 'http-equiv="refresh"' in response.content.decode()
    response = client.get(result_url)  # the page refreshed, the worker done
    text = visible_text(response)
    assert 'http-equiv="refresh"' not in response.content.decode()
    assert "Paid automatically: 2" in text and "For review: 1" in text and "Ignored: 1" in text
    assert "Lines in the file: 4" in text
    assert "£30.00 to INV-000101" in text and "£1,200.00 to INV-000102" in text
    assert "Money out (a payment we made, a refund or a bank charge)" in text
    assert "No invoice number in the reference. Allocate or ignore" in text
    assert StatementImport.objects.get().imported_by == ann


def test_a_malformed_upload_shows_the_line_and_records_nothing(client, ann, invoices):
    client.force_login(ann)
    data = fixture("starling.csv") + b"19/11/2026,Dan Dare,INV103,FASTER PAYMENT,25.00,,INCOME\n"
    response = upload(client, "bad.csv", data)
    assert response.status_code == 200
    assert "Nothing was imported. Line 6: 7 columns where the Starling header has 8" in visible_text(response)
    assert StatementImport.objects.count() == 0 and Payment.objects.count() == 0


def test_uploading_the_same_file_twice_says_so(client, ann, invoices):
    client.force_login(ann)
    upload(client, "hsbc.csv")  # received: the second upload is refused before the worker has even begun
    response = upload(client, "hsbc.csv")
    assert "This statement was uploaded already (hsbc.csv, on" in visible_text(response)
    assert "and is being imported: nothing will be recorded twice." in visible_text(response)
    assert StatementImport.objects.count() == 1
    statement_process(statement_id=StatementImport.objects.get().pk)  # the worker's part
    response = upload(client, "hsbc.csv")
    assert "This statement was imported already (hsbc.csv, on" in visible_text(response)
    assert StatementImport.objects.count() == 1


def test_the_review_list_shows_each_line_with_its_suggestions(client, ann, invoices):
    import_fixture("starling.csv")
    client.force_login(ann)
    text = visible_text(client.get(REVIEW_LIST))
    assert "Carol Baker · thanks" in text
    assert "INV-000103 Carol Baker (carolsbakery, £18.00 due): the amount is the £18.00 still due" in text
    assert "Alice Archer" not in text  # paid automatically: not for review
    everything = visible_text(client.get(REVIEW_LIST + "?outcome=all"))
    assert "Alice Archer · inv-000101" in everything and "Paid automatically" in everything


def test_accounts_allocate_a_line_for_review_from_its_page(client, ann, invoices, carol):
    line = import_fixture("starling.csv").lines.get(outcome=LineOutcome.REVIEW)
    client.force_login(ann)
    url = reverse("admin:billing_statementline_resolve", args=[line.pk])
    page = client.get(url)
    assert page.context["resolve_form"]["invoice_1"].value() == "INV-000103"  # prefilled from the best suggestion
    assert page.context["resolve_form"]["amount_1"].value() == "18.00"
    response = client.post(url, {"invoice_1": "inv 103", "amount_1": "15.00", "customer": ""}, follow=True)
    assert "Line 5: £18.00 recorded for carolsbakery, £3.00 kept as credit." in visible_text(response)
    invoices["carol"].refresh_from_db()
    assert invoices["carol"].outstanding == D("3.00") and invoices["carol"].status == InvoiceStatus.OPEN
    line.refresh_from_db()
    assert line.outcome == LineOutcome.RESOLVED and line.resolved_by == ann


def test_a_wrong_allocation_is_shown_on_the_form_and_changes_nothing(client, ann, invoices, bob):
    line = import_fixture("starling.csv").lines.get(outcome=LineOutcome.REVIEW)
    issued_invoice(bob, "50.00", number="INV-000150")
    client.force_login(ann)
    url = reverse("admin:billing_statementline_resolve", args=[line.pk])
    response = client.post(url, {"invoice_1": "INV-000999", "amount_1": "18.00"})
    assert "INV-000999 is not an open invoice." in visible_text(response)
    response = client.post(url, {"invoice_1": "INV-000102", "amount_1": "18.00"})
    assert "INV-000102 is not an open invoice." in visible_text(response)  # Bob's, paid by this statement
    response = client.post(
        url, {"invoice_1": "INV-000103", "amount_1": "10.00", "invoice_2": "INV150", "amount_2": "8"}
    )
    assert "One payment pays one customer's invoices" in visible_text(response)
    response = client.post(url, {"invoice_1": "INV-000103", "amount_1": "18.001"})
    assert "must be in pounds and pence" in visible_text(response)
    line.refresh_from_db()
    assert line.outcome == LineOutcome.REVIEW and Payment.objects.count() == 2


def test_accounts_ignore_a_line_with_a_reason(client, ann, invoices):
    line = import_fixture("starling.csv").lines.get(outcome=LineOutcome.REVIEW)
    client.force_login(ann)
    url = reverse("admin:billing_statementline_ignore", args=[line.pk])
    assert "This field is required." in visible_text(client.post(url, {"reason": ""}))
    response = client.post(url, {"reason": "Refund from our supplier"}, follow=True)
    assert "Line 5: ignored." in visible_text(response)
    line.refresh_from_db()
    assert line.outcome == LineOutcome.IGNORED and line.why == "Ignored by staff: Refund from our supplier"


@pytest.mark.parametrize("who", ["sam", "eric"])
def test_customer_services_and_engineers_cannot_see_statements(client, who, request, invoices):
    statement = import_fixture("starling.csv")
    line = statement.lines.get(outcome=LineOutcome.REVIEW)
    client.force_login(request.getfixturevalue(who))
    index = visible_text(client.get(reverse("admin:index")))
    assert "Statement imports" not in index and "Statement lines" not in index
    for url in (
        UPLOAD,
        reverse("admin:billing_statementimport_changelist"),
        reverse("admin:billing_statementimport_change", args=[statement.pk]),
        REVIEW_LIST,
        reverse("admin:billing_statementline_resolve", args=[line.pk]),
    ):
        assert client.get(url).status_code == 403, url
    file = SimpleUploadedFile("lloyds.csv", fixture("lloyds.csv"))
    assert client.post(UPLOAD, {"file": file}).status_code == 403
    url = reverse("admin:billing_statementline_ignore", args=[line.pk])
    assert client.post(url, {"reason": "not ours"}).status_code == 403
    assert StatementImport.objects.count() == 1 and StatementLine.objects.get(pk=line.pk).outcome == "review"


def test_an_unknown_line_or_import_is_not_found(client, ann):
    client.force_login(ann)
    assert client.get(reverse("admin:billing_statementline_resolve", args=[999])).status_code == 404
    assert client.get(reverse("admin:billing_statementimport_change", args=[999])).status_code == 404


def _review_lines(n, *, name):
    rows = [("18/11/2026", f"Payer {name} {i}", f"thanks {i}", f"{10 + i}.00") for i in range(n)]
    return import_bytes(starling(*rows), name=name)


def test_the_review_list_and_result_page_cost_the_same_queries_with_1_and_50_lines(client, ann, invoices):
    client.force_login(ann)
    one, fifty = _review_lines(1, name="one.csv"), _review_lines(50, name="fifty.csv")
    assert fifty.lines.filter(outcome="review").count() == 50

    def counts(statement):
        review_list = queries_for_get(client, REVIEW_LIST + f"?statement__id__exact={statement.pk}")
        return review_list, queries_for_get(client, _result(statement))

    with_one, with_fifty = counts(one), counts(fifty)
    print(f"statement review list: {with_one[0]} queries with 1 line, {with_fifty[0]} with 50")
    print(f"statement result page: {with_one[1]} queries with 1 line, {with_fifty[1]} with 50")
    assert with_one == with_fifty


def _result(statement):
    return reverse("admin:billing_statementimport_change", args=[statement.pk])


def test_the_result_page_costs_the_same_queries_with_1_and_50_payments(client, ann, alice):
    client.force_login(ann)
    for n in range(51):
        issued_invoice(alice, "20.00", number=f"INV-{500 + n:06d}")
    one = import_bytes(starling(("16/11/2026", "Alice Archer", "INV500", "20.00")), name="one.csv")
    rows = [("17/11/2026", "Alice Archer", f"INV{501 + n}", "20.00") for n in range(50)]
    fifty = import_bytes(starling(*rows), name="fifty.csv")
    assert fifty.lines_matched == 50
    with_one, with_fifty = queries_for_get(client, _result(one)), queries_for_get(client, _result(fifty))
    print(f"statement result page with payments: {with_one} queries with 1 line, {with_fifty} with 50")
    assert with_one == with_fifty


def test_a_long_statement_shows_its_lines_a_page_at_a_time_and_by_outcome(client, ann, invoices):
    """A month-end file has thousands of lines: the result page shows 200 at a time, and one outcome only."""
    client.force_login(ann)
    rows = [("18/11/2026", f"Payer {i}", f"thanks {i}", f"{10 + i}.00") for i in range(249)]
    rows.insert(100, ("18/11/2026", "Alice Archer", "INV-000101", "30.00"))
    statement = import_bytes(starling(*rows), name="long.csv")
    text = visible_text(client.get(_result(statement)))
    assert "Lines 1 to 200 of 250: next 200 (page 1 of 2)" in text
    assert "Payer 198" in text and "Payer 199 " not in text
    text = visible_text(client.get(_result(statement), {"page": 2}))
    assert "Lines 201 to 250 of 250: previous 200 (page 2 of 2)" in text and "Payer 248" in text
    text = visible_text(client.get(_result(statement), {"outcome": "matched"}))
    assert "Alice Archer" in text and "Payer 1 " not in text and "Lines 1 to" not in text
    text = visible_text(client.get(_result(statement), {"outcome": "resolved"}))
    assert "No line of this file has this outcome." in text
