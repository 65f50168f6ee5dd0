"""Orders and cancellations in the company's mailbox (portal/inbound/). A reply about an order joins its
timeline and customer services are told. From the triage list customer services turn an email into a
cancellation (Code: "a written request in the form of an email ... quoting your account username": the
username the email quotes is checked against the sender's account) or file it on one of the customer's
orders as their note (Code: orders by "emailing"), keeping the email's received time."""

from django import forms

from orders import selectors, services
from orders.models import CancellationChannel, Order, ServiceStatus
from portal.admin_actions import StaffActionForm
from portal.customer_messages import Via
from portal.inbound.registry import CaseKind, Conversion, register_case, register_conversion


def _add_message(order, *, customer, text, received_at, email, now):
    return services.order_add_customer_message(
        order=order, customer=customer, text=text, received_at=received_at, via=Via.EMAIL, email=email, now=now
    )


class CancellationFromEmailForm(StaffActionForm):
    """The cancellation an email asks for; `case` is the email. Only the sender's own services that can
    still be cancelled are offered, and the account username is the one the email quotes, as written."""

    service = forms.ModelChoiceField(queryset=None)
    quoted_username = forms.CharField(
        label="Account username quoted in the email",
        max_length=40,
        help_text="As the email writes it. It must be the account username of the customer who holds the service; "
        "an email that quotes none is not yet a cancellation (ask the customer).",
    )
    requested_date = forms.DateField(
        label="Date the customer asked for (optional)", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        customer = self.case.customer if self.case is not None else None
        held = selectors.services_held(customer=customer) if customer is not None else selectors.services_held().none()
        self.fields["service"].queryset = held.filter(status__in=[ServiceStatus.ACTIVE, ServiceStatus.SUSPENDED])
        self.fields["service"].label_from_instance = lambda s: f"{s.reference} {s.label}, {s.postcode}"


class OrderNoteForm(StaffActionForm):
    """The email filed on one of the sender's orders, as their message; `case` is the email."""

    order = forms.ModelChoiceField(queryset=None)
    text = forms.CharField(label="The customer's message", widget=forms.Textarea(attrs={"rows": 8}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        customer = self.case.customer if self.case is not None else None
        orders = selectors.order_list_for_customer(customer=customer) if customer else Order.objects.none()
        self.fields["order"].queryset = orders
        self.fields["order"].label_from_instance = lambda o: (
            f"{o.reference} {o.product.name} ({o.get_status_display()})"
        )
        if self.case is not None:
            self.fields["text"].initial = self.case.text


def _cancel(email, by, data, now):
    return services.cancellation_request(
        service=data["service"],
        channel=CancellationChannel.EMAIL,
        received_at=email.received_at,
        quoted_username=data["quoted_username"],
        requested_date=data["requested_date"],
        recorded_by=by,
        email=email,
        now=now,
    )


def _order_note(email, by, data, now):
    services.order_add_customer_message(
        order=data["order"],
        customer=email.customer,
        text=data["text"],
        received_at=email.received_at,
        via=Via.EMAIL,
        email=email,
        now=now,
    )
    return data["order"]


def register():
    register_case(CaseKind(prefix="ORD", model=Order, add_message=_add_message))
    register_conversion(
        Conversion("cancellation", "Turn into a cancellation", CancellationFromEmailForm, _cancel, position=30)
    )
    register_conversion(
        Conversion("order_note", "File on an order as the customer's note", OrderNoteForm, _order_note, position=40)
    )
