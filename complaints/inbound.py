"""Complaints in the company's mailbox (portal/inbound/): a reply about a complaint joins its timeline by
the one path a customer's message takes, and customer services turn a triaged email into a complaint whose
acknowledgement is due 24 office hours from when the email reached us (Code: "We will acknowledge all
complaints received by letter, or e-mail within 24 working hours")."""

from django import forms

from complaints import selectors, services
from complaints.models import Category, Channel, Complaint, ReplyBy
from portal.admin_actions import StaffActionForm
from portal.customer_messages import Via
from portal.inbound.registry import CaseKind, Conversion, register_case, register_conversion
from portal.workflow import Refused


def _add_message(complaint, *, customer, text, received_at, email, now):
    return services.complaint_add_customer_message(
        complaint=complaint, customer=customer, text=text, received_at=received_at, via=Via.EMAIL, email=email, now=now
    )


class ComplaintFromEmailForm(StaffActionForm):
    """The complaint an email makes; `case` is the email (its customer, its words, its received time)."""

    category = forms.ChoiceField(choices=Category.choices)
    service = forms.ModelChoiceField(queryset=None, required=False, help_text="Optional: the service it concerns.")
    what_happened = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}))
    desired_outcome = forms.CharField(
        label="What the customer wants", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    reply_by = forms.ChoiceField(label="Reply by", choices=ReplyBy.choices, initial=ReplyBy.EMAIL)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        customer = self.case.customer if self.case is not None else None
        self.fields["service"].queryset = selectors.services_to_complain_about(customer=customer)
        self.fields["service"].label_from_instance = lambda s: f"{s.reference} {s.label}"
        if self.case is not None:
            self.fields["what_happened"].initial = self.case.text

    def clean(self):
        data = super().clean()
        if not self.errors and self.case is not None:
            try:
                services.validate_complaint(
                    customer=self.case.customer,
                    channel=Channel.EMAIL,
                    reply_by=data["reply_by"],
                    received_at=self.case.received_at,
                    service=data["service"],
                )
            except Refused as refused:
                self.add_refusal(refused)
        return data


def _open(email, by, data, now):
    return services.complaint_open(
        customer=email.customer,
        category=data["category"],
        what_happened=data["what_happened"],
        desired_outcome=data["desired_outcome"],
        channel=Channel.EMAIL,
        reply_by=data["reply_by"],
        received_at=email.received_at,
        recorded_by=by,
        service=data["service"],
        email=email,
        now=now,
    )


def register():
    register_case(CaseKind(prefix="CMP", model=Complaint, add_message=_add_message))
    register_conversion(Conversion("complaint", "Turn into a complaint", ComplaintFromEmailForm, _open, position=10))
