"""Demo data: a credit note, and a small bank statement for the accounts team to import.

The statement (var/demo/statement-lloyds.csv, Lloyds' layout) has one payment quoting an open invoice's
number the way customers write it ("inv 3", so it is paid automatically), one payment with no number (for
review, with suggestions) and one debit (ignored): Billing > Statement imports > Add, or
`manage.py import_statement var/demo/statement-lloyds.csv`.
"""

import csv
from decimal import Decimal
from pathlib import Path

from django.conf import settings

from billing import documents
from billing.models import InvoiceStatus
from billing.selectors import issued_invoices
from billing.services.credit_notes import credit_note_issue
from portal.demo import demo_step
from portal.office_hours import london

LLOYDS_HEADER = [
    "Transaction Date",
    "Transaction Type",
    "Sort Code",
    "Account Number",
    "Transaction Description",
    "Debit Amount",
    "Credit Amount",
    "Balance",
]


def statement_path():
    return Path(settings.VAR_DIR) / "demo" / "statement-lloyds.csv"


@demo_step(position=85)
def credit_note_and_statement(customers, staff, now):
    mine = issued_invoices().filter(customer__in=list(customers.values()))
    # Credited: the latest invoice still to pay (a credit note on a paid one would only leave credit).
    latest = mine.filter(status=InvoiceStatus.OPEN).order_by("-issue_date", "-id").first()
    if latest is None:
        return None
    note = credit_note_issue(
        invoice=latest,
        amount=Decimal("5.00"),
        reason="A credit for the two days the line was down last month.",
        by=staff.get("ann"),
        now=now,
    )
    documents.credit_note_document_issue(credit_note_id=note.pk, now=now)

    today = london(now).date()
    sort_code = settings.BILLING_COMPANY["bank_sort_code"]
    account = settings.BILLING_COMPANY["bank_account_number"]
    rows = []  # (type, description, money out, money in)
    open_one = mine.filter(status=InvoiceStatus.OPEN).order_by("-outstanding", "id").first()
    if open_one is not None:
        digits = int("".join(ch for ch in open_one.number if ch.isdigit()))
        payer = (open_one.customer.full_name or open_one.account_username).upper()[:18]
        rows.append(["FPI", f"{payer} inv {digits}", None, open_one.outstanding])
    rows.append(["FPI", "A ARCHER PAYMENT", None, Decimal("12.34")])
    rows.append(["CHG", "ACCOUNT FEE", Decimal("8.50"), None])
    path = statement_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(LLOYDS_HEADER)
        balance = Decimal("1000.00")
        for kind, description, money_out, money_in in rows:
            balance += (money_in or 0) - (money_out or 0)
            amounts = [f"{money_out:.2f}" if money_out else "", f"{money_in:.2f}" if money_in else ""]
            writer.writerow(
                [f"{today:%d/%m/%Y}", kind, f"'{sort_code}", account, description, *amounts, f"{balance:.2f}"]
            )
    return path
