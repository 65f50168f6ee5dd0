"""Staff forms for the admin's fault and charge actions (portal.admin_actions: each takes the case as
`case=`). Each offers only what applies to the case and checks what it can for a clear message next to
the field; the service it feeds checks everything again."""

from django import forms

from faults.models import TRANSITIONS, Channel, Location, Outcome, Status, Window
from faults.services import booked_visit, validate_reported_at, visit_charge_amount
from faults.slots import validate
from orders.selectors import services_in_use
from portal import clock
from portal.admin_actions import StaffActionForm
from portal.formats import price_text
from portal.forms import RefusalMixin
from portal.staff_time import StaffTimeField
from portal.workflow import Refused, allowed_moves

# What staff type in a "message the customer will see" box is shown to the customer as it is typed.
CUSTOMER_READS = (
    "Shown word for word on the customer's fault page and in the email or letter about the change. Leave it "
    "empty to send only the change; for staff-only words, add an internal note."
)


def staff_moves(status):
    """The statuses staff may move a fault to from `status`: a visit is booked only by the customer
    accepting a time (faults.services.visit_slot_accept)."""
    return allowed_moves(TRANSITIONS, status) - {Status.VISIT_BOOKED}


class ServiceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, service):
        customer = service.customer
        return f"{customer.full_name} ({customer.username}): {service.label}, {service.postcode} [{service.reference}]"


class RecordFaultForm(RefusalMixin, forms.Form):
    """A fault reported by phone (in office hours) or by email (at any hour), with when it really came in."""

    service = ServiceChoiceField(queryset=services_in_use().none())
    channel = forms.ChoiceField(label="Reported by", choices=[(Channel.PHONE, "Phone"), (Channel.EMAIL, "Email")])
    reported_at = StaffTimeField(
        label="Reported at (London time)",
        help_text="When the call or email really came in: the repair target counts from then.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        clock=lambda: clock.now(),
        what="The time reported",
    )
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), help_text="What the customer told us, including any checks they made."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services_in_use().order_by("customer__full_name", "id")

    def clean(self):
        data = super().clean()
        if data.get("channel") and data.get("reported_at"):
            try:
                validate_reported_at(channel=data["channel"], reported_at=data["reported_at"])
            except Refused as refused:
                self.add_refusal(refused)
        return data


class NoteForm(StaffActionForm):
    text = forms.CharField(label="Text", widget=forms.Textarea(attrs={"rows": 4}))


class ReplyForm(StaffActionForm):
    text = forms.CharField(
        label="Text",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The customer sees it on their fault's page, and gets it by email or letter.",
    )


class RepairTargetForm(StaffActionForm):
    due_at = StaffTimeField(
        label="New repair target (London time)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        clock=lambda: clock.now(),
        target=True,
    )
    reason = forms.CharField(label="Why (the customer is told)", widget=forms.Textarea(attrs={"rows": 2}))


class LocationForm(StaffActionForm):
    location = forms.ChoiceField(label="Where the fault lies", choices=Location.choices)
    note = forms.CharField(
        label="Message the customer will see",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=CUSTOMER_READS,
    )


class MoveField(forms.ChoiceField):
    """Offers the moves the fault allows. Any other status (sent from a page left open while the fault
    moved on) still reaches the service, which refuses it in the workflow's one wording."""

    def valid_value(self, value):
        return value in Status.values


class StatusForm(StaffActionForm):
    to = MoveField(label="New status")
    note = forms.CharField(
        label="Message the customer will see",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=CUSTOMER_READS,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        moves = staff_moves(self.case.status) if self.case else set(Status) - {Status.REPORTED, Status.VISIT_BOOKED}
        self.fields["to"].choices = [(status, label) for status, label in Status.choices if status in moves]


WINDOW_CHOICES = [("", "---------"), *Window.choices]


class OfferSlotsForm(StaffActionForm):
    """Up to two visit times at once, each a working day and a morning or afternoon."""

    date_1 = forms.DateField(label="First visit: date", widget=forms.DateInput(attrs={"type": "date"}))
    window_1 = forms.ChoiceField(label="First visit: time", choices=WINDOW_CHOICES)
    date_2 = forms.DateField(label="Second visit: date", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    window_2 = forms.ChoiceField(label="Second visit: time", choices=WINDOW_CHOICES, required=False)

    def clean(self):
        data = super().clean()
        now = clock.now()
        pairs = []
        for n in (1, 2):
            day, window = data.get(f"date_{n}"), data.get(f"window_{n}")
            if n == 2 and not day and not window:
                continue
            if n == 2 and not (day and window):
                self.add_error(
                    f"date_{n}" if not day else f"window_{n}", "Give both the date and the time, or neither."
                )
                continue
            if day is None or not window:
                continue  # the field already says what is missing
            try:
                validate(day, window, now=now)
            except Refused as refusal:
                self.add_error(f"date_{n}", refusal.message)
                continue
            if (day, window) in pairs:
                self.add_error(f"date_{n}", "The two visit times are the same.")
            pairs.append((day, window))
        data["slots"] = pairs
        return data


class OutcomeForm(StaffActionForm):
    outcome = forms.ChoiceField(label="What the visit found", choices=Outcome.choices, widget=forms.RadioSelect)
    notes = forms.CharField(
        label="Engineer's notes for the customer", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.visit = booked_visit(self.case) if self.case else None  # the page says which visit it is
        shown = self.visit.charge_warning_shown_amount if self.visit else None
        # Code: "We reserve the right to charge for any abortive work or visit arising from faults over which
        # we have no control."
        self.fields["outcome"].help_text = (
            f"A chargeable outcome (no fault found, no access, fault in customer equipment) adds a charge of "
            f"{price_text(visit_charge_amount() if shown is None else shown)} to the customer's next invoice; it "
            "can be waived afterwards. Fixed is never charged."
        )


class WaiveForm(StaffActionForm):
    reason = forms.CharField(
        label="Why we waive it", widget=forms.Textarea(attrs={"rows": 3}), help_text="The customer is told this reason."
    )
