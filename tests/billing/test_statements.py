"""Reading the banks' CSV exports (billing/statements.py): each layout, the date and amount forms they use,
and a malformed file refused whole with its line number and the reason."""

from datetime import date
from decimal import Decimal

import pytest

from billing.statements import StatementError, parse_amount, parse_date, parse_statement
from tests.billing.statement_helpers import BANK_FILES, STARLING_HEADER, fixture, starling

D = Decimal


@pytest.mark.parametrize("name", BANK_FILES)
def test_each_banks_export_is_recognised_from_its_header_and_read_line_by_line(name):
    statement = parse_statement(fixture(name))
    assert statement.bank == name.removesuffix(".csv")
    assert [(line.date, line.amount) for line in statement.lines] == [
        (date(2026, 11, 16), D("30.00")),
        (date(2026, 11, 16), D("1200.00")),
        (date(2026, 11, 17), D("-45.10")),
        (date(2026, 11, 18), D("18.00")),
    ]
    assert "INV" in statement.lines[0].description.upper() or "INV" in statement.lines[0].counterparty.upper()


def test_line_numbers_are_the_lines_of_the_file():
    # NatWest's export starts with a blank line; HSBC's has no header at all.
    assert [line.line_number for line in parse_statement(fixture("natwest.csv")).lines] == [3, 4, 5, 6]
    assert [line.line_number for line in parse_statement(fixture("hsbc.csv")).lines] == [1, 2, 3, 4]


def test_lloyds_separate_paid_in_and_paid_out_columns_give_signed_amounts():
    lines = parse_statement(fixture("lloyds.csv")).lines
    assert lines[1].amount == D("1200.00")  # "1,200.00" in the Credit Amount column
    assert lines[2].amount == D("-45.10")  # 45.10 in the Debit Amount column
    assert lines[0].account == "30-94-57 12345678"  # the apostrophe Lloyds puts before a sort code is gone


def test_starling_keeps_the_payers_name_apart_from_the_reference():
    line = parse_statement(fixture("starling.csv")).lines[0]
    assert (line.counterparty, line.description) == ("Alice Archer", "inv-000101")


def test_barclays_memo_tab_between_name_and_reference_reads_as_one_line():
    assert parse_statement(fixture("barclays.csv")).lines[0].description == "A ARCHER INV-000101 BGC"


def test_preamble_lines_before_the_header_and_iso_dates_are_read():
    statement = parse_statement(fixture("lloyds-preamble.csv"))
    assert statement.bank == "lloyds"
    assert [(line.line_number, line.date) for line in statement.lines] == [
        (6, date(2026, 11, 16)),
        (7, date(2026, 11, 17)),
    ]


def test_a_byte_order_mark_and_a_pound_sign_are_read():
    data = fixture("hsbc.csv")
    assert data.startswith(b"\xef\xbb\xbf")
    assert parse_statement(data).lines[2].amount == D("-45.10")  # written -£45.10


def test_windows_1252_files_are_read():
    data = "16/11/2026,A ARCHER INV101,\u00a330.00\n".encode("cp1252")
    assert parse_statement(data).lines[0].amount == D("30.00")


def test_the_bank_can_be_forced_and_a_wrong_one_is_refused():
    assert parse_statement(fixture("starling.csv"), bank="Starling").bank == "starling"
    with pytest.raises(StatementError, match="No Lloyds header row found"):
        parse_statement(fixture("starling.csv"), bank="lloyds")
    with pytest.raises(StatementError, match="Unknown bank 'monzo'"):
        parse_statement(fixture("starling.csv"), bank="monzo")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("16/11/2026", date(2026, 11, 16)),
        ("6/1/2027", date(2027, 1, 6)),
        ("16/11/26", date(2026, 11, 16)),
        ("16 Nov 2026", date(2026, 11, 16)),
        ("6 Sept 2026", date(2026, 9, 6)),
        ("1 December 2026", date(2026, 12, 1)),
        ("16-Nov-2026", date(2026, 11, 16)),
        ("2026-11-16", date(2026, 11, 16)),
        ("16.11.2026", date(2026, 11, 16)),
    ],
)
def test_date_forms_banks_use(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["31/02/2027", "11/31/2026", "Nov 16 2026", "yesterday", ""])
def test_what_is_not_a_date(text):
    with pytest.raises(ValueError):
        parse_date(text)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("30.00", D("30.00")),
        ("1,234.56", D("1234.56")),
        ("\u00a31,234.56", D("1234.56")),
        ("-\u00a312.00", D("-12.00")),
        ("\u00a3-12.00", D("-12.00")),
        ("(12.00)", D("-12.00")),
        ("12.00 DR", D("-12.00")),
        ("12.00CR", D("12.00")),
        ("+5", D("5.00")),
        ("0.5", D("0.50")),
    ],
)
def test_amount_forms_banks_use(text, expected):
    assert parse_amount(text) == expected


@pytest.mark.parametrize("text", ["12.345", "twelve", "1.2.3", "--5", "12e3"])
def test_what_is_not_an_amount(text):
    with pytest.raises(ValueError):
        parse_amount(text)


def _refusal(data):
    with pytest.raises(StatementError) as refused:
        parse_statement(data)
    return refused.value


def test_a_bad_date_refuses_the_whole_file_naming_its_line():
    data = starling(("16/11/2026", "Alice", "INV101", "30.00"), ("31/11/2026", "Bob", "INV102", "10.00"))
    error = _refusal(data)
    assert error.line == 3
    assert str(error) == "Line 3: '31/11/2026' is not a real date"


def test_a_bad_amount_refuses_the_whole_file_naming_its_line():
    data = (
        STARLING_HEADER + "\n16/11/2026,Alice,INV101,FASTER PAYMENT,30.00,1030.00,INCOME,\n"
        "17/11/2026,Bob,INV102,FASTER PAYMENT,ten pounds,1040.00,INCOME,\n"
    ).encode()
    assert str(_refusal(data)) == "Line 3: 'ten pounds' is not an amount in pounds and pence"


def test_a_short_row_refuses_the_whole_file():
    data = (STARLING_HEADER + "\n16/11/2026,Alice,INV101\n").encode()
    assert str(_refusal(data)).startswith("Line 2: 3 columns where the Starling header has 8")


def test_money_both_in_and_out_on_one_line_is_refused():
    header = "Transaction Date,Transaction Type,Sort Code,Account Number,Transaction Description,Debit Amount,Credit Amount,Balance"
    data = f"{header}\n16/11/2026,FPI,'30-94-57,12345678,A ARCHER,5.00,30.00,100.00\n".encode()
    assert str(_refusal(data)) == "Line 2: money both paid in and paid out on one line"
    data = f"{header}\n16/11/2026,FPI,'30-94-57,12345678,A ARCHER,,,100.00\n".encode()
    assert str(_refusal(data)) == "Line 2: neither money paid in nor money paid out"


def test_a_file_of_no_known_layout_is_refused_with_the_layouts_it_could_be():
    error = _refusal(b"When,Who,How much\n16/11/2026,Alice,30.00\n")
    assert error.line == 1
    assert "No header row of a known bank's export found" in str(error) and "Starling: Date,Counter Party" in str(error)


@pytest.mark.parametrize(
    "data, words",
    [
        (b"", "The file is empty."),
        (b"%PDF-1.7\n...", "This is a PDF statement"),
        (b"PK\x03\x04\x00\x00", "This is not a CSV file"),
        ((STARLING_HEADER + "\n").encode(), "has a header but no transactions"),
        ((STARLING_HEADER + '\n16/11/2026,"Alice,INV101\n').encode(), "the CSV cannot be read"),
    ],
)
def test_files_that_are_not_statements_are_refused(data, words):
    assert words in str(_refusal(data))


def test_an_overlapping_export_gives_the_same_lines_the_same_fingerprints():
    first = parse_statement(fixture("starling.csv")).lines
    overlap = parse_statement(fixture("starling-overlap.csv")).lines
    assert [line.fingerprint for line in overlap[:2]] == [line.fingerprint for line in first[2:]]
    assert overlap[2].fingerprint not in {line.fingerprint for line in first}


def test_two_identical_payments_in_one_file_are_two_lines():
    data = starling(("16/11/2026", "Alice", "INV101", "15.00"), ("16/11/2026", "Alice", "INV101", "15.00"))
    # Starling prints the balance after each, so they differ anyway; without a balance (HSBC) they must too.
    hsbc = b"16/11/2026,A ARCHER INV101,15.00\n16/11/2026,A ARCHER INV101,15.00\n"
    for lines in (parse_statement(data).lines, parse_statement(hsbc).lines):
        assert len(lines) == 2 and lines[0].fingerprint != lines[1].fingerprint
