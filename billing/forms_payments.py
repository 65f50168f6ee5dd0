"""Staff forms for payments, holds and suspensions in the admin (portal.admin_actions pages).

A payment's invoices are typed as lines, "INV-000123 40.00", one invoice a line, rather than a formset:
Accounts staff copy them from a cheque's stub or a remittance advice, often several at once, and a box of
lines takes a paste, needs no "add another" clicks, and keeps every line on the page when one is refused.
Each line is checked (the number exists, the amount is money) with its line number in the message; the
service (billing.services.payments.payment_record) checks the rest (another customer's invoice, more than
an invoice still owes, more than the payment) and records nothing when it refuses.
"""

import re

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model

from billing.models import HoldReason, Invoice, InvoiceStatus, PaymentMethod
from billing.services.payments import validate_amount
from portal import clock
from portal.admin_actions import StaffActionForm
from portal.forms import RefusalMixin
from portal.workflow import Refused

# "INV-000123 40.00", "inv 123 £40", "000123, 1,040.00": an invoice number, then an amount.
_LINE = re.compile(r"^\s*(?P<number>[A-Za-z]*[\s-]*\d+)[\s,;:=]+£?\s*(?P<amount>\S+)\s*$")
_NUMBER = re.compile(r"(?P<letters>[A-Za-z]*)[\s-]*0*(?P<digits>\d+)")


def find_customer(username):
    """The customer with this account username (any case), or None: staff type what the cheque or
    remittance quotes, rather than scrolling a list of every account."""
    return get_user_model().objects.filter(username__iexact=username.strip(), is_staff=False).first()


class AccountField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Account username")
        kwargs.setdefault("max_length", 150)
        super().__init__(**kwargs)

    def clean(self, value):
        username = super().clean(value).strip()
        customer = find_customer(username)
        if customer is None:
            raise forms.ValidationError(f"No customer has the account username “{username}”: check it.")
        return customer


def find_invoice(typed):
    """The issued invoice a typed number means: exactly, or with its prefix, hyphen or leading zeros left out
    ("inv 123" for INV-000123). None when there is none (or more than one could be meant)."""
    match = _NUMBER.fullmatch(typed.strip())
    if match is None:
        return None
    letters = match["letters"].upper() or re.sub(r"[^A-Z]", "", settings.BILLING["INVOICE_PREFIX"].upper())
    found = list(
        Invoice.objects.exclude(status=InvoiceStatus.DRAFT)
        .filter(number__iregex=rf"^{letters}-?0*{match['digits']}$")
        .select_related("customer")[:2]
    )
    return found[0] if len(found) == 1 else None


def parse_allocations(text):
    """[(invoice, amount)] from lines "INV-000123 40.00", or a list of problems, each naming its line."""
    planned, problems, seen = [], [], set()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = _LINE.match(line)
        if match is None:
            problems.append(
                f"Line {number} (“{line.strip()}”): give the invoice number, then the amount, for example "
                "INV-000123 40.00."
            )
            continue
        invoice = find_invoice(match["number"])
        if invoice is None:
            problems.append(f"Line {number}: there is no invoice {match['number'].strip().upper()}: check the number.")
            continue
        try:
            amount = validate_amount(match["amount"], what=f"The amount for invoice {invoice.number}")
        except Refused as refused:
            problems.append(f"Line {number}: {refused.message}")
            continue
        if invoice.pk in seen:
            problems.append(f"Line {number}: invoice {invoice.number} is on two lines: put its whole amount on one.")
            continue
        seen.add(invoice.pk)
        planned.append((invoice, amount))
    return planned, problems


class RecordPaymentForm(RefusalMixin, forms.Form):
    """A cheque or bank transfer received, set against the invoices it pays."""

    customer = AccountField(help_text="As on the cheque, the remittance advice or the bank reference.")
    method = forms.ChoiceField(label="Paid by", choices=PaymentMethod.choices, widget=forms.RadioSelect)
    received_on = forms.DateField(
        label="Date received",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )
    amount = forms.CharField(label="Amount received (£)", max_length=20)
    reference = forms.CharField(
        label="Reference", max_length=140, required=False, help_text="The cheque number or the bank reference."
    )
    allocations = forms.CharField(
        label="Invoices paid",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "INV-000123 40.00"}),
        help_text=(
            "One invoice a line: its number, then the amount set against it, for example INV-000123 40.00. "
            "Left empty, the payment goes to the customer's invoices, oldest due first. Whatever is not set "
            "against an invoice is kept as credit on the account, used by the next invoice."
        ),
    )

    def clean_amount(self):
        try:
            return validate_amount(self.cleaned_data["amount"], what="The amount received")
        except Refused as refused:
            raise forms.ValidationError(refused.message) from None

    def clean_allocations(self):
        text = self.cleaned_data["allocations"]
        if not text.strip():
            return None  # oldest due first (payment_record)
        planned, problems = parse_allocations(text)
        if problems:
            raise forms.ValidationError(problems)
        return planned


class HoldForm(RefusalMixin, forms.Form):
    """Put an account on hold: the reminder ladder pauses (billing/services/holds.py)."""

    customer = AccountField()
    reason = forms.ChoiceField(choices=HoldReason.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="What was agreed (a payment plan's instalments) or what care the customer needs.",
    )
    until = forms.DateField(
        label="Until (optional)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        help_text="The last day of the hold. Empty: until staff end it.",
    )

    def clean_until(self):
        until = self.cleaned_data["until"]
        if until is not None and until < clock.today():
            raise forms.ValidationError("The hold cannot end in the past.")
        return until


class ConfirmSuspensionForm(StaffActionForm):
    """Suspending a customer's services is not undone by a click: staff tick that they mean it."""

    confirm = forms.BooleanField(
        label="Suspend this customer's active services now",
        error_messages={"required": "Tick the box to suspend the services."},
    )


class EndHoldForm(StaffActionForm):
    confirm = forms.BooleanField(
        label="End the hold now (the reminder ladder goes on at its next run)",
        error_messages={"required": "Tick the box to end the hold."},
    )


class ReasonForm(StaffActionForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label="Why", error_messages={"required": "Say why."}
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Say why.")
        return reason if reason.endswith(".") else f"{reason}."
