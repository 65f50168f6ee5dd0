"""Credit notes: their own gapless series, quoting the invoice, VAT by the same rule, set against what the
invoice still owes, a PDF sent the same way; more than the invoice's total, or a draft, refused."""

from datetime import date
from decimal import Decimal
from unittest import mock

import pytest
from django.core import mail

from billing.models import CreditNote, Invoice, InvoiceEventKind, InvoiceStatus
from billing.services.credit_notes import credit_note_issue
from billing.services.issuing import invoice_issue_for_period
from billing.services.payments import payment_record
from portal.workflow import Refused
from tests.billing.run_helpers import held, issue_time, media  # noqa: F401  (fixture)
from tests.helpers import pdf_text

JAN = date(2027, 1, 1)


@pytest.fixture(autouse=True)
def in_january(media):
    with mock.patch("portal.clock.today", return_value=date(2027, 1, 5)):
        yield


@pytest.fixture
def invoice(alice, on_commit):
    held(alice, start=date(2026, 6, 1))  # 25.00 + 5.00 VAT = 30.00
    with on_commit():
        issued = invoice_issue_for_period(customer=alice, period=JAN, now=issue_time(JAN))
    mail.outbox.clear()
    return issued


def credit(invoice, on_commit, **kwargs):
    kwargs.setdefault("reason", "The line was down for 4 days.")
    with on_commit():
        note = credit_note_issue(invoice=invoice, by=None, now=issue_time(date(2027, 1, 5)), **kwargs)
    note.refresh_from_db()
    invoice.refresh_from_db()
    return note


def test_a_credit_note_reduces_what_the_invoice_still_owes(invoice, on_commit):
    note = credit(invoice, on_commit, amount="10.00")
    assert note.number == "CRN-000001"
    assert (note.net, note.vat, note.total) == (Decimal("10.00"), Decimal("2.00"), Decimal("12.00"))
    assert (invoice.outstanding, invoice.status) == (Decimal("18.00"), InvoiceStatus.OPEN)
    assert note.allocations.get().amount == Decimal("12.00")
    assert invoice.events.filter(kind=InvoiceEventKind.CREDITED).get().text.startswith("Credit note CRN-000001")


def test_crediting_everything_left_marks_the_invoice_credited(invoice, on_commit):
    credit(invoice, on_commit, amount="25.00")
    assert (invoice.outstanding, invoice.status) == (Decimal("0.00"), InvoiceStatus.CREDITED)


def test_credit_notes_have_their_own_series(invoice, on_commit):
    assert [credit(invoice, on_commit, amount="1.00").number for _ in range(3)] == [
        "CRN-000001",
        "CRN-000002",
        "CRN-000003",
    ]
    assert invoice.number == "INV-000001"


def test_vat_on_credit_lines_is_by_the_invoice_rule(invoice, on_commit):
    lines = [{"description": f"Day {n} without service", "net": "0.03"} for n in range(3)]
    note = credit(invoice, on_commit, lines=lines)
    assert (note.net, note.vat, note.total) == (Decimal("0.09"), Decimal("0.02"), Decimal("0.11"))


def test_its_pdf_quotes_the_invoice_and_is_emailed(invoice, on_commit):
    note = credit(invoice, on_commit, amount="10.00")
    text = pdf_text(note.pdf.read())
    for expected in [
        "Credit note CRN-000001",
        "Corrects invoice INV-000001 of Friday 1 January 2027",
        "VAT registration number",
        "Account username alice",
        "Reason: The line was down for 4 days.",
        "Credit against invoice INV-000001",
        "Total credited excluding VAT £10.00",
        "VAT at 20% on £10.00 £2.00",
        "Total credited £12.00",
    ]:
        assert expected in text, expected
    [email] = mail.outbox
    assert "CRN-000001" in email.subject and "INV-000001" in email.subject
    assert [a[0] for a in email.attachments] == ["CRN-000001.pdf"]


def test_more_than_the_invoice_total_less_earlier_credit_is_refused(invoice, on_commit):
    credit(invoice, on_commit, amount="20.00")  # 24.00 of 30.00 credited
    with pytest.raises(Refused, match="can be credited £6.00 at most"):
        credit(invoice, on_commit, amount="5.01")
    assert CreditNote.objects.count() == 1
    assert credit(invoice, on_commit, amount="5.00").number == "CRN-000002"  # the refused one took no number


def test_a_paid_invoice_can_be_credited_and_the_account_is_in_credit(invoice, alice, on_commit):
    payment_record(customer=alice, method="transfer", received_on=date(2027, 1, 3), amount="30.00")
    invoice.refresh_from_db()
    note = credit(invoice, on_commit, amount="5.00")
    assert invoice.status == InvoiceStatus.PAID and not note.allocations.exists()
    from billing.selectors import account_balance

    assert account_balance(alice) == Decimal("-6.00")


def test_a_draft_cannot_be_credited(alice, on_commit):
    draft = Invoice.objects.create(customer=alice)
    with pytest.raises(Refused, match="draft"):
        credit(draft, on_commit, amount="1.00")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"amount": "0"}, "more than £0.00"),
        ({"amount": "ten"}, "a sum of money"),
        ({"amount": "1.00", "reason": "  "}, "Give the reason"),
        ({"lines": []}, "at least one line"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_issued(invoice, on_commit, kwargs, message):
    with pytest.raises(Refused, match=message):
        credit(invoice, on_commit, **kwargs)
    assert not CreditNote.objects.exists()
