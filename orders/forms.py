"""The customer's forms: ordering, asking for a quote or the price list, the control panel, cancelling."""

import uuid

from django import forms

from orders.models import Service
from orders.services import CONTROL_PANEL_FIELDS
from portal import clock
from portal.formats import day_text
from portal.forms import PersonNameField, RefusalMixin, submit_helper
from portal.postcodes import normalise_postcode


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class _PostcodeMixin:
    def clean_postcode(self):
        return normalise_postcode(self.cleaned_data["postcode"])


class OrderForm(RefusalMixin, _PostcodeMixin, forms.Form):
    address = forms.CharField(
        label="Installation or service address",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Where the line is to be installed, or the service address for hosting.",
    )
    postcode = forms.CharField(max_length=12)
    preferred_start_date = forms.DateField(
        required=False, widget=DateInput(), help_text="Optional. We will agree the date with you."
    )
    contact_name = forms.CharField(label="Contact name", max_length=150)
    contact_phone = forms.CharField(
        label="Contact phone", max_length=20, help_text="For the engineer or our team to arrange the work."
    )
    contact_email = forms.EmailField(label="Contact email", required=False)
    notes = forms.CharField(label="Anything we should know", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    # One key per form shown: a second POST of the same form (a double click) finds the first order.
    request_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["request_key"].initial = uuid.uuid4()
        self.helper = submit_helper("Place my order")

    def clean_preferred_start_date(self):
        value = self.cleaned_data["preferred_start_date"]
        if value and value < clock.today():
            raise forms.ValidationError("Choose today or a later date.")
        return value


class QuoteForm(RefusalMixin, _PostcodeMixin, forms.Form):
    address = forms.CharField(label="Site address", widget=forms.Textarea(attrs={"rows": 3}))
    postcode = forms.CharField(max_length=12)
    requirements = forms.CharField(
        label="What you need",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example the bandwidth, when you need it, and any backup line.",
    )
    contact_phone = forms.CharField(label="Contact phone", max_length=20, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper("Ask for a quote")


class PriceListForm(RefusalMixin, forms.Form):
    name = PersonNameField(label="Your name")
    email = forms.EmailField(label="Email address to send the price list to")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper("Email me the price list")


class ControlPanelForm(RefusalMixin, forms.ModelForm):
    class Meta:
        model = Service
        fields = list(CONTROL_PANEL_FIELDS)
        help_texts = {
            "nickname": 'A name you recognise it by, e.g. "Shop line".',
            "fault_contact_name": "Who our engineer should ask for on a fault visit.",
            "alert_email": "Where we send alerts about your server (disk space, outages).",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.product.is_hosting:
            del self.fields["alert_email"]
        self.helper = submit_helper("Save changes")


class CancelForm(RefusalMixin, forms.Form):
    """The customer's written request to cancel (Code: "quoting your account username")."""

    quoted_username = forms.CharField(
        label="Your account username",
        max_length=40,
        help_text="The Code of Practice asks for your account username on every cancellation request.",
    )
    requested_date = forms.DateField(
        label="Date you would like the service withdrawn",
        required=False,
        widget=DateInput(),
        help_text="Optional. Leave it empty for the earliest date. An earlier date than the earliest is not possible.",
    )

    def __init__(self, *args, customer, earliest, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer
        self.earliest = earliest  # the withdrawal date the request would get if sent now
        self.helper = submit_helper("Send my cancellation request", css_class="btn-danger")

    def clean_quoted_username(self):
        value = self.cleaned_data["quoted_username"].strip()
        if value.lower() != self.customer.username:
            raise forms.ValidationError(
                "That is not your account username. It is shown at the top of every page, next to your name."
            )
        return value

    def clean_requested_date(self):
        # A date before the earliest would not be granted: say so, rather than set another date silently.
        value = self.cleaned_data["requested_date"]
        if value and value < self.earliest:
            raise forms.ValidationError(
                f"The earliest date is {day_text(self.earliest)}: choose it or a later "
                "date, or leave it empty for the earliest date."
            )
        return value
