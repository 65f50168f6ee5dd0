"""Bank statement files for the tests: the fixtures under statements/ (one export per bank, each with the
same four lines: Alice paying INV-000101, Bob paying INV-000102 with the number mangled, a direct debit
going out, and Carol paying with no invoice number), and small files built on the spot."""

from datetime import date
from pathlib import Path

from billing.services.statements import statement_import
from tests.billing.ledger_helpers import issued_invoice

STATEMENTS = Path(__file__).parent / "statements"
BANK_FILES = ["lloyds.csv", "hsbc.csv", "natwest.csv", "barclays.csv", "starling.csv"]
ISSUED = date(2026, 11, 1)  # due 15/11/2026; the statements' lines are 16-19/11/2026
STARLING_HEADER = "Date,Counter Party,Reference,Type,Amount (GBP),Balance (GBP),Spending Category,Notes"


def fixture(name):
    return (STATEMENTS / name).read_bytes()


def november_invoices(alice, bob, carol):
    """The open invoices the fixtures pay: Alice's £30.00, Bob's £1,200.00, Carol's £18.00."""
    return {
        "alice": issued_invoice(alice, "30.00", issue_date=ISSUED, number="INV-000101"),
        "bob": issued_invoice(bob, "1200.00", issue_date=ISSUED, number="INV-000102"),
        "carol": issued_invoice(carol, "18.00", issue_date=ISSUED, number="INV-000103"),
    }


def starling(*rows):
    """A Starling export of `rows`, each (date, counter party, reference, amount)."""
    lines = [STARLING_HEADER]
    balance = 1000
    for when, payer, reference, amount in rows:
        balance += float(amount)
        lines.append(f"{when},{payer},{reference},FASTER PAYMENT,{amount},{balance:.2f},INCOME,")
    return ("\n".join(lines) + "\n").encode()


def import_bytes(data, *, name="statement.csv", by=None, bank=None):
    return statement_import(file_bytes=data, filename=name, bank=bank, by=by)


def import_fixture(name, *, by=None, bank=None):
    return import_bytes(fixture(name), name=name, by=by, bank=bank)
