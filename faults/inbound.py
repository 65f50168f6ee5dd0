"""Faults in the company's mailbox (portal/inbound/). Code (Fault Repair): "Faults can be reported around
the clock via email". A reply about a fault joins its timeline by the one path a customer's message takes
(the engineers are told); customer services turn a triaged email into a fault report whose repair target
counts from when the email reached us, at whatever hour."""

from django import forms

from faults import selectors, services
from faults.models import Channel, Fault
from portal.admin_actions import StaffActionForm
from portal.customer_messages import Via
from portal.inbound.registry import CaseKind, Conversion, register_case, register_conversion


def _add_message(fault, *, customer, text, received_at, email, now):
    return services.fault_add_customer_message(
        fault=fault, customer=customer, text=text, received_at=received_at, via=Via.EMAIL, email=email, now=now
    )


class FaultFromEmailForm(StaffActionForm):
    """The fault an email reports; `case` is the email. Only the customer's own services in use are offered."""

    service = forms.ModelChoiceField(queryset=None)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}), help_text="What the customer told us, including any checks they made."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        customer = self.case.customer if self.case is not None else None
        self.fields["service"].queryset = selectors.services_for_fault_report(customer=customer)
        self.fields["service"].label_from_instance = lambda s: f"{s.reference} {s.label}, {s.postcode}"
        if self.case is not None:
            self.fields["description"].initial = self.case.text


def _report(email, by, data, now):
    return services.fault_report(
        customer=email.customer,
        service=data["service"],
        description=data["description"],
        channel=Channel.EMAIL,
        reported_at=email.received_at,
        recorded_by=by,
        email=email,
        now=now,
    )


def register():
    register_case(CaseKind(prefix="FLT", model=Fault, add_message=_add_message))
    register_conversion(Conversion("fault", "Turn into a fault report", FaultFromEmailForm, _report, position=20))
