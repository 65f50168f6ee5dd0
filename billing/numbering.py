"""Invoice and credit note numbers: gapless series taken at issue, never at draft (DESIGN, billing).

Why two runs racing on PostgreSQL get unique numbers with no gaps: `sequences.get_next_value` is one
`INSERT ... ON CONFLICT (name) DO UPDATE SET last = last + 1 RETURNING last` on the series' row, inside the
issuing transaction. The UPDATE takes that row's lock and keeps it until the transaction ends, so a second
transaction asking for a number waits for the first to commit or roll back, then reads the value the first
left: committed, it takes the next one; rolled back, the first's increment never happened and it takes the
same number again. A number is therefore only ever used by a committed invoice (no duplicates: the lock;
no gaps: a rollback gives its number back). The very first number works the same way: the second INSERT
waits on the first's uncommitted row in the unique index, then takes the UPDATE path.

The price is that issuing is one at a time across every worker from the moment a number is taken until
commit, so the issuing service takes the number last, once every line is written (issuing.py). A PostgreSQL
SEQUENCE would not wait, but it leaves a gap for every rolled-back transaction, which VAT invoices must not.

Numbers are short enough for a bank reference (18 characters at most, A-Z, 0-9 and hyphens): the prefix
(BILLING["INVOICE_PREFIX"], "INV-") and six digits, growing past six digits if ever needed.
"""

import re

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from sequences import get_next_value

INVOICE_SERIES = "billing.invoice"
CREDIT_NOTE_SERIES = "billing.credit_note"
BANK_REFERENCE = re.compile(r"^[A-Z0-9-]{1,18}$")


def format_number(prefix, value):
    number = f"{prefix}{value:06d}"
    if not BANK_REFERENCE.match(number):
        raise ImproperlyConfigured(
            f"{number!r} cannot be a bank reference: at most 18 characters, capital letters, digits and hyphens "
            "(check BILLING_INVOICE_PREFIX and BILLING_CREDIT_NOTE_PREFIX)."
        )
    return number


def _next(series, prefix):
    # Both the number and the row that uses it are written in the caller's transaction (see above); outside
    # one, autocommit would release the lock at once and a later failure would leave a gap.
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Document numbers are taken only inside the issuing transaction.")
    return format_number(prefix, get_next_value(series))


def next_invoice_number():
    """The next invoice number, e.g. INV-000123. Call inside the issuing transaction.atomic()."""
    return _next(INVOICE_SERIES, settings.BILLING["INVOICE_PREFIX"])


def next_credit_note_number():
    """The next credit note number, e.g. CRN-000045. Call inside the issuing transaction.atomic()."""
    return _next(CREDIT_NOTE_SERIES, settings.BILLING["CREDIT_NOTE_PREFIX"])
