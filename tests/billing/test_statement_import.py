"""Importing a bank statement (billing/services/statements.py): lines paid automatically, the rest for
review, debits ignored, every line kept; nothing recorded twice; a malformed file recording nothing; and
staff allocating or ignoring a line for review."""

import threading
import time
from datetime import date
from decimal import Decimal
from io import StringIO
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from billing.models import InvoiceStatus, LineOutcome, Payment, StatementImport, StatementLine
from billing.services.statements import statement_line_ignore, statement_line_resolve
from billing.statements import StatementError
from portal.formats import date_text
from portal.workflow import InvalidTransition, Refused
from tests.billing.ledger_helpers import issued_invoice
from tests.billing.statement_helpers import (
    BANK_FILES,
    ISSUED,
    STATEMENTS,
    fixture,
    import_bytes,
    import_fixture,
    november_invoices,
    starling,
)

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def invoices(alice, bob, carol):
    return november_invoices(alice, bob, carol)


def refreshed(invoice):
    invoice.refresh_from_db()
    return invoice


def outcomes(statement):
    return list(statement.lines.order_by("line_number").values_list("outcome", flat=True))


@pytest.mark.parametrize("name", BANK_FILES)
def test_each_banks_statement_pays_what_quotes_one_open_invoice_and_lists_the_rest(name, invoices, ann):
    statement = import_fixture(name, by=ann)
    assert (statement.lines_total, statement.lines_matched, statement.lines_for_review, statement.lines_ignored) == (
        4,
        2,
        1,
        1,
    )
    assert outcomes(statement) == ["matched", "matched", "ignored", "review"]
    # Alice's exact number and Bob's mangled one ("inv 102", "inv 0102", "Inv-102", "inv102 november").
    assert refreshed(invoices["alice"]).status == InvoiceStatus.PAID
    bob_paid = refreshed(invoices["bob"])
    assert (bob_paid.status, bob_paid.outstanding) == (InvoiceStatus.PAID, D("0.00"))
    payment = Payment.objects.get(customer=invoices["bob"].customer)
    assert (payment.amount, payment.received_on, payment.method) == (D("1200.00"), date(2026, 11, 16), "transfer")
    assert payment.statement_line.statement == statement and payment.recorded_by == ann
    assert payment.allocations.get().invoice == invoices["bob"]
    # Carol's payment has no number: it waits for a person, her invoice first in the suggestions.
    carols = statement.lines.get(outcome=LineOutcome.REVIEW)
    assert carols.why == "No invoice number in the reference."
    assert carols.suggestions[0]["number"] == "INV-000103"
    assert refreshed(invoices["carol"]).status == InvoiceStatus.OPEN
    debit = statement.lines.get(outcome=LineOutcome.IGNORED)
    assert debit.amount == D("-45.10") and debit.why.startswith("Money out")


def test_no_line_is_dropped(invoices):
    statement = import_fixture("natwest.csv")
    assert StatementLine.objects.filter(statement=statement).count() == statement.lines_total == 4
    assert statement.lines_matched + statement.lines_for_review + statement.lines_ignored == statement.lines_total


def test_the_same_file_twice_records_nothing_twice(invoices, ann):
    import_fixture("starling.csv", by=ann)
    with pytest.raises(Refused) as refused:
        # Even under another name: the file's contents decide.
        import_bytes(fixture("starling.csv"), name="starling (1).csv")
    assert refused.value.message.startswith("This statement was imported already (starling.csv, on ")
    assert "by Ann Accounts): nothing was recorded twice." in refused.value.message
    assert StatementImport.objects.count() == 1
    assert StatementLine.objects.count() == 4 and Payment.objects.count() == 2


def test_an_overlapping_export_pays_nothing_twice_and_lists_what_it_had_already(invoices):
    first = import_fixture("starling.csv")
    carols_line = first.lines.get(line_number=5)
    second = import_fixture("starling-overlap.csv")
    assert (second.lines_total, second.lines_matched, second.lines_for_review, second.lines_ignored) == (3, 0, 1, 2)
    again = second.lines.order_by("line_number")
    assert [line.why for line in again[:2]] == [
        f"Already imported: line 4 of starling.csv, imported on {date_words(first)}.",
        f"Already imported: line 5 of starling.csv, imported on {date_words(first)}.",
    ]
    # Dan's £25.00 quotes Carol's £18.00 invoice: more than it owes, so review, not credit.
    assert again[2].why == "£25.00 is more than the £18.00 still due on INV-000103: does it pay other invoices too?"
    assert StatementLine.objects.filter(outcome=LineOutcome.REVIEW).count() == 2  # Carol's once, and Dan's
    assert carols_line.fingerprint != again[1].fingerprint


def date_words(statement):
    return date_text(statement.imported_at)


def test_a_payment_in_two_overlapping_exports_is_paid_once(alice):
    invoice = issued_invoice(alice, "60.00", issue_date=ISSUED, number="INV-000201")
    row = ("16/11/2026", "Alice Archer", "INV201", "30.00")
    import_bytes(starling(row), name="first.csv")
    second = import_bytes(starling(row, ("17/11/2026", "Alice Archer", "INV201", "5.00")), name="second.csv")
    assert outcomes(second) == ["ignored", "matched"]
    assert refreshed(invoice).outstanding == D("25.00")
    assert Payment.objects.filter(customer=alice).count() == 2


def test_a_malformed_file_is_refused_whole_and_records_nothing(invoices):
    data = fixture("starling.csv") + b"19/11/2026,Dan Dare,INV103,FASTER PAYMENT,25.0O,2227.90,INCOME,\n"
    with pytest.raises(StatementError) as refused:
        import_bytes(data)
    assert str(refused.value) == "Line 6: '25.0O' is not an amount in pounds and pence"
    assert StatementImport.objects.count() == StatementLine.objects.count() == Payment.objects.count() == 0
    assert refreshed(invoices["alice"]).status == InvoiceStatus.OPEN  # the good lines before it paid nothing


def test_a_reference_quoting_two_invoices_is_not_guessed(invoices):
    statement = import_bytes(starling(("16/11/2026", "Alice Archer", "INV101 INV102", "1230.00")))
    line = statement.lines.get()
    assert line.outcome == LineOutcome.REVIEW
    assert line.why == "The reference quotes more than one invoice (INV-000101, INV-000102)."
    assert Payment.objects.count() == 0


def test_a_paid_invoice_quoted_again_goes_to_review_saying_so(invoices):
    import_bytes(starling(("16/11/2026", "Alice Archer", "INV101", "30.00")), name="one.csv")
    statement = import_bytes(starling(("17/11/2026", "Alice Archer", "INV101", "30.00")), name="two.csv")
    assert statement.lines.get().why == "INV-000101 is already paid: nothing is due on it."


def test_two_lines_of_one_file_cannot_pay_more_than_the_invoice_owes(invoices):
    statement = import_bytes(
        starling(
            ("16/11/2026", "Alice Archer", "INV101", "20.00"),
            ("16/11/2026", "Alice Archer", "INV101", "20.00"),
        )
    )
    assert outcomes(statement) == ["matched", "review"]
    assert refreshed(invoices["alice"]).outstanding == D("10.00")


def test_a_line_dated_after_today_is_not_paid_automatically(invoices):
    with mock.patch("portal.clock.today", return_value=date(2026, 11, 16)):
        statement = import_bytes(starling(("17/11/2026", "Alice Archer", "INV101", "30.00")))
    line = statement.lines.get()
    assert line.outcome == LineOutcome.REVIEW
    assert line.why == "Not paid automatically: A payment cannot be received in the future: check the date."
    assert statement.lines_for_review == 1 and Payment.objects.count() == 0


# --- staff allocating a line for review -------------------------------------------------------------


@pytest.fixture
def carols_line(invoices):
    return import_fixture("starling.csv").lines.get(outcome=LineOutcome.REVIEW)


def test_staff_allocate_a_line_to_several_invoices_and_the_rest_is_credit(carols_line, invoices, carol, ann):
    older = issued_invoice(carol, "12.00", issue_date=date(2026, 10, 1), number="INV-000090")
    newer = invoices["carol"]
    payment = statement_line_resolve(
        line=carols_line, allocations=[(older, "12.00"), (newer, "5.00")], by=ann, now=None
    )
    assert (payment.amount, payment.unallocated, payment.customer) == (D("18.00"), D("1.00"), carol)
    assert payment.statement_line == carols_line
    assert refreshed(older).status == InvoiceStatus.PAID and refreshed(newer).outstanding == D("13.00")
    carols_line.refresh_from_db()
    assert (carols_line.outcome, carols_line.resolved_by) == (LineOutcome.RESOLVED, ann)
    assert carols_line.why.startswith("Allocated by hand to carolsbakery; £1.00 kept as credit")


def test_a_line_can_be_kept_whole_as_a_customers_credit(carols_line, carol, ann):
    payment = statement_line_resolve(line=carols_line, allocations=[], customer=carol, by=ann)
    assert payment.unallocated == D("18.00") and not payment.allocations.exists()


def test_allocating_to_two_customers_invoices_is_refused_and_records_nothing(carols_line, invoices, ann):
    with pytest.raises(Refused, match="different accounts"):
        statement_line_resolve(
            line=carols_line, allocations=[(invoices["carol"], "10.00"), (invoices["bob"], "8.00")], by=ann
        )
    carols_line.refresh_from_db()
    assert carols_line.outcome == LineOutcome.REVIEW and Payment.objects.count() == 2


def test_allocating_more_than_the_line_is_refused(carols_line, invoices, ann):
    with pytest.raises(Refused, match="The payment is £18.00 but £20.00 is set against invoices"):
        statement_line_resolve(line=carols_line, allocations=[(invoices["carol"], "20.00")], by=ann)


def test_a_line_is_allocated_once(carols_line, invoices, ann):
    statement_line_resolve(line=carols_line, allocations=[(invoices["carol"], "18.00")], by=ann)
    with pytest.raises(
        InvalidTransition, match="A statement line that is allocated by hand already cannot be allocated"
    ):
        statement_line_resolve(line=carols_line, allocations=[(invoices["carol"], "1.00")], by=ann)
    matched = StatementLine.objects.filter(outcome=LineOutcome.MATCHED).first()
    with pytest.raises(InvalidTransition, match="A statement line that is paid automatically cannot be allocated."):
        statement_line_resolve(line=matched, allocations=[], customer=invoices["alice"].customer, by=ann)


def test_staff_ignore_a_line_with_their_reason(carols_line, ann):
    with pytest.raises(Refused, match="Say why"):
        statement_line_ignore(line=carols_line, reason="  ", by=ann)
    statement_line_ignore(line=carols_line, reason="A refund from our supplier", by=ann)
    carols_line.refresh_from_db()
    assert (carols_line.outcome, carols_line.why) == (
        LineOutcome.IGNORED,
        "Ignored by staff: A refund from our supplier",
    )


# --- the command line --------------------------------------------------------------------------------


def test_the_command_imports_a_file_and_prints_the_counts(invoices, ann):
    out = StringIO()
    call_command("import_statement", str(STATEMENTS / "barclays.csv"), "--by", "ann", stdout=out)
    text = out.getvalue()
    assert text.startswith("barclays.csv (Barclays): 4 lines, 2 matched, 1 for review, 1 ignored.")
    assert "line 4: ignored: Money out" in text and "line 5: for review: No invoice number in the reference." in text
    assert StatementImport.objects.get().imported_by == ann


def test_the_command_refuses_a_malformed_file_with_its_line(tmp_path, invoices):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(starling(("16/11/2026", "Alice", "INV101", "30.00")) + b"32/11/2026,Bob,INV102,FP,1.00,1,INCOME,\n")
    with pytest.raises(CommandError, match=r"bad.csv: nothing imported. Line 3: '32/11/2026' is not a real date"):
        call_command("import_statement", str(bad))
    assert StatementImport.objects.count() == 0


def test_the_command_refuses_the_same_file_twice_and_can_force_the_bank(invoices):
    call_command("import_statement", str(STATEMENTS / "hsbc.csv"), "--bank", "hsbc", stdout=StringIO())
    with pytest.raises(CommandError, match="This statement was imported already"):
        call_command("import_statement", str(STATEMENTS / "hsbc.csv"), stdout=StringIO())


# --- two imports racing (real PostgreSQL transactions, one connection per thread) ------------------------


def _in_thread(target, results, key):
    def run():
        try:
            results[key] = target()
        except Exception as error:  # reported by the test, not lost in the thread
            results[key] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _race(first_file, second_file):
    """The first import holds its transaction open while the second runs; returns both results."""
    first_done = threading.Event()
    results = {}

    def first():
        with transaction.atomic():
            statement = import_bytes(first_file, name="first.csv")
            first_done.set()
            time.sleep(0.5)  # the second import reads and writes meanwhile
            return statement

    def second():
        first_done.wait(10)
        return import_bytes(second_file, name="second.csv")

    threads = [_in_thread(first, results, "first"), _in_thread(second, results, "second")]
    for thread in threads:
        thread.join(30)
    return results["first"], results["second"]


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_overlapping_exports_at_once_pay_each_line_once(alice):
    invoice = issued_invoice(alice, "60.00", issue_date=ISSUED, number="INV-000301")
    row = ("16/11/2026", "Alice Archer", "INV301", "30.00")
    first, second = _race(starling(row), starling(row, ("17/11/2026", "Alice Archer", "INV301", "5.00")))
    assert isinstance(first, StatementImport) and first.lines_matched == 1
    # The second waited for the first's lines, then took in only what was new.
    assert isinstance(second, StatementImport) and second.state == "imported"
    assert outcomes(second) == ["ignored", "matched"]
    assert "of first.csv, imported on" in second.lines.order_by("line_number").first().why
    assert refreshed(invoice).outstanding == D("25.00") and Payment.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_same_file_imported_twice_at_once_is_recorded_once(alice):
    invoice = issued_invoice(alice, "60.00", issue_date=ISSUED, number="INV-000302")
    data = starling(("16/11/2026", "Alice Archer", "INV302", "30.00"))
    first, second = _race(data, data)
    assert isinstance(first, StatementImport)
    assert isinstance(second, Refused) and second.message.startswith("This statement was imported already")
    assert refreshed(invoice).outstanding == D("30.00") and Payment.objects.count() == 1
