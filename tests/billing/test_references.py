"""Finding invoice numbers in what payers typed, the automatic-payment rule, and the suggestions for review
(billing/references.py): pure functions, no database."""

from datetime import date
from decimal import Decimal

import pytest

from billing.references import (
    IGNORED,
    MATCHED,
    REVIEW,
    InvoiceBook,
    OpenInvoice,
    name_similarity,
    name_words,
    number_key,
    number_keys,
)
from billing.statements import ParsedLine

D = Decimal
PREFIX = "INV-"


@pytest.mark.parametrize(
    "text",
    [
        "INV-000123",
        "inv-000123",
        "INV000123",
        "INV123",
        "inv 123",
        "Inv  0123",
        "A ARCHER INV-123 THANKS",
        "payment for invoice 123",
        "Invoice no. 000123",
        "INV #123",
        "INV/123",
        "INV-OOO123",  # the letter O typed for the zeros
        "ALICE ARCHER , inv123 , FP 16/11/26 0912",
    ],
)
def test_mangled_invoice_numbers_are_found(text):
    assert number_keys(text, PREFIX) == ["INV123"]


@pytest.mark.parametrize(
    "text",
    ["INVEST 2024", "XINV123", "ROYAL MAIL 123", "INV-", "INV 0", "PREVINV5", "SALARY NOV 2026"],
)
def test_what_is_not_an_invoice_number(text):
    assert number_keys(text, PREFIX) == []


def test_several_numbers_are_each_found_once_in_order():
    assert number_keys("INV-000124 and inv 123, INV124 again", PREFIX) == ["INV124", "INV123"]


def test_both_sides_are_normalised_to_the_same_key():
    assert number_key("INV-000123", PREFIX) == number_key("INV-123", PREFIX) == "INV123"
    assert number_keys("PAY 121-45", "121-") == ["12145"]


def test_names_compare_whatever_order_and_initials_the_bank_prints():
    assert name_similarity("Alice Archer", name_words("A ARCHER")) >= 0.75
    assert name_similarity("Alice Archer", name_words("ARCHER ALICE MRS")) == 1.0
    assert name_similarity("Alice Archer", name_words("ALICE ARCHR")) > 0.8  # a typing slip
    assert name_similarity("Alice Archer", name_words("BOB BROWN")) < 0.6


def invoice(id, number, customer_id, name, username, outstanding, total=None, due=date(2026, 11, 15)):
    return OpenInvoice(
        id=id,
        number=number,
        customer_id=customer_id,
        customer_name=name,
        username=username,
        outstanding=D(outstanding),
        total=D(total or outstanding),
        due_date=due,
    )


ALICE = invoice(1, "INV-000101", 10, "Alice Archer", "alice", "30.00")
BOB = invoice(2, "INV-000102", 20, "Bob Brown", "bob", "1200.00")
CAROL = invoice(3, "INV-000103", 30, "Carol Baker", "carolsbakery", "18.00")
CAROL_OLDER = invoice(4, "INV-000090", 30, "Carol Baker", "carolsbakery", "18.00", due=date(2026, 10, 15))
PART_PAID = invoice(5, "INV-000104", 40, "Dan Dare", "dan", "10.00", total="40.00")


@pytest.fixture
def book():
    return InvoiceBook([ALICE, BOB, CAROL, CAROL_OLDER, PART_PAID], prefix=PREFIX, closed={"INV99": "is already paid"})


def line(amount, description="", counterparty="", when=date(2026, 11, 16)):
    return ParsedLine(line_number=2, date=when, amount=D(amount), description=description, counterparty=counterparty)


def test_one_open_invoice_quoted_for_its_amount_is_paid_automatically(book):
    decision = book.decide(line("30.00", "A ARCHER inv 101"))
    assert (decision.outcome, decision.invoice) == (MATCHED, ALICE)


def test_a_part_payment_quoting_the_invoice_is_paid_automatically(book):
    assert book.decide(line("10.00", "INV101")).outcome == MATCHED


def test_an_overpayment_goes_to_review_not_to_credit(book):
    decision = book.decide(line("50.00", "INV101"))
    assert decision.outcome == REVIEW
    assert decision.why == "£50.00 is more than the £30.00 still due on INV-000101: does it pay other invoices too?"
    assert decision.suggestions[0]["number"] == "INV-000101"


def test_two_invoice_numbers_go_to_review_with_both_suggested(book):
    decision = book.decide(line("1230.00", "INV101 INV102"))
    assert decision.outcome == REVIEW
    assert decision.why == "The reference quotes more than one invoice (INV-000101, INV-000102)."
    assert {s["number"] for s in decision.suggestions[:2]} == {"INV-000101", "INV-000102"}


def test_a_number_no_longer_open_goes_to_review_saying_why(book):
    assert book.decide(line("30.00", "INV 99")).why == "INV-000099 is already paid: nothing is due on it."
    assert book.decide(line("30.00", "INV 5555")).why == "INV-005555 is not an invoice of ours: nothing is due on it."


def test_money_out_and_nothing_moved_are_ignored(book):
    assert book.decide(line("-30.00", "INV101")).outcome == IGNORED
    assert book.decide(line("0.00", "INV101")).outcome == IGNORED


def test_no_number_goes_to_review_with_suggestions_by_amount_name_and_date(book):
    decision = book.decide(line("18.00", "C BAKER THANK YOU"))
    assert (decision.outcome, decision.why) == (REVIEW, "No invoice number in the reference.")
    first, second = decision.suggestions[:2]
    # Both of Carol's invoices are £18.00 and her name is on the line: the one due nearest the payment first.
    assert (first["number"], second["number"]) == ("INV-000103", "INV-000090")
    assert first["reasons"] == [
        "the amount is the £18.00 still due",
        "the payer's name is like Carol Baker (75%)",
        "paid 1 day after the due date",
    ]
    assert first["outstanding"] == "18.00" and first["username"] == "carolsbakery"


def test_a_name_alone_is_enough_to_suggest(book):
    decision = book.decide(line("7.00", "", counterparty="Bob Brown"))
    assert [s["number"] for s in decision.suggestions] == ["INV-000102"]


def test_the_account_username_in_the_reference_is_a_suggestion(book):
    decision = book.decide(line("5.00", "CAROLSBAKERY"))
    assert {s["number"] for s in decision.suggestions} == {"INV-000103", "INV-000090"}


def test_the_invoice_total_of_a_part_paid_invoice_is_a_reason(book):
    decision = book.decide(line("40.00", "D DARE"))
    assert "the amount is the invoice's total of £40.00" in decision.suggestions[0]["reasons"]


def test_nothing_like_the_payment_gives_no_suggestions(book):
    assert book.decide(line("3.33", "ZED ZEBRA")).suggestions == []


def test_an_invoice_paid_by_an_earlier_line_of_the_file_is_not_paid_again(book):
    assert book.decide(line("20.00", "INV101")).outcome == MATCHED
    book.settle(ALICE, D("20.00"), "is paid by line 2 of this file")
    assert book.decide(line("20.00", "INV101")).outcome == REVIEW  # only £10.00 left
    book.settle(book.by_key["INV101"], D("10.00"), "is paid by line 3 of this file")
    assert (
        book.decide(line("10.00", "INV101")).why == "INV-000101 is paid by line 3 of this file: nothing is due on it."
    )
