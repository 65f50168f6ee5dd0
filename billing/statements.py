"""Bank statement files: the CSV exports of the common UK business banks, read into plain lines.

Pure Python (no Django models): `parse_statement(file_bytes, bank=None)` returns a ParsedStatement whose
lines carry the line number in the file, the date, the signed amount (money in positive), the narrative
the bank printed, and the payer's name where the layout has a column for it. The services
(billing/services/statements.py) decide what each line pays.

A malformed file is refused WHOLE: StatementError names the line and the reason, and nothing is recorded,
because a statement half taken in would leave the accounts team unsure which payments are on the books.

The layouts (headers as each bank's online banking exports them; the header row is found wherever it is,
after any preamble lines of account details, and the layout is chosen by it unless `bank` forces one):

- Lloyds (also Halifax and Bank of Scotland, the same platform), "Download transactions", CSV:
      Transaction Date,Transaction Type,Sort Code,Account Number,Transaction Description,Debit Amount,
      Credit Amount,Balance
  DD/MM/YYYY; money out and money in in separate columns; the sort code carries a leading apostrophe
  ('30-94-57) so spreadsheets keep it as text; the payer's name and reference share the description;
  rows often end with a trailing comma.
- HSBC UK (personal and business internet banking), "Download", CSV: no header row at all, three columns
      date,description,amount
  with a signed amount that may carry a pound sign and thousands commas ("£1,234.56", "-12.00"), the date
  DD/MM/YYYY or D Mon YYYY. A file whose first row is the header "Date,Description,Amount" is read the same.
- NatWest (and RBS, Ulster: the same platform), "Download or export transactions", CSV:
      Date,Type,Description,Value,Balance,Account Name,Account Number
  dates "D Mon YYYY" (older exports DD/MM/YYYY), one signed Value, a blank line before the header in
  some exports, and the description (payer name, reference, and the bank's own FP code, separated by
  " , ") starting with an apostrophe.
- Barclays (online banking "Export"), CSV:
      Number,Date,Account,Amount,Subcategory,Memo
  DD/MM/YYYY, one signed Amount, the Number column usually empty, the Memo holding the payer's name and
  the reference separated by a tab (or runs of spaces) and the transaction code (BGC, FT) at the end.
- Starling (business and personal, "Statement" as CSV):
      Date,Counter Party,Reference,Type,Amount (GBP),Balance (GBP),Spending Category,Notes
  DD/MM/YYYY, one signed amount, the payer's name in its own column and the reference beside it (older
  exports stop after Balance (GBP)).

Every layout accepts the date forms seen in these exports (DD/MM/YYYY, DD/MM/YY, D Mon YYYY, D Month YYYY,
YYYY-MM-DD), since banks have changed them over the years; none of these banks writes month-first dates.
"""

import csv
import hashlib
import io
import itertools
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation


class StatementError(ValueError):
    """The file cannot be read as a statement: nothing of it is recorded. `line` is the line in the file."""

    def __init__(self, reason, *, line=None):
        self.reason = reason
        self.line = line
        super().__init__(f"Line {line}: {reason}" if line else reason)


@dataclass(frozen=True)
class Layout:
    """One bank's CSV layout: which column holds what (by header name, lower-cased)."""

    bank: str  # the short name staff choose (--bank NAME), also stored on the import
    label: str
    header: tuple[str, ...]  # the header row as exported, for detection and for the refusal message
    date: str
    narrative: tuple[str, ...]  # columns that together are what the bank printed about the payment
    amount: str = ""  # one signed column (money in positive) ...
    paid_in: str = ""  # ... or two unsigned ones
    paid_out: str = ""
    counterparty: str = ""  # a column with the payer's name, where the bank gives one
    balance: str = ""
    account: tuple[str, ...] = ()  # columns naming the company's own account (part of a line's identity)
    required: int = 0  # header columns that must be present (the rest are optional, newer additions)
    headerless: bool = False  # HSBC: rows start at once

    def matches(self, cells):
        names = [c.strip().lower() for c in cells]
        wanted = [h.lower() for h in self.header[: self.required or len(self.header)]]
        return names[: len(wanted)] == wanted


LAYOUTS = {
    layout.bank: layout
    for layout in (
        Layout(
            bank="lloyds",
            label="Lloyds",
            header=(
                "Transaction Date",
                "Transaction Type",
                "Sort Code",
                "Account Number",
                "Transaction Description",
                "Debit Amount",
                "Credit Amount",
                "Balance",
            ),
            date="transaction date",
            narrative=("transaction description",),
            paid_out="debit amount",
            paid_in="credit amount",
            balance="balance",
            account=("sort code", "account number"),
        ),
        Layout(
            bank="hsbc",
            label="HSBC",
            header=("Date", "Description", "Amount"),
            date="date",
            narrative=("description",),
            amount="amount",
            headerless=True,
        ),
        Layout(
            bank="natwest",
            label="NatWest",
            header=("Date", "Type", "Description", "Value", "Balance", "Account Name", "Account Number"),
            date="date",
            narrative=("description",),
            amount="value",
            balance="balance",
            account=("account number",),
            required=5,
        ),
        Layout(
            bank="barclays",
            label="Barclays",
            header=("Number", "Date", "Account", "Amount", "Subcategory", "Memo"),
            date="date",
            narrative=("memo",),
            amount="amount",
            account=("account",),
        ),
        Layout(
            bank="starling",
            label="Starling",
            header=(
                "Date",
                "Counter Party",
                "Reference",
                "Type",
                "Amount (GBP)",
                "Balance (GBP)",
                "Spending Category",
                "Notes",
            ),
            date="date",
            narrative=("reference",),
            counterparty="counter party",
            amount="amount (gbp)",
            balance="balance (gbp)",
            required=6,
        ),
    )
}
BANK_CHOICES = [(layout.bank, layout.label) for layout in LAYOUTS.values()]

# Enough to find the header after a preamble of account details; a longer run of non-header lines means
# this is not a statement of any known layout.
PREAMBLE_LIMIT = 30
MAX_NARRATIVE = 500
MAX_COUNTERPARTY = 200


@dataclass
class ParsedLine:
    line_number: int
    date: date
    amount: Decimal  # money in positive, money out negative
    description: str
    counterparty: str = ""
    balance: Decimal | None = None
    account: str = ""
    fingerprint: str = ""

    @property
    def is_credit(self):
        return self.amount > 0


@dataclass
class ParsedStatement:
    layout: Layout
    lines: list[ParsedLine] = field(default_factory=list)

    @property
    def bank(self):
        return self.layout.bank


# --- cells ---------------------------------------------------------------------------------------------

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_NUMERIC_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?$")
_WORDS_DATE = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[ -]([A-Za-z]{3,9})\.?[ ,-]*(\d{2}|\d{4})$")


def parse_date(text):
    """A statement date, day first (UK banks never write month first). ValueError with the reason."""
    value = (text or "").strip().strip("'")
    if not value:
        raise ValueError("the date is missing")
    if match := _ISO_DATE.match(value):
        year, month, day = (int(g) for g in match.groups())
    elif match := _NUMERIC_DATE.match(value):
        day, month, year = (int(g) for g in match.groups())
    elif match := _WORDS_DATE.match(value):
        day, month_name, year = int(match[1]), match[2].lower(), int(match[3])
        if month_name not in MONTHS:
            raise ValueError(f"{value!r} is not a date (unknown month)")
        month = MONTHS[month_name]
    else:
        raise ValueError(f"{value!r} is not a date in a form banks use (31/01/2027, 31 Jan 2027, 2027-01-31)")
    if year < 100:
        year += 2000  # DD/MM/YY: statements are of this century
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"{value!r} is not a real date") from None


_AMOUNT = re.compile(r"^\d+(?:\.\d{1,2})?$")


def parse_amount(text, *, allow_empty=False):
    """Pounds as banks print them: "1,234.56", "£1,234.56", "-£12.00", "£-12.00", "(12.00)", "12.00 CR".
    Decimal to the penny; None for an empty cell when allowed. ValueError with the reason otherwise."""
    value = (text or "").strip().strip("'").replace("\u00a3", "").replace(",", "").replace(" ", "")
    if not value:
        if allow_empty:
            return None
        raise ValueError("the amount is missing")
    sign = 1
    upper = value.upper()
    if upper.endswith("CR"):
        value = value[:-2]
    elif upper.endswith("DR"):
        value, sign = value[:-2], -1
    if value.startswith("(") and value.endswith(")"):
        value, sign = value[1:-1], -sign
    if value[:1] in "+-":
        sign = -sign if value[0] == "-" else sign
        value = value[1:]
    if not _AMOUNT.match(value):
        raise ValueError(f"{text.strip()!r} is not an amount in pounds and pence")
    try:
        return (Decimal(value) * sign).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ValueError(f"{text.strip()!r} is not an amount in pounds and pence") from None


def clean_text(value):
    """A narrative as one line: the apostrophe spreadsheets need stripped, tabs and runs of spaces as one."""
    text = (value or "").strip().lstrip("'").strip()
    return re.sub(r"\s+", " ", text)


# --- the file ------------------------------------------------------------------------------------------


def decode(file_bytes):
    """Text of the file: UTF-8 (with or without the byte-order mark Excel writes), else Windows-1252, which
    is what the banks' older exports are (the pound sign as byte 0xA3)."""
    if not file_bytes or not file_bytes.strip():
        raise StatementError("The file is empty.")
    if b"\x00" in file_bytes[:4096]:
        raise StatementError("This is not a CSV file (it looks like a spreadsheet or a PDF): export CSV.")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return file_bytes.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise StatementError("The file is not text in a known character set (UTF-8 or Windows-1252).")


def _rows(text):
    """(line number in the file, cells) for every row, blank rows included (their cells are empty)."""
    if text.startswith("%PDF"):
        raise StatementError("This is a PDF statement: export the transactions as CSV instead.")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1
    try:
        for cells in reader:
            yield start, cells
            start = reader.line_num + 1
    except csv.Error as error:
        raise StatementError(f"the CSV cannot be read ({error})", line=reader.line_num) from None


def _is_blank(cells):
    return not any(c.strip() for c in cells)


def _looks_headerless(layout, cells):
    """An HSBC row: a date, then text, then an amount."""
    if len(cells) < 3 or any(c.strip() for c in cells[3:]):
        return False
    try:
        parse_date(cells[0])
        parse_amount(cells[2])
    except ValueError:
        return False
    return True


def _find_header(rows, forced):
    """(layout, column index by name, rows after the header). The first non-preamble row decides."""
    candidates = [forced] if forced else list(LAYOUTS.values())
    seen = 0
    for number, cells in rows:
        if _is_blank(cells):
            continue
        seen += 1
        for layout in candidates:
            if layout.matches(cells):
                columns = {c.strip().lower(): i for i, c in enumerate(cells) if c.strip()}
                return layout, columns, None
        for layout in candidates:
            # A headerless export (HSBC) starts with its first transaction: no preamble before it.
            if layout.headerless and seen == 1 and _looks_headerless(layout, cells):
                columns = {h.lower(): i for i, h in enumerate(layout.header)}
                return layout, columns, (number, cells)
        if seen >= PREAMBLE_LIMIT:
            break
    if forced:
        raise StatementError(
            f"No {forced.label} header row found (expected: {','.join(forced.header)}). "
            "Is this the right bank's export?",
            line=1,
        )
    expected = "; ".join(
        f"{layout.label}: {','.join(layout.header)}" + (" (or no header)" if layout.headerless else "")
        for layout in LAYOUTS.values()
    )
    raise StatementError(f"No header row of a known bank's export found. Known layouts: {expected}.", line=1)


def _cell(cells, columns, name):
    index = columns.get(name)
    if index is None or index >= len(cells):
        return ""
    return cells[index]


def _line(layout, columns, number, cells):
    width = max(columns.values()) + 1
    # Lloyds and others end rows with a trailing comma: extra empty cells are harmless, extra text is not.
    if len(cells) < len(columns) or any(c.strip() for c in cells[width:]):
        raise StatementError(f"{len(cells)} columns where the {layout.label} header has {len(columns)}", line=number)
    try:
        when = parse_date(_cell(cells, columns, layout.date))
        if layout.amount:
            amount = parse_amount(_cell(cells, columns, layout.amount))
        else:
            paid_in = parse_amount(_cell(cells, columns, layout.paid_in), allow_empty=True)
            paid_out = parse_amount(_cell(cells, columns, layout.paid_out), allow_empty=True)
            if paid_in is not None and paid_out is not None and paid_in and paid_out:
                raise ValueError("money both paid in and paid out on one line")
            if paid_in is None and paid_out is None:
                raise ValueError("neither money paid in nor money paid out")
            amount = abs(paid_in or Decimal("0.00")) - abs(paid_out or Decimal("0.00"))
        balance = parse_amount(_cell(cells, columns, layout.balance), allow_empty=True) if layout.balance else None
    except ValueError as error:
        raise StatementError(str(error), line=number) from None
    description = " ".join(filter(None, (clean_text(_cell(cells, columns, n)) for n in layout.narrative)))
    counterparty = clean_text(_cell(cells, columns, layout.counterparty)) if layout.counterparty else ""
    account = " ".join(clean_text(_cell(cells, columns, n)) for n in layout.account).strip()
    return ParsedLine(
        line_number=number,
        date=when,
        amount=amount,
        description=description[:MAX_NARRATIVE],
        counterparty=counterparty[:MAX_COUNTERPARTY],
        balance=balance,
        account=account,
    )


def fingerprint(line, occurrence):
    """A line's identity across files, so an export that overlaps an earlier one pays nothing twice: the
    company's account, the date, the amount, the balance after it (where the bank prints one), the
    narrative, and how many identical lines came before it in the same file (two equal payments on one day
    stay two lines, and an overlapping export holds them in the same order)."""
    parts = [
        line.account,
        line.date.isoformat(),
        str(line.amount),
        "" if line.balance is None else str(line.balance),
        line.counterparty.upper(),
        line.description.upper(),
        str(occurrence),
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def parse_statement(file_bytes, bank=None):
    """Every transaction line of the file, or StatementError naming the first line that cannot be read."""
    forced = None
    if bank:
        forced = LAYOUTS.get(bank.strip().lower())
        if forced is None:
            known = ", ".join(LAYOUTS)
            raise StatementError(f"Unknown bank {bank!r}: choose one of {known}.")
    rows = _rows(decode(file_bytes))
    layout, columns, first = _find_header(rows, forced)
    statement = ParsedStatement(layout=layout)
    seen = {}
    for number, cells in itertools.chain([first] if first else [], rows):
        if _is_blank(cells):
            continue
        line = _line(layout, columns, number, cells)
        key = fingerprint(line, 0)
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        line.fingerprint = fingerprint(line, occurrence)
        statement.lines.append(line)
    if not statement.lines:
        raise StatementError(f"The {layout.label} file has a header but no transactions.")
    return statement


def file_sha256(file_bytes):
    return hashlib.sha256(file_bytes).hexdigest()
