import re

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from portal.models import CodeCopyRequest, CopyMethod
from portal.postcodes import normalise_postcode
from portal.text_input import PlainNulRefusal
from portal.validators import validate_single_line


def submit_helper(label, *, css_class=None, action=None, form_id=None):
    """How every crispy form here ends: one submit button saying `label`. `action` is the view that takes
    the form when it shows on another view's page (without it the form would post back to the page)."""
    helper = FormHelper()
    button = Submit("submit", label)
    if css_class:
        # The button's own colour instead of crispy's btn-primary: both at once mixed a primary
        # background with the outline's grey text (1.79:1, unreadable).
        button.field_classes = f"btn {css_class}"
    helper.add_input(button)
    if action:
        helper.form_action = action
    if form_id:
        helper.form_id = form_id
    return helper


def add_refusal(form, refused):
    """Show a service's refusal (portal.workflow.Refused) on the field it names, or on the whole form: the
    person sees why, and what they typed stays on the page."""
    field = refused.field if refused.field in form.fields else None
    form.add_error(field, refused.message)


class RefusalMixin:
    def add_refusal(self, refused):
        add_refusal(self, refused)


class CustomerMessageForm(PlainNulRefusal, forms.Form):
    """A customer's message on their own case (a complaint, a fault): shown on the case's page, posted to
    the case's message view (`action`)."""

    text = forms.CharField(label="Add a message", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)

    def __init__(self, *args, action, button, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["text"].label = label
        self.helper = submit_helper(button, action=action)

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError("Write your message first.")
        return text


class SingleLineField(forms.CharField):
    """A name, subject or anything else that can reach an email header: one line, refused with a clear
    message otherwise (portal.validators.validate_single_line)."""

    default_validators = [validate_single_line]


# Words of letters (any alphabet), joined by spaces, hyphens, apostrophes or full stops: "Dr. Siân
# O'Brien-Smith". No digits, no "@", ":" or "/", so no web or email address and no sum of money.
_NAME = re.compile(r"[^\W\d_]+(?:[ '’.\-]+[^\W\d_]+)*\.?")


class PersonNameField(SingleLineField):
    """A name typed on a public form, by someone we do not know: it must look like a person's name,
    because it may be printed on a letter we post (portal/throttle.py says where it goes)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 100)
        super().__init__(**kwargs)

    def clean(self, value):
        value = " ".join((super().clean(value) or "").split())
        if value and not _NAME.fullmatch(value):
            raise forms.ValidationError(
                "Give your name in letters only (spaces, hyphens and apostrophes are fine).", code="not_a_name"
            )
        return value


class CodeCopyForm(forms.ModelForm):
    name = PersonNameField(label="Your name")
    postcode = forms.CharField(max_length=12, required=False)

    class Meta:
        model = CodeCopyRequest
        fields = ["name", "method", "email", "address", "postcode"]
        labels = {"name": "Your name", "method": "How would you like your copy?", "address": "Postal address"}
        widgets = {"method": forms.RadioSelect, "address": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"email": "Needed for a copy by email.", "address": "Needed for a copy by post."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper("Send me a copy")

    def clean_postcode(self):
        value = self.cleaned_data["postcode"]
        return normalise_postcode(value) if value.strip() else ""

    def clean(self):
        data = super().clean()
        if data.get("method") == CopyMethod.EMAIL and not data.get("email"):
            self.add_error("email", "Give the email address to send the Code to.")
        if data.get("method") == CopyMethod.POST:
            if not data.get("address", "").strip():
                self.add_error("address", "Give the address to post the Code to.")
            if not data.get("postcode"):
                self.add_error("postcode", "Give the postcode to post the Code to.")
        return data
