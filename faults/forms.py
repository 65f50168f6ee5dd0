"""Customer forms: a step of the checks (yes/no or in words), the description, a message, accepting a
visit time or declining them all. Every customer POST of the faults pages is read through one of these."""

from django import forms
from django.urls import reverse

from faults.services.visits import NO_AMOUNT
from portal.forms import CustomerMessageForm, submit_helper
from portal.text_input import PlainNulRefusal


class TextCheckForm(PlainNulRefusal, forms.Form):
    """A check answered in words (hosting): which site, what error, since when. Required: our engineers
    cannot start without it."""

    answer = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, check, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["answer"].label = check.question
        self.fields["answer"].help_text = check.help
        self.fields["answer"].error_messages["required"] = "Please answer this question: our engineers need it."

    def clean_answer(self):
        answer = self.cleaned_data["answer"].strip()
        if not answer:
            raise forms.ValidationError("Please answer this question: our engineers need it.")
        return answer


class DescribeForm(PlainNulRefusal, forms.Form):
    description = forms.CharField(
        label="Describe the fault",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What is wrong, since when, and anything you have noticed (lights on the router, error messages, "
        "times of day). Tell us when someone can be reached if we need to call.",
    )

    def clean_description(self):
        text = self.cleaned_data["description"].strip()
        if len(text) < 10:
            raise forms.ValidationError("Tell us a little more about the fault, so our engineers know where to start.")
        return text


class MessageForm(CustomerMessageForm):
    def __init__(self, *args, fault, **kwargs):
        super().__init__(
            *args,
            action=reverse("faults:fault_message", args=[fault.pk]),
            button="Send",
            label="Add information",
            **kwargs,
        )


class AcceptSlotForm(forms.Form):
    """Accepting a visit time. Whether the box is ticked is the service's to judge (one message for it);
    the amount the page showed is required, always: without it nothing is booked."""

    charge_understood = forms.BooleanField(required=False)
    amount_shown = forms.DecimalField(max_digits=8, decimal_places=2, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code in ("required", "invalid", "max_digits", "max_decimal_places", "max_whole_digits"):
            self.fields["amount_shown"].error_messages[code] = NO_AMOUNT


class DeclineSlotsForm(PlainNulRefusal, forms.Form):
    """None of the visit times offered suit the customer; they may say what would."""

    note = forms.CharField(
        label="When would suit you? (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example: any weekday afternoon, or not before 14 December.",
    )

    def __init__(self, *args, fault, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(
            "None of these suit me",
            css_class="btn-outline-secondary",
            action=reverse("faults:slots_decline", args=[fault.pk]),
            form_id="decline-times",
        )

    def clean_note(self):
        return self.cleaned_data["note"].strip()


class StepForm(forms.Form):
    """Which step of the checks a report form was sent from: a form sent twice, or from an old tab,
    is sent back to the step the customer is really on."""

    step = forms.IntegerField(min_value=0, max_value=50)


class YesNoCheckForm(PlainNulRefusal, forms.Form):
    """A check answered yes or no by its buttons, or "that fixed it"."""

    answer = forms.CharField(required=False)
    fixed = forms.BooleanField(required=False)

    def clean_answer(self):
        answer = self.cleaned_data["answer"].strip().lower()
        if answer not in ("", "yes", "no"):
            raise forms.ValidationError("Choose yes or no.")
        return answer

    def clean(self):
        data = super().clean()
        if not data.get("fixed") and not data.get("answer") and not self.errors:
            raise forms.ValidationError("Choose yes or no.")
        return data
