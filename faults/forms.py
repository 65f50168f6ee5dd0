"""Customer forms: a text check, the description, a message, accepting a visit time."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.urls import reverse


def _helper(label):
    helper = FormHelper()
    helper.add_input(Submit("submit", label))
    return helper


class TextCheckForm(forms.Form):
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


class DescribeForm(forms.Form):
    description = forms.CharField(
        label="Describe the fault", max_length=5000, widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What is wrong, since when, and anything you have noticed (lights on the router, error messages, "
                  "times of day). Tell us when someone can be reached if we need to call.")

    def clean_description(self):
        text = self.cleaned_data["description"].strip()
        if len(text) < 10:
            raise forms.ValidationError("Tell us a little more about the fault, so our engineers know where to start.")
        return text


class MessageForm(forms.Form):
    text = forms.CharField(label="Add information", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)

    def __init__(self, *args, fault, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("Send")
        self.helper.form_action = reverse("faults:fault_message", args=[fault.pk])

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError("Write your message first.")
        return text


class AcceptSlotForm(forms.Form):
    """Accepting a visit time. Whether the box is ticked is the service's to judge (one message for it)."""

    charge_understood = forms.BooleanField(required=False)
    amount_shown = forms.DecimalField(max_digits=8, decimal_places=2, required=False, widget=forms.HiddenInput)
