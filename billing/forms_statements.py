"""The accounts team's forms for bank statements: the upload, and a line for review allocated or ignored."""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model

from billing import selectors
from billing.references import number_keys, number_text, prefix_letters
from billing.services.payments import validate_amount
from billing.statements import BANK_CHOICES
from portal.forms import RefusalMixin
from portal.workflow import Refused

# A month of a busy account's lines is well under this; a larger upload is a wrong file.
MAX_STATEMENT_BYTES = 5 * 1024 * 1024
ALLOCATION_ROWS = 5


class StatementUploadForm(RefusalMixin, forms.Form):
    file = forms.FileField(
        label="Statement file (CSV)",
        help_text="The CSV your bank's online banking exports: Lloyds, HSBC, NatWest, Barclays or Starling.",
    )
    bank = forms.ChoiceField(
        label="Bank",
        choices=[("", "Work it out from the file")] + BANK_CHOICES,
        required=False,
        help_text="Only needed when the file's header does not say which bank's export it is.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_STATEMENT_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size // 1024} KB; a statement export is at most "
                f"{MAX_STATEMENT_BYTES // (1024 * 1024)} MB. Is it the right file?"
            )
        return upload


class LineResolveForm(RefusalMixin, forms.Form):
    """Allocate one line for review: up to ALLOCATION_ROWS invoices (numbers as customers write them are
    fine: "inv 123"), the rest kept as credit; or only a customer, to keep it all as their credit."""

    customer = forms.CharField(
        label="Customer's account username",
        required=False,
        help_text="Only needed to keep the whole amount as credit, with no invoice.",
    )

    def __init__(self, *args, line, **kwargs):
        super().__init__(*args, **kwargs)
        self.line = line
        for n in range(1, ALLOCATION_ROWS + 1):
            self.fields[f"invoice_{n}"] = forms.CharField(label=f"Invoice {n}", required=False, max_length=30)
            self.fields[f"amount_{n}"] = forms.CharField(label=f"Amount {n}", required=False, max_length=20)
        if not self.is_bound:
            self.initial.update(initial_allocations(line))

    def rows(self):
        """(invoice field, amount field) pairs for the template."""
        return [(self[f"invoice_{n}"], self[f"amount_{n}"]) for n in range(1, ALLOCATION_ROWS + 1)]

    def clean(self):
        data = super().clean()
        prefix = settings.BILLING["INVOICE_PREFIX"]
        allocations, seen = [], set()
        for n in range(1, ALLOCATION_ROWS + 1):
            typed, amount = (data.get(f"invoice_{n}") or "").strip(), (data.get(f"amount_{n}") or "").strip()
            if not typed and not amount:
                continue
            if not typed:
                self.add_error(f"invoice_{n}", "Which invoice does this amount pay?")
                continue
            keys = number_keys(typed, prefix)
            if len(keys) != 1:
                self.add_error(
                    f"invoice_{n}",
                    f"Write one invoice number, for example {number_text(prefix_letters(prefix) + '123', prefix)}.",
                )
                continue
            number = number_text(keys[0], prefix)
            invoice = selectors.open_invoice_by_number(number)
            if invoice is None:
                self.add_error(f"invoice_{n}", f"{number} is not an open invoice.")
                continue
            if invoice.pk in seen:
                self.add_error(f"invoice_{n}", f"{number} is already in this allocation.")
                continue
            seen.add(invoice.pk)
            try:
                part = validate_amount(amount or invoice.outstanding, field=f"amount_{n}")
            except Refused as refused:
                self.add_error(f"amount_{n}", refused.message)
                continue
            allocations.append((invoice, part))
        data["allocations"] = allocations
        username = (data.get("customer") or "").strip()
        data["customer_user"] = None
        if username:
            customer = get_user_model().objects.filter(username__iexact=username, is_staff=False).first()
            if customer is None:
                self.add_error("customer", f"No customer has the account username {username}.")
            data["customer_user"] = customer
        if not allocations and not username and not self.errors:
            raise forms.ValidationError("Give at least one invoice, or the customer whose credit this is.")
        return data


def initial_allocations(line):
    """Prefill from the best suggestion: the invoices the reference quotes when they are one customer's
    and together fit the amount, else the top suggestion for as much as it still owes."""
    suggestions = line.suggestions or []
    if not suggestions or line.amount <= 0:
        return {}
    quoted = [s for s in suggestions if any(f"quotes {s['number']}" in reason for reason in s["reasons"])]
    chosen = quoted if quoted and len({s["customer_id"] for s in quoted}) == 1 else suggestions[:1]
    initial, left = {}, line.amount
    for n, suggestion in enumerate(chosen[:ALLOCATION_ROWS], start=1):
        part = min(left, Decimal(suggestion["outstanding"]))
        if part <= 0:
            break
        initial[f"invoice_{n}"] = suggestion["number"]
        initial[f"amount_{n}"] = str(part)
        left -= part
    return initial


class LineIgnoreForm(RefusalMixin, forms.Form):
    reason = forms.CharField(
        label="Why is this not a customer's payment?",
        max_length=250,
        help_text="For example: a supplier's refund, or a transfer between our own accounts.",
    )
