"""The staff's forms in the admin: entering a phoned or emailed order, recording a written cancellation,
and the reason for cancelling or rejecting an order (a staff action's form, portal/admin_actions.py).
Each runs the same checks as the service it feeds, so a refusal shows on its field and nothing is saved."""

from django import forms

from orders.models import Cancellation, CancellationChannel, Order, OrderChannel
from orders.services import validate_cancellation, validate_order
from portal import clock
from portal.admin_actions import StaffActionForm
from portal.forms import RefusalMixin
from portal.postcodes import normalise_postcode
from portal.staff_time import StaffSplitTimeField
from portal.workflow import Refused


class OrderAddForm(RefusalMixin, forms.ModelForm):
    channel = forms.ChoiceField(
        label="Received by", choices=[(c.value, c.label) for c in OrderChannel if c != OrderChannel.PORTAL]
    )
    monthly_price = forms.DecimalField(
        max_digits=10,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text="Excluding VAT. Leave empty for the catalogue price; required for "
        "products priced on request (the quoted price).",
    )
    setup_fee = forms.DecimalField(
        max_digits=10,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text="Excluding VAT. Leave empty for the catalogue fee.",
    )
    postcode = forms.CharField(max_length=12)

    class Meta:
        model = Order
        fields = [
            "customer",
            "product",
            "channel",
            "received_at",
            "address",
            "postcode",
            "preferred_start_date",
            "contact_name",
            "contact_phone",
            "contact_email",
            "notes",
            "monthly_price",
            "setup_fee",
        ]
        help_texts = {"received_at": "The real time the call or email reached us (London time). Not in the future."}
        field_classes = {"received_at": StaffSplitTimeField}  # the admin's date and time pair, range-checked

    def clean_postcode(self):
        return normalise_postcode(self.cleaned_data["postcode"])

    def clean(self):
        data = super().clean()
        needed = ("customer", "product", "channel", "received_at")
        if all(data.get(name) for name in needed):
            try:
                validate_order(
                    customer=data["customer"],
                    product=data["product"],
                    channel=data["channel"],
                    received_at=data["received_at"],
                    preferred_start_date=data.get("preferred_start_date"),
                    monthly_price=data.get("monthly_price"),
                    setup_fee=data.get("setup_fee"),
                    now=clock.now(),
                )
            except Refused as refused:
                self.add_refusal(refused)
        return data

    def _post_clean(self):
        # The service fills in prices, due time and status; only the model's own field checks run here.
        pass


class CancellationAddForm(RefusalMixin, forms.ModelForm):
    """Code (Account Cancellations): a written request "quoting your account username"."""

    channel = forms.ChoiceField(
        label="Received by",
        choices=[(c.value, c.label) for c in CancellationChannel if c != CancellationChannel.PORTAL],
    )

    class Meta:
        model = Cancellation
        fields = ["service", "channel", "received_at", "quoted_username", "requested_date"]
        labels = {"quoted_username": "Account username the customer quoted"}
        help_texts = {
            "received_at": "The real time the email or letter reached us (London time). Not in the future.",
            "quoted_username": "Exactly as written in the email or letter. A username that is not the service's "
            "account is refused: ask the customer to write again quoting it.",
            "requested_date": "Only if the customer asked for a date. An earlier date than allowed is ignored.",
        }
        field_classes = {"received_at": StaffSplitTimeField}

    def clean(self):
        data = super().clean()
        if all(data.get(name) for name in ("service", "channel", "received_at", "quoted_username")):
            try:
                validate_cancellation(
                    service=data["service"],
                    channel=data["channel"],
                    received_at=data["received_at"],
                    quoted_username=data["quoted_username"],
                    now=clock.now(),
                )
            except Refused as refused:
                self.add_refusal(refused)
        return data

    def _post_clean(self):
        pass  # the service computes the withdrawal date and the rest


class ReasonForm(StaffActionForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="The customer is told this reason by email (or letter).",
    )
