"""The demo leaves the accounts team a credit note and a small bank statement to import: one payment paid
automatically from a mangled invoice number, one for review, one debit ignored."""

from datetime import date
from unittest import mock

from billing.demo import demo_invoices
from billing.demo_ledger import ledger_demo
from billing.demo_statement import credit_note_and_statement
from billing.models import CreditNote, InvoiceStatus
from billing.services.statements import statement_import
from tests.billing.run_helpers import held, media  # noqa: F401  (fixture)
from tests.helpers import ldn


def test_the_demo_statement_imports_as_the_demo_says(alice, carol, ann, media, settings, tmp_path, on_commit):
    settings.VAR_DIR = tmp_path
    held(alice, start=date(2026, 8, 1))
    held(carol, "isdn2", start=date(2026, 6, 1))
    customers, staff, now = {"alice": alice, "carolsbakery": carol}, {"ann": ann}, ldn(2027, 1, 12, 10, 0)
    with mock.patch("portal.clock.today", return_value=date(2027, 1, 12)), on_commit():
        demo_invoices(customers, staff, now)
        ledger_demo(customers, staff, now)
        path = credit_note_and_statement(customers, staff, now)

    note = CreditNote.objects.get()
    assert note.invoice.status == InvoiceStatus.OPEN and note.pdf

    with mock.patch("portal.clock.today", return_value=date(2027, 1, 12)):
        imported = statement_import(file_bytes=path.read_bytes(), filename=path.name, by=ann, now=now)

    assert (imported.lines_total, imported.lines_matched, imported.lines_for_review, imported.lines_ignored) == (
        3,
        1,
        1,
        1,
    )
