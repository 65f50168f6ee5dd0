"""Staff forms for the admin's fault actions. Each checks what it can for a clear message next to the
field; the service it feeds checks everything again."""

from django import forms

from portal import clock
from faults.models import Channel, Location, Outcome, Status, Window
from faults.services import PHONE_HOURS_REFUSAL, booked_visit, visit_charge_amount
from faults.slots import validate
from orders.selectors import live_services
from portal.formats import price_text
from portal.office_hours import is_open
from portal.staff_time import StaffTimeField
from portal.workflow import Refused


class FaultActionForm(forms.Form):
    def __init__(self, *args, fault=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fault = fault


class ServiceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, service):
        customer = service.customer
        return f"{customer.full_name} ({customer.username}): {service.label}, {service.postcode} [{service.reference}]"


class RecordFaultForm(forms.Form):
    """A fault reported by phone (in office hours) or by email (at any hour), with when it really came in."""

    service = ServiceChoiceField(queryset=live_services().none())
    channel = forms.ChoiceField(label="Reported by", choices=[(Channel.PHONE, "Phone"), (Channel.EMAIL, "Email")])
    reported_at = StaffTimeField(
        label="Reported at (London time)", help_text="When the call or email really came in: the repair target "
                                                     "counts from then.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        clock=lambda: clock.now(), what="The time reported",
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}),
                                  help_text="What the customer told us, including any checks they made.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = live_services().order_by("customer__full_name", "id")

    def clean(self):
        data = super().clean()
        # Code: "To report a fault to one of our representatives please call ... during office hours."
        if data.get("channel") == Channel.PHONE and data.get("reported_at") and not is_open(data["reported_at"]):
            self.add_error("reported_at", PHONE_HOURS_REFUSAL)
        return data


class NoteForm(FaultActionForm):
    text = forms.CharField(label="Text", widget=forms.Textarea(attrs={"rows": 4}))


class RepairTargetForm(FaultActionForm):
    due_at = StaffTimeField(
        label="New repair target (London time)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"], clock=lambda: clock.now(), target=True)
    reason = forms.CharField(label="Why (the customer is told)", widget=forms.Textarea(attrs={"rows": 2}))


class LocationForm(FaultActionForm):
    location = forms.ChoiceField(label="Where the fault lies", choices=Location.choices)
    note = forms.CharField(label="Note for the customer", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class StatusForm(FaultActionForm):
    # "Visit booked" is not here: only the customer's acceptance of a time books a visit.
    to = forms.ChoiceField(label="New status", choices=[(s, label) for s, label in Status.choices
                                                       if s not in (Status.REPORTED, Status.VISIT_BOOKED)])
    note = forms.CharField(label="Note for the customer", required=False, widget=forms.Textarea(attrs={"rows": 2}))


WINDOW_CHOICES = [("", "---------"), *Window.choices]


class OfferSlotsForm(FaultActionForm):
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
                self.add_error(f"date_{n}" if not day else f"window_{n}", "Give both the date and the time, or neither.")
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


class OutcomeForm(FaultActionForm):
    outcome = forms.ChoiceField(label="What the visit found", choices=Outcome.choices, widget=forms.RadioSelect)
    notes = forms.CharField(label="Engineer's notes for the customer", required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        visit = booked_visit(self.fault) if self.fault else None
        amount = visit.charge_warning_shown_amount if visit and visit.charge_warning_shown_amount is not None else None
        self.visit = visit
        self.charge_text = price_text(visit_charge_amount() if amount is None else amount)
        # Code: "We reserve the right to charge for any abortive work or visit arising from faults over which
        # we have no control."
        self.fields["outcome"].help_text = (
            f"A chargeable outcome (no fault found, no access, fault in customer equipment) adds a charge of "
            f"{self.charge_text} to the customer's next invoice; it can be waived afterwards. Fixed is never charged.")


class WaiveForm(forms.Form):
    reason = forms.CharField(label="Why we waive it", widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="The customer is told this reason.")
