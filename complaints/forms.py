from django import forms
from django.contrib.auth import get_user_model
from django.urls import reverse

from complaints import selectors
from complaints.models import TRANSITIONS, Category, Channel, Complaint, ReplyBy, Status
from complaints.services import validate_complaint
from portal.admin_actions import StaffActionForm
from portal.forms import CustomerMessageForm, RefusalMixin, submit_helper
from portal.staff_time import StaffTimeField
from portal.text_input import PlainNulRefusal
from portal.workflow import Refused, allowed_moves


class ComplaintForm(RefusalMixin, PlainNulRefusal, forms.ModelForm):
    """A customer's complaint made in the portal."""

    class Meta:
        model = Complaint
        fields = ["category", "service", "what_happened", "desired_outcome", "reply_by"]
        labels = {
            "category": "What is your complaint about?",
            "service": "Which service is it about? (optional)",
            "what_happened": "What happened?",
            "desired_outcome": "What would you like us to do?",
            "reply_by": "How should we reply?",
        }
        widgets = {
            "what_happened": forms.Textarea(attrs={"rows": 6}),
            "desired_outcome": forms.Textarea(attrs={"rows": 3}),
            "reply_by": forms.RadioSelect,
        }

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer
        # Only the customer's own services can be chosen; anything else is "not a valid choice".
        self.fields["service"].queryset = selectors.services_to_complain_about(customer=customer)
        self.fields["service"].label_from_instance = lambda s: f"{s.label}, {s.reference}"
        self.fields["service"].empty_label = "Not about one service"
        self.fields["reply_by"].choices = ReplyBy.choices  # no blank choice: email or letter
        self.fields["reply_by"].initial = ReplyBy.LETTER if customer.writes_by_post else ReplyBy.EMAIL
        self.helper = submit_helper("Send my complaint")

    def clean_what_happened(self):
        text = self.cleaned_data["what_happened"].strip()
        if len(text) < 10:
            raise forms.ValidationError("Tell us a little more about what happened, so we can look into it.")
        return text

    def clean(self):
        data = super().clean()
        if "reply_by" in data:
            try:
                validate_complaint(customer=self.customer, reply_by=data["reply_by"], service=data.get("service"))
            except Refused as refused:
                self.add_refusal(refused)
        return data


class MessageForm(CustomerMessageForm):
    def __init__(self, *args, complaint, **kwargs):
        super().__init__(
            *args, action=reverse("complaints:complaint_message", args=[complaint.pk]), button="Send message", **kwargs
        )


class ReopenForm(PlainNulRefusal, forms.Form):
    """A resolved complaint reopened by the customer, with their reason (optional)."""

    reason = forms.CharField(required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, complaint, reopen_days, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = f"Not resolved after all? Tell us why and reopen it (within {reopen_days} days)."
        self.helper = submit_helper(
            "Reopen my complaint",
            css_class="btn-outline-primary",
            action=reverse("complaints:complaint_reopen", args=[complaint.pk]),
            form_id="reopen",
        )

    def clean_reason(self):
        return self.cleaned_data["reason"].strip()


# --- Staff forms (admin) -----------------------------------------------------------------------


class RecordComplaintForm(StaffActionForm):
    """Staff record a complaint received by phone, email, letter or in person."""

    customer = forms.ModelChoiceField(queryset=get_user_model().objects.filter(is_staff=False).order_by("full_name"))
    channel = forms.ChoiceField(label="Received by", choices=[c for c in Channel.choices if c[0] != Channel.PORTAL])
    # Checked as every time staff type is (portal/staff_time.py): never in the future, never a mistyped year.
    received_at = StaffTimeField(
        label="Received at (London time)",
        help_text="When it really reached us: the 24 working hours count from then.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )
    category = forms.ChoiceField(choices=Category.choices)
    service = forms.ModelChoiceField(
        queryset=selectors.services_of_every_customer(),
        required=False,
        help_text="Optional: the customer's service it concerns.",
    )
    what_happened = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}))
    desired_outcome = forms.CharField(
        label="What the customer wants", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    reply_by = forms.ChoiceField(label="Reply by", choices=ReplyBy.choices)
    acknowledged_by_hand = forms.BooleanField(
        required=False,
        label="I acknowledged the complaint during this contact",
        help_text="Tick when you told the customer on the phone or in person that we have their complaint: "
        "then no automatic acknowledgement is sent.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].label_from_instance = lambda s: (
            f"{s.reference} {s.label}: {s.customer.full_name} ({s.customer.username})"
        )

    def clean(self):
        data = super().clean()
        if not self.errors:
            try:
                validate_complaint(
                    customer=data["customer"],
                    channel=data["channel"],
                    reply_by=data["reply_by"],
                    received_at=data["received_at"],
                    service=data["service"],
                    acknowledged_by_hand=data["acknowledged_by_hand"],
                )
            except Refused as refused:
                self.add_refusal(refused)
        return data


class NoteForm(StaffActionForm):
    text = forms.CharField(
        label="Text",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="A reply is shown to the customer and sent by email or letter; a note is for staff only.",
    )


# Statuses staff set on this form; acknowledgement and deadlock each have their own way.
STAFF_MOVES = [Status.INVESTIGATING, Status.RESOLVED, Status.CLOSED]


def staff_moves(status):
    """The moves the status form offers a complaint in `status` (none for one just received: it is
    acknowledged first)."""
    allowed = allowed_moves(TRANSITIONS, status)
    return [s for s in STAFF_MOVES if s in allowed]


class StatusForm(StaffActionForm):
    to = forms.ChoiceField(label="New status", choices=[(s.value, s.label) for s in STAFF_MOVES])
    note = forms.CharField(
        label="Message the customer will see",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Shown word for word on the customer's complaint page and in the email or letter about the "
        "change. Leave it empty to send only the new status; for staff-only words, add an internal note.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.case is not None:
            # The list offers only the moves this complaint can make now. Any staff move is accepted, so a
            # page left open while a colleague moved the complaint on gets the workflow's reason instead.
            self.fields["to"].widget.choices = [(s.value, s.label) for s in staff_moves(self.case.status)]


class OwnerForm(StaffActionForm):
    owner = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(is_staff=True, is_active=True), required=False, empty_label="Nobody"
    )


class DeadlockForm(StaffActionForm):
    final_position = forms.CharField(
        label="Our final position",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="A summary of what we found and what we offer. It is printed in the letter.",
    )
    by_email = forms.BooleanField(label="Email the letter (PDF attached)", required=False, initial=True)
    by_post = forms.BooleanField(label="Post the letter (print queue)", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.case is not None and not self.case.customer.email:
            self.fields["by_email"].initial, self.fields["by_post"].initial = False, True

    def clean(self):
        data = super().clean()
        if not data.get("by_email") and not data.get("by_post"):
            raise forms.ValidationError("Choose to email the letter, post it, or both.")
        return data
