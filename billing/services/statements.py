"""Bank statements: a file's lines recorded, the ones that clearly pay an invoice paid, the rest for review.

Code: "payments can be made via cheque or online to account and sort code on invoice. Please include an
invoice number when making payments." The accounts team imports the bank's CSV export (admin upload or
`manage.py import_statement`); billing/statements.py reads it, billing/references.py decides each line.

What an import guarantees:
- A malformed file is refused whole (StatementError, with the line and the reason): nothing is recorded.
- No line is dropped: every line of the file becomes a StatementLine, matched, for review or ignored, and
  the three counts add up to the lines in the file (checked before the transaction commits).
- Nothing is recorded twice. The same file again is refused by its SHA-256 (unique in the database);
  a line another export already brought in (the fingerprint, unique too) is kept as "ignored, already
  imported" with a fingerprint of its own, so an overlapping export pays nothing twice. Two imports racing
  meet the same unique indexes: the second is refused and can be imported again.
- The whole import is one transaction: the lines, the payments and their allocations commit together.
"""

import hashlib
import logging
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from billing import selectors
from billing.models import (
    Invoice,
    InvoiceStatus,
    LineOutcome,
    PaymentMethod,
    StatementFile,
    StatementImport,
    StatementLine,
    StatementState,
)
from billing.references import IGNORED, MATCHED, REVIEW, InvoiceBook, OpenInvoice, number_keys, number_text
from billing.services.payments import payment_record
from billing.statements import StatementError, file_sha256, parse_statement
from portal import clock
from portal.formats import date_text, gbp
from portal.workflow import Refused, check_move, required_text, state_words

__all__ = [
    "StatementError",
    "statement_import",
    "statement_line_ignore",
    "statement_line_resolve",
    "statement_process",
    "statement_receive",
]

logger = logging.getLogger(__name__)

# A line's outcome moves only from review, once: to allocated by hand, or to ignored.
LINE_TRANSITIONS = {LineOutcome.REVIEW: {LineOutcome.RESOLVED, LineOutcome.IGNORED}}
LINE_WORDS = state_words(
    LineOutcome,
    {
        LineOutcome.MATCHED: ("paid automatically", "be paid automatically"),
        LineOutcome.RESOLVED: ("allocated by hand already", "be allocated"),
        LineOutcome.IGNORED: ("ignored", "be ignored"),
        LineOutcome.REVIEW: ("for review", "go back to review"),
    },
)
CLOSED_WORDS = {
    InvoiceStatus.PAID: "is already paid",
    InvoiceStatus.CREDITED: "was credited in full",
    InvoiceStatus.DRAFT: "has not been issued",
}
CHUNK = 1000
# A worker's try that fails records nothing; after this many the import is failed and the file may be sent again.
STATEMENT_ATTEMPTS = 3
# Tries within one task when another import takes in the same lines at the same moment.
RACE_TRIES = 3


def _prefix():
    return settings.BILLING["INVOICE_PREFIX"]


def _already_imported(earlier):
    who = f" by {earlier.imported_by.get_full_name() or earlier.imported_by.username}" if earlier.imported_by else ""
    if earlier.state == StatementState.QUEUED:
        return (
            f"This statement was uploaded already ({earlier.filename}, on {date_text(earlier.imported_at)}{who}) "
            "and is being imported: nothing will be recorded twice."
        )
    return (
        f"This statement was imported already ({earlier.filename}, on {date_text(earlier.imported_at)}{who}): "
        "nothing was recorded twice."
    )


def _book(parsed):
    """The open invoices (one query of the columns the matcher reads), and the words for any invoice the file
    quotes that is no longer open (one more query), so review lines say "INV-000123 is already paid"."""
    prefix = _prefix()
    rows = selectors.open_invoices().values_list(
        "id", "number", "customer_id", "customer_name", "account_username", "outstanding", "total", "due_date"
    )
    book = InvoiceBook((OpenInvoice(*row) for row in rows), prefix=prefix)
    quoted = set()
    for line in parsed.lines:
        if line.amount > 0:
            quoted.update(number_keys(f"{line.counterparty} {line.description}", prefix))
    missing = {number_text(key, prefix): key for key in quoted if key not in book.by_key}
    numbers = list(missing)
    for start in range(0, len(numbers), CHUNK):
        chunk = numbers[start : start + CHUNK]
        for found, status in Invoice.objects.filter(number__in=chunk).values_list("number", "status"):
            book.closed[missing[found]] = CLOSED_WORDS.get(status, "is not open")
    return book


def _imported_before(fingerprints):
    """Fingerprint -> the line that brought it in already, for every line of this file seen before."""
    seen = {}
    fingerprints = list(fingerprints)
    for start in range(0, len(fingerprints), CHUNK):
        rows = StatementLine.objects.filter(fingerprint__in=fingerprints[start : start + CHUNK]).values_list(
            "fingerprint", "line_number", "statement__filename", "statement__imported_at"
        )
        for fingerprint, line_number, filename, imported_at in rows:
            seen[fingerprint] = f"line {line_number} of {filename}, imported on {date_text(imported_at)}"
    return seen


@dataclass
class _Planned:
    parsed: object
    row: StatementLine
    invoice: OpenInvoice | None = None


def _reference(line):
    return " ".join(filter(None, (line.counterparty, line.description)))


def statement_receive(*, file_bytes, filename, bank=None, by, now=None, enqueue=True):
    """Take in an uploaded file: read at once (a malformed file raises StatementError; one imported before is
    Refused; either way nothing is recorded), then kept with a queued import for the worker, whose task is
    queued after the commit (with the broker down, the periodic job queues it). Returns the StatementImport."""
    now = now or clock.now()
    digest = file_sha256(file_bytes)
    earlier = _earlier(digest)
    if earlier is not None:
        raise Refused(_already_imported(earlier), field="file")
    parsed = parse_statement(file_bytes, bank)
    try:
        with transaction.atomic():
            statement = StatementImport.objects.create(
                bank=parsed.bank,
                filename=(filename or "statement.csv")[:255],
                sha256=digest,
                imported_by=by,
                imported_at=now,
                lines_total=len(parsed.lines),
                state=StatementState.QUEUED,
            )
            StatementFile.objects.create(statement=statement, content=file_bytes)
            if enqueue:
                from billing import tasks

                transaction.on_commit(partial(tasks.enqueue_statement, statement.pk))
    except IntegrityError:
        # The same file uploaded at the same moment: the unique index kept one.
        earlier = _earlier(digest)
        if earlier is None:
            raise
        raise Refused(_already_imported(earlier), field="file") from None
    return statement


def statement_process(*, statement_id, now=None):
    """The worker's part: record a queued import's lines and pay what clearly pays, in one transaction.

    Returns the import, imported, or still queued with its failure (or failed, after STATEMENT_ATTEMPTS
    tries): a try that fails records none of its lines. Returns None when the import is not queued or another
    worker holds it (a task run twice does nothing the second time)."""
    with transaction.atomic():
        statement = (
            StatementImport.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("imported_by")
            .filter(pk=statement_id, state=StatementState.QUEUED)
            .first()
        )
        if statement is None:
            return None
        content = StatementFile.objects.filter(statement=statement).values_list("content", flat=True).get()
        for attempt in range(RACE_TRIES):
            try:
                with transaction.atomic():
                    parsed = parse_statement(bytes(content), statement.bank)
                    return _import(statement, parsed, now=now or clock.now())
            except IntegrityError:
                # Another import took in some of the same lines while this one ran: they are committed now,
                # so the next try lists them as already imported.
                if attempt + 1 < RACE_TRIES:
                    continue
                return _failed(statement, "another import kept taking in the same lines at the same moment")
            except Exception as error:  # a fault: recorded on the import; the periodic job tries again
                logger.exception("Statement import %s failed", statement.pk)
                return _failed(statement, f"{type(error).__name__}: {error}")
    return None


def statement_import(*, file_bytes, filename, bank=None, by, now=None):
    """Take in a file and import it at once, in this process (`manage.py import_statement`, the demo data)."""
    statement = statement_receive(file_bytes=file_bytes, filename=filename, bank=bank, by=by, now=now, enqueue=False)
    return statement_process(statement_id=statement.pk, now=now) or statement


def _earlier(digest):
    return (
        StatementImport.objects.filter(sha256=digest)
        .exclude(state=StatementState.FAILED)
        .select_related("imported_by")
        .first()
    )


def _failed(statement, why):
    statement.refresh_from_db()  # as before the try: what the try set on it in memory was rolled back
    statement.attempts += 1
    statement.failure = why[:300]
    if statement.attempts >= STATEMENT_ATTEMPTS:
        statement.state = StatementState.FAILED
    statement.save(update_fields=["attempts", "failure", "state"])
    return statement


def _import(statement, parsed, *, now):
    digest, filename, by = statement.sha256, statement.filename, statement.imported_by
    book = _book(parsed)
    before = _imported_before(line.fingerprint for line in parsed.lines)
    planned = []
    for line in parsed.lines:
        row = StatementLine(
            statement=statement,
            line_number=line.line_number,
            date=line.date,
            amount=line.amount,
            description=line.description,
            counterparty=line.counterparty,
            fingerprint=line.fingerprint,
        )
        plan = _Planned(parsed=line, row=row)
        if line.fingerprint in before:
            # Kept (no line is dropped) but under a fingerprint of its own: the original stays the one line
            # that may pay, so an overlapping export cannot pay it twice.
            row.outcome = LineOutcome.IGNORED
            row.why = f"Already imported: {before[line.fingerprint]}."[:300]
            row.fingerprint = hashlib.sha256(f"{line.fingerprint}:{digest}".encode()).hexdigest()
        else:
            decision = book.decide(line)
            row.outcome = {MATCHED: LineOutcome.MATCHED, REVIEW: LineOutcome.REVIEW, IGNORED: LineOutcome.IGNORED}[
                decision.outcome
            ]
            row.why = decision.why[:300]
            row.suggestions = decision.suggestions
            if decision.outcome == MATCHED:
                plan.invoice = decision.invoice
                book.settle(decision.invoice, line.amount, f"is paid by line {line.line_number} of this file")
        planned.append(plan)
    StatementLine.objects.bulk_create([plan.row for plan in planned], batch_size=CHUNK)

    to_pay = [plan for plan in planned if plan.invoice is not None]
    invoices = Invoice.objects.in_bulk({plan.invoice.id for plan in to_pay})
    customers = {invoice.customer_id: None for invoice in invoices.values()}
    if customers:  # the customer behind each invoice, loaded once for every payment
        customers = get_user_model().objects.in_bulk(list(customers))
    demoted = []
    for plan in to_pay:
        invoice = invoices[plan.invoice.id]
        try:
            payment_record(
                customer=customers[invoice.customer_id],
                method=PaymentMethod.TRANSFER,
                received_on=plan.parsed.date,
                amount=plan.parsed.amount,
                reference=_reference(plan.parsed),
                allocations=[(invoice, plan.parsed.amount)],
                by=by,
                statement_line=plan.row,
                now=now,
            )
        except Refused as refused:
            # Paid meanwhile by someone at the desk, or dated in the future: a person decides.
            plan.row.outcome = LineOutcome.REVIEW
            plan.row.why = f"Not paid automatically: {refused.message}"[:300]
            plan.row.suggestions = book.suggest(plan.parsed, number_keys(_reference(plan.parsed), book.prefix))
            demoted.append(plan.row)
    if demoted:
        StatementLine.objects.bulk_update(demoted, ["outcome", "why", "suggestions"], batch_size=CHUNK)

    counts = dict.fromkeys(LineOutcome.values, 0)
    for plan in planned:
        counts[plan.row.outcome] += 1
    statement.lines_matched = counts[LineOutcome.MATCHED]
    statement.lines_for_review = counts[LineOutcome.REVIEW]
    statement.lines_ignored = counts[LineOutcome.IGNORED]
    # No line is ever dropped: checked here, before the commit, not only in the tests.
    if statement.lines_matched + statement.lines_for_review + statement.lines_ignored != len(parsed.lines):
        raise RuntimeError(f"Statement {filename}: the outcomes do not add up to the {len(parsed.lines)} lines.")
    statement.state = StatementState.IMPORTED
    statement.finished_at = now
    statement.failure = ""
    statement.save(
        update_fields=["lines_matched", "lines_for_review", "lines_ignored", "state", "finished_at", "failure"]
    )
    return statement


def _locked_for_review(line, to):
    locked = StatementLine.objects.select_for_update().get(pk=line.pk)
    check_move(LINE_TRANSITIONS, locked.outcome, to, what="A statement line", words=LINE_WORDS)
    return locked


@transaction.atomic
def statement_line_resolve(*, line, allocations, by, now=None, customer=None):
    """Staff allocate a line for review by hand: `allocations` is a list of (invoice, amount), all one
    customer's; what is not allocated is credit on that customer's account (`customer` names whose, when
    nothing is allocated). Records one payment for the whole line. Returns the Payment."""
    now = now or clock.now()
    locked = _locked_for_review(line, LineOutcome.RESOLVED)
    if locked.amount <= 0:
        raise Refused("Only money paid in can be allocated to invoices.")
    allocations = [(invoice, Decimal(amount)) for invoice, amount in allocations]
    owners = {invoice.customer_id for invoice, _ in allocations}
    if customer is None and not owners:
        raise Refused("Choose at least one invoice, or the customer whose credit this is.", field="allocations")
    if len(owners) > 1 or (customer is not None and owners and owners != {customer.pk}):
        raise Refused(
            "One payment pays one customer's invoices: these belong to different accounts.", field="allocations"
        )
    if customer is None:
        customer = allocations[0][0].customer
    payment = payment_record(
        customer=customer,
        method=PaymentMethod.TRANSFER,
        received_on=locked.date,
        amount=locked.amount,
        reference=" ".join(filter(None, (locked.counterparty, locked.description))),
        allocations=allocations,
        by=by,
        statement_line=locked,
        now=now,
    )
    locked.outcome = LineOutcome.RESOLVED
    locked.resolved_by = by
    locked.resolved_at = now
    left = f"; {gbp(payment.unallocated)} kept as credit" if payment.unallocated else ""
    locked.why = f"Allocated by hand to {customer.username}{left} (was: {locked.why})"[:300]
    locked.save(update_fields=["outcome", "resolved_by", "resolved_at", "why"])
    line.outcome, line.resolved_by, line.resolved_at, line.why = locked.outcome, by, now, locked.why
    return payment


@transaction.atomic
def statement_line_ignore(*, line, reason, by, now=None):
    """Staff decide a line for review is not a customer's payment (a supplier's refund, a transfer between
    our own accounts): it is kept, marked ignored with their reason."""
    now = now or clock.now()
    reason = required_text(reason, "Say why this line is not a customer's payment.", field="reason")
    locked = _locked_for_review(line, LineOutcome.IGNORED)
    locked.outcome = LineOutcome.IGNORED
    locked.why = f"Ignored by staff: {reason}"[:300]
    locked.resolved_by = by
    locked.resolved_at = now
    locked.save(update_fields=["outcome", "why", "resolved_by", "resolved_at"])
    line.outcome, line.why, line.resolved_by, line.resolved_at = locked.outcome, locked.why, by, now
    return locked
