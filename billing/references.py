"""Which invoice a bank line pays: invoice numbers found in what the payer typed, the automatic-payment rule,
and the suggestions staff see for every line that needs a person.

The Code: "Please include an invoice number when making payments." Bank references carry at most 18
characters (A-Z, 0-9, hyphen) and customers mangle them: lower case, spaces, "inv 123", "INV123", extra
words, leading zeros dropped, the letter O for a zero. Both sides are normalised to one key (the prefix's
letters and the number without its zeros: "INV-000123", "inv 123" and "Invoice no. 0123" are all INV123),
so matching does not depend on how many digits the numbering pads to.

The rule for paying a line automatically (anything else goes to review, never guessed):
- the line is money in, and exactly one invoice number is found in its reference and narrative;
- that number is an OPEN invoice's;
- the amount is no more than the invoice still owes. A part payment is paid automatically: the number is
  exact and the Code's ladder only needs to know what is left, which the invoice then shows. An
  overpayment goes to review instead of leaving the excess as credit: it usually means the payer meant to
  settle more than one invoice (or quoted the wrong one), and credit would wait for the next invoice while
  the older unpaid one went on to reminders.

Pure Python: the service hands in the open invoices (OpenInvoice) and gets back a Decision per line.
"""

import difflib
import heapq
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from portal.formats import gbp

MATCHED, REVIEW, IGNORED = "matched", "review", "ignored"
# Invoice numbers are the prefix and a zero-padded sequence number (INV-000123), used only to name an
# invoice the file quotes that is no longer open; matching itself compares keys, whatever the padding.
NUMBER_DIGITS = 6
MAX_SUGGESTIONS = 5
# Suggestions: the weight of each reason, then the least a candidate needs to be shown at all.
WEIGHT_NUMBER = 100
WEIGHT_AMOUNT = 40
WEIGHT_TOTAL = 20
WEIGHT_NAME = 40
WEIGHT_USERNAME = 40
WEIGHT_DIGITS = 25
WEIGHT_DATE = 10
DATE_WINDOW_DAYS = 30
NAME_THRESHOLD = 0.6
NAME_CANDIDATES = 100  # customers compared by name for one line, at most
# Words that say nothing about who paid.
NAME_NOISE = {
    "MR",
    "MRS",
    "MS",
    "MISS",
    "DR",
    "LTD",
    "LIMITED",
    "PLC",
    "LLP",
    "AND",
    "THE",
    "CO",
    "UK",
    "FP",
    "BGC",
    "BP",
    "FT",
    "TFR",
    "BACS",
    "FPI",
    "REF",
    "PAYMENT",
    "INVOICE",
    "INV",
}


@dataclass(frozen=True)
class OpenInvoice:
    """What the matcher needs of one open invoice (the service reads these in one query)."""

    id: int
    number: str
    customer_id: int
    customer_name: str
    username: str
    outstanding: Decimal
    total: Decimal
    due_date: date | None


@dataclass
class Decision:
    outcome: str
    why: str = ""
    invoice: OpenInvoice | None = None
    suggestions: list = field(default_factory=list)


def prefix_letters(prefix):
    return re.sub(r"[^A-Z0-9]", "", (prefix or "").upper())


def _number_pattern(prefix):
    core = prefix_letters(prefix)
    if not core:
        raise ValueError("The invoice prefix needs at least one letter or digit.")
    # "INVOICE 123" and "Invoice no. 123" when the prefix is INV; separators customers type between the
    # prefix and the digits; leading zeros (or the letter O typed for them) dropped.
    spelled = r"(?:OICE)?" if core == "INV" else ""
    return re.compile(
        rf"(?<![A-Z0-9]){re.escape(core)}{spelled}[\s.:#/_-]*(?:NO\b|NUMBER\b|NUM\b)?[\s.:#/_-]*[0O]*([1-9]\d{{0,11}})(?!\d)"
    )


_patterns = {}


def _pattern(prefix):
    if prefix not in _patterns:
        _patterns[prefix] = _number_pattern(prefix)
    return _patterns[prefix]


def number_keys(text, prefix):
    """The invoice numbers `text` quotes, as keys ("INV123"), in the order they appear, each once."""
    core = prefix_letters(prefix)
    found = []
    for match in _pattern(prefix).finditer((text or "").upper()):
        key = f"{core}{int(match[1])}"
        if key not in found:
            found.append(key)
    return found


def number_key(number, prefix):
    """The key of an invoice's own number ("INV-000123" -> "INV123"), or None if it is not one of ours."""
    keys = number_keys(number, prefix)
    return keys[0] if len(keys) == 1 else None


def number_text(key, prefix):
    """How an invoice number reads, from its key: INV123 -> INV-000123."""
    digits = key[len(prefix_letters(prefix)) :]
    return f"{prefix}{int(digits):0{NUMBER_DIGITS}d}"


def _words(text):
    return [w for w in re.split(r"[^A-Z0-9]+", (text or "").upper()) if w]


def name_words(name):
    return [w for w in _words(name) if w not in NAME_NOISE and not w.isdigit()]


def name_similarity(customer_name, payer_words):
    """0..1: how like the customer's name the payer's words are. Banks print "A ARCHER" or "ARCHER A" or
    "ALICE ARCHER"; a word counts whole, an initial half; a close spelling (difflib) counts too."""
    wanted = name_words(customer_name)
    if not wanted or not payer_words:
        return 0.0
    payer = set(payer_words)
    initials = {w for w in payer_words if len(w) == 1}
    points = 0.0
    for word in wanted:
        if word in payer:
            points += 1
        elif word[0] in initials:
            points += 0.5
    by_words = points / len(wanted)
    if by_words == 1:
        return by_words
    spelling = difflib.SequenceMatcher(None, " ".join(wanted), " ".join(payer_words))
    if spelling.real_quick_ratio() <= by_words:  # cannot beat the words: spare the full comparison
        return by_words
    return max(by_words, spelling.ratio())


class InvoiceBook:
    """The open invoices, indexed for the questions a bank line asks: by number key, by amount still owed,
    by the words of the customer's name, and by account username. Built once per import."""

    def __init__(self, invoices, *, prefix, closed=None):
        self.prefix = prefix
        self.by_key = {}
        self.by_amount = defaultdict(list)
        self.by_digits = defaultdict(list)
        self.by_name_word = defaultdict(set)
        self.by_username = defaultdict(list)
        self.by_customer = defaultdict(list)
        self.closed = closed or {}  # number key -> words for an invoice that is not open ("already paid")
        for invoice in invoices:
            key = number_key(invoice.number, prefix)
            if key:
                self.by_key[key] = invoice
                self.by_digits[int(key[len(prefix_letters(prefix)) :])].append(invoice)
            self.by_amount[invoice.outstanding].append(invoice)
            self.by_customer[invoice.customer_id].append(invoice)
            if invoice.username:
                self.by_username[invoice.username.upper()].append(invoice)
            for word in name_words(invoice.customer_name):
                if len(word) >= 3:
                    self.by_name_word[word].add(invoice.customer_id)

    def settle(self, invoice, amount, why_paid):
        """An earlier line of the same file pays `amount` of `invoice`: later lines see what it left."""
        key = number_key(invoice.number, self.prefix)
        left = invoice.outstanding - amount
        if left > 0:
            self.by_key[key] = replace(invoice, outstanding=left)
        else:
            self.by_key.pop(key, None)
            self.closed[key] = why_paid

    def _payer_words(self, line):
        text = line.counterparty or line.description
        return [w for w in name_words(_pattern(self.prefix).sub(" ", text.upper())) if not any(c.isdigit() for c in w)]

    def _named(self, payer):
        """Customers whose names share the payer's words. A word many customers share (a common first name
        or surname) narrows nothing alone: it is intersected with the payer's other words, and dropped if
        the payer's name is still that common (amount, number and date still suggest)."""
        sets = sorted((self.by_name_word[w] for w in set(payer) if w in self.by_name_word), key=len)
        if not sets:
            return set()
        named = sets[0]
        for other in sets[1:]:
            if len(named) <= NAME_CANDIDATES:
                break
            named = named & other
        return named if len(named) <= NAME_CANDIDATES else set()

    def suggest(self, line, keys=()):
        """Up to MAX_SUGGESTIONS open invoices this line may pay, best first, each with its reasons
        (Xero's order: the amount, the date, the name)."""
        candidates = {}  # invoice id -> [score, invoice, reasons]

        def add(invoice, points, reason):
            entry = candidates.setdefault(invoice.id, [0.0, invoice, []])
            entry[0] += points
            entry[2].append(reason)

        for key in keys:
            if key in self.by_key:
                add(self.by_key[key], WEIGHT_NUMBER, f"the reference quotes {self.by_key[key].number}")
        quoted = {self.by_key[k].id for k in keys if k in self.by_key}
        for token in _words(f"{line.counterparty} {line.description}"):
            if token.isdigit() and len(token) == NUMBER_DIGITS and token.startswith("0"):
                for invoice in self.by_digits.get(int(token), ()):
                    if invoice.id not in quoted:
                        add(invoice, WEIGHT_DIGITS, f"the reference has {token}, as in {invoice.number}")
            for invoice in self.by_username.get(token, ()):
                add(invoice, WEIGHT_USERNAME, f"the reference quotes the account {invoice.username}")
        for invoice in self.by_amount.get(line.amount, ()):
            add(invoice, WEIGHT_AMOUNT, f"the amount is the {gbp(invoice.outstanding)} still due")
        payer = self._payer_words(line)
        for customer_id in self._named(payer):
            invoices = self.by_customer[customer_id]
            score = name_similarity(invoices[0].customer_name, payer)
            if score >= NAME_THRESHOLD:
                for invoice in invoices:
                    add(invoice, WEIGHT_NAME * score, f"the payer's name is like {invoice.customer_name} ({score:.0%})")
        for entry in candidates.values():
            invoice = entry[1]
            if invoice.total != invoice.outstanding and invoice.total == line.amount:
                entry[0] += WEIGHT_TOTAL
                entry[2].append(f"the amount is the invoice's total of {gbp(invoice.total)}")
            if invoice.due_date:
                days = (line.date - invoice.due_date).days
                if abs(days) <= DATE_WINDOW_DAYS:
                    entry[0] += WEIGHT_DATE * (1 - abs(days) / DATE_WINDOW_DAYS)
                    entry[2].append(_days_text(days))
        best = heapq.nlargest(MAX_SUGGESTIONS, candidates.values(), key=lambda e: (e[0], -e[1].id))
        return [_suggestion(score, invoice, reasons) for score, invoice, reasons in best]

    def decide(self, line):
        """What to do with one bank line (the rule in this module's docstring)."""
        if line.amount < 0:
            return Decision(IGNORED, "Money out (a payment we made, a refund or a bank charge): not a payment to us.")
        if line.amount == 0:
            return Decision(IGNORED, "No money moved.")
        keys = number_keys(f"{line.counterparty} {line.description}", self.prefix)
        suggestions = lambda: self.suggest(line, keys)  # noqa: E731  (only worked out for review lines)
        if not keys:
            return Decision(REVIEW, "No invoice number in the reference.", suggestions=suggestions())
        if len(keys) > 1:
            named = ", ".join(number_text(k, self.prefix) for k in keys)
            return Decision(REVIEW, f"The reference quotes more than one invoice ({named}).", suggestions=suggestions())
        key = keys[0]
        invoice = self.by_key.get(key)
        if invoice is None:
            words = self.closed.get(key, "is not an invoice of ours")
            return Decision(
                REVIEW, f"{number_text(key, self.prefix)} {words}: nothing is due on it.", suggestions=suggestions()
            )
        if line.amount > invoice.outstanding:
            return Decision(
                REVIEW,
                f"{gbp(line.amount)} is more than the {gbp(invoice.outstanding)} still due on {invoice.number}: "
                "does it pay other invoices too?",
                invoice=invoice,
                suggestions=suggestions(),
            )
        return Decision(MATCHED, invoice=invoice)


def _days_text(days):
    if days == 0:
        return "paid on the due date"
    unit = "day" if abs(days) == 1 else "days"
    return f"paid {abs(days)} {unit} {'after' if days > 0 else 'before'} the due date"


def _suggestion(score, invoice, reasons):
    """One suggestion as stored on the line (JSON): enough to show it and to prefill the allocation."""
    return {
        "invoice_id": invoice.id,
        "number": invoice.number,
        "customer_id": invoice.customer_id,
        "customer": invoice.customer_name,
        "username": invoice.username,
        "outstanding": str(invoice.outstanding),
        "due_date": invoice.due_date.isoformat() if invoice.due_date else "",
        "due": f"{invoice.due_date:%d/%m/%Y}" if invoice.due_date else "",
        "score": round(score, 1),
        "reasons": reasons,
    }
