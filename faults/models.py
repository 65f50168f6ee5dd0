"""Faults a customer reports on a service, the checks they made, engineer visits and abortive-visit charges.

Models stay plain: fields, choices, constraints and small derived properties. Every change goes through
faults/services/ and every status move is checked against TRANSITIONS below.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from portal.formats import gbp
from portal.models import TimelineEvent
from portal.workflow import state_words


class Channel(models.TextChoices):
    # Code (Fault Repair): "Faults can be reported around the clock via email ... please call ... during
    # office hours". The portal is open at any hour as well.
    PORTAL = "portal", "Portal"
    PHONE = "phone", "Phone"
    EMAIL = "email", "Email"


class Location(models.TextChoices):
    # Code: "Faults can occur on our Network, or another operator's network, as well as your own equipment."
    UNKNOWN = "unknown", "Not yet known"
    OUR_NETWORK = "our_network", "Our network"
    OTHER_OPERATOR = "other_operator", "Another operator's network"
    CUSTOMER_EQUIPMENT = "customer_equipment", "Customer's own equipment"


class Status(models.TextChoices):
    REPORTED = "reported", "Reported"
    INVESTIGATING = "investigating", "Being investigated"
    VISIT_BOOKED = "visit_booked", "Engineer visit booked"
    RESOLVED = "resolved", "Resolved"
    NOT_OUR_FAULT = "not_our_fault", "Not a fault on our network"
    CLOSED = "closed", "Closed"


# Status moves are data (CONVENTIONS): any move not listed here is refused.
TRANSITIONS = {
    Status.REPORTED: {Status.INVESTIGATING, Status.NOT_OUR_FAULT},
    Status.INVESTIGATING: {Status.VISIT_BOOKED, Status.RESOLVED, Status.NOT_OUR_FAULT},
    # Back to investigating: the visit was cancelled, or it did not find or fix the fault.
    Status.VISIT_BOOKED: {Status.RESOLVED, Status.NOT_OUR_FAULT, Status.INVESTIGATING},
    Status.RESOLVED: {Status.CLOSED},
    Status.NOT_OUR_FAULT: {Status.CLOSED},
    Status.CLOSED: set(),
}
# How each status reads in a refused move (portal.workflow): "A fault that is resolved cannot be investigated."
WORDS = state_words(
    Status,
    {
        Status.INVESTIGATING: ("being investigated", "be investigated"),
        Status.VISIT_BOOKED: ("booked for an engineer visit", "be booked for an engineer visit"),
    },
)
# Our work is over: the repair target no longer runs and no visit can be offered.
CONCLUDED_STATUSES = {Status.RESOLVED, Status.NOT_OUR_FAULT, Status.CLOSED}
# Which timestamps a status stamps, the first time it is reached: our work ended (repaired, or found not
# to be ours: the repair target stops there), and the fault closed.
STAMPS = {
    Status.RESOLVED: ("resolved_at",),
    Status.NOT_OUR_FAULT: ("resolved_at",),
    Status.CLOSED: ("resolved_at", "closed_at"),
}


class Fault(models.Model):
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="faults", limit_choices_to={"is_staff": False}
    )
    service = models.ForeignKey("orders.Service", on_delete=models.PROTECT, related_name="faults")
    reported_at = models.DateTimeField(help_text="When it really reached us: the repair target counts from here.")
    channel = models.CharField("reported by", max_length=6, choices=Channel.choices, default=Channel.PORTAL)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Staff who typed in a phoned or emailed fault.",
    )
    description = models.TextField()
    location = models.CharField(
        "where the fault lies", max_length=18, choices=Location.choices, default=Location.UNKNOWN
    )
    status = models.CharField(max_length=13, choices=Status.choices, default=Status.REPORTED)
    repair_due_at = models.DateTimeField("repair target")
    resolved_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When it was repaired, or found not to be on our network: the repair target stops here.",
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    ack_message = models.ForeignKey(
        "portal.OutboxMessage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The acknowledgement sent at once.",
    )
    alert_level = models.CharField(max_length=8, blank=True, help_text="The last repair-target alert to engineers.")
    # The customer wrote (information, other visit times asked for) and nobody has answered yet
    # (portal/customer_messages.py).
    customer_waiting_since = models.DateTimeField("customer replied, waiting for us since", null=True, blank=True)
    # One key per trip through the report form: a form sent twice (a double click) makes one fault.
    request_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["-reported_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-reported_at"]),
            models.Index(fields=["status", "repair_due_at"]),
            models.Index(fields=["-reported_at", "-id"], name="faults_newest"),  # the staff list's order
            # The faults the repair-target alert looks at: not yet repaired (resolved_at is stamped when our work
            # ends), a few among every fault ever reported.
            models.Index(fields=["repair_due_at"], condition=Q(resolved_at__isnull=True), name="faults_repair_pending"),
            # The staff list's "Done late": the few repaired after their target, newest first.
            models.Index(
                fields=["-reported_at", "-id"],
                condition=Q(resolved_at__gt=F("repair_due_at")),
                name="faults_repair_late",
            ),
        ]

    def __str__(self):
        return f"{self.reference}: {self.service.product.name}" if self.pk else "New fault"

    @property
    def reference(self):
        """What the customer quotes, e.g. FLT-000123."""
        return f"FLT-{self.pk:06d}" if self.pk else "FLT-new"

    @property
    def is_open(self):
        return self.status != Status.CLOSED


class FaultCheck(models.Model):
    """One simple check the customer made before reporting, and their answer.

    Code: "We may request that you carry out some simple checks to help us establish the cause of the
    fault." The question is stored as asked, so a later change to faults/checks.py changes no record.
    """

    fault = models.ForeignKey(Fault, on_delete=models.CASCADE, related_name="checks")
    position = models.PositiveSmallIntegerField()
    key = models.CharField(max_length=40)
    question = models.CharField(max_length=300)
    answer = models.TextField()

    class Meta:
        ordering = ["fault", "position"]
        constraints = [models.UniqueConstraint(fields=["fault", "position"], name="faults_one_check_per_position")]

    def __str__(self):
        return f"{self.question} {self.answer}"


class EventKind(models.TextChoices):
    REPORTED = "reported", "Fault reported"
    STATUS = "status", "Status changed"
    LOCATION = "location", "Where the fault lies"
    SLOTS_OFFERED = "slots_offered", "Engineer visit times offered"
    SLOTS_DECLINED = "slots_declined", "Visit times did not suit you"
    VISIT_BOOKED = "visit_booked", "Engineer visit booked"
    VISIT_CANCELLED = "visit_cancelled", "Engineer visit cancelled"
    OUTCOME = "outcome", "Engineer visit outcome"
    REPAIR_TARGET = "repair_target", "Repair target changed"
    CHARGE = "charge", "Charge for the visit"
    CHARGE_WAIVED = "charge_waived", "Charge waived"
    CHARGE_INVOICED = "charge_invoiced", "Charge invoiced"
    CUSTOMER_MESSAGE = "customer_message", "Information from you"
    REPLY = "reply", "Message from our engineers"
    NOTE = "note", "Internal note"
    ALERT = "alert", "Engineers alerted"


class FaultEvent(TimelineEvent):
    fault = models.ForeignKey(Fault, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=EventKind.choices)

    # The customer's fault page: each step in words written for the customer (staff words such as
    # "Status changed" stay in the admin).
    CUSTOMER_HEADINGS = {
        EventKind.REPORTED: "Fault reported",
        EventKind.STATUS: "Progress on your fault",
        EventKind.LOCATION: "We found where the fault lies",
        EventKind.VISIT_BOOKED: "Engineer visit booked",
        EventKind.VISIT_CANCELLED: "Engineer visit cancelled",
        EventKind.OUTCOME: "What the engineer found",
        EventKind.REPAIR_TARGET: "New date for the repair",
        EventKind.CHARGE_WAIVED: "No charge for the visit after all",
        EventKind.CHARGE_INVOICED: "Visit charge added to your invoice",
        EventKind.REPLY: "Message from our engineers",
    }
    CUSTOMER_STATUS_HEADINGS = {
        Status.INVESTIGATING: "We are investigating the fault",
        Status.VISIT_BOOKED: "Engineer visit booked",
        Status.RESOLVED: "Fault fixed",
        Status.NOT_OUR_FAULT: "The fault is not on our network",
        Status.CLOSED: "Fault report closed",
    }
    STATUS_KIND = EventKind.STATUS
    STATUSES = Status

    class Meta(TimelineEvent.Meta):
        indexes = [models.Index(fields=["fault", "at"])]


class Window(models.TextChoices):
    # Code: "engineers only attend to faults in normal working hours (Monday - Friday 9am to 5:30pm)".
    MORNING = "morning", "Morning (09:00 to 13:00)"
    AFTERNOON = "afternoon", "Afternoon (13:00 to 17:30)"


class SlotStatus(models.TextChoices):
    OFFERED = "offered", "Offered"
    ACCEPTED = "accepted", "Accepted"
    WITHDRAWN = "withdrawn", "Withdrawn"
    DECLINED = "declined", "Declined"


class Outcome(models.TextChoices):
    FIXED = "fixed", "Fixed"
    NO_FAULT_FOUND = "no_fault_found", "No fault found"
    NO_ACCESS = "no_access", "No access to the premises"
    CUSTOMER_EQUIPMENT = "customer_equipment", "Fault in customer equipment"


# Code: "We reserve the right to charge for any abortive work or visit arising from faults over which we
# have no control." A visit that fixed a fault of ours is never charged.
CHARGEABLE_OUTCOMES = {Outcome.NO_FAULT_FOUND, Outcome.NO_ACCESS, Outcome.CUSTOMER_EQUIPMENT}


class VisitSlot(models.Model):
    """A time staff offer for an engineer visit; accepted by the customer, it is the booked visit.

    Code: "Should an engineer need to visit your premises we will agree this with you."
    """

    fault = models.ForeignKey(Fault, on_delete=models.CASCADE, related_name="slots")
    date = models.DateField()
    window = models.CharField(max_length=9, choices=Window.choices)
    start_at = models.DateTimeField(help_text="Derived from date and window (London), stored in UTC.")
    end_at = models.DateTimeField()
    status = models.CharField(max_length=9, choices=SlotStatus.choices, default=SlotStatus.OFFERED)
    offered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    offered_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    charge_warning_shown_amount = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="The abortive-visit charge (excluding VAT) the customer was shown when accepting.",
    )
    outcome = models.CharField(max_length=18, choices=Outcome.choices, blank=True)
    outcome_notes = models.TextField(blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["start_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["fault", "date", "window"],
                condition=Q(status__in=["offered", "accepted"]),
                name="faults_slot_offered_once",
            ),
            # One booked visit at a time: a second acceptance (a double click, two tabs) cannot slip in.
            models.UniqueConstraint(
                fields=["fault"], condition=Q(status="accepted", outcome=""), name="faults_one_booked_visit_per_fault"
            ),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(status="accepted"), name="faults_outcome_only_for_accepted_visit"
            ),
        ]

    def __str__(self):
        from faults.slots import slot_text  # faults.slots reads Window from this module

        return slot_text(self.date, self.window)


class ChargeStatus(models.TextChoices):
    PENDING = "pending", "Pending: on your next invoice"
    WAIVED = "waived", "Waived"
    INVOICED = "invoiced", "Invoiced"


class VisitCharge(models.Model):
    """A one-off charge for an abortive visit, waiting for the next invoice (billing takes the pending ones).

    OneToOne to the visit: there can never be two charges for one visit, whatever races.
    """

    visit = models.OneToOneField(VisitSlot, on_delete=models.PROTECT, related_name="charge")
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visit_charges")
    fault = models.ForeignKey(Fault, on_delete=models.PROTECT, related_name="charges")
    amount = models.DecimalField(max_digits=8, decimal_places=2, help_text="Excluding VAT.")
    vat_rate = models.DecimalField(max_digits=4, decimal_places=3)
    description = models.CharField(max_length=300)
    status = models.CharField(max_length=8, choices=ChargeStatus.choices, default=ChargeStatus.PENDING)
    waived_reason = models.TextField(blank=True)
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    waived_at = models.DateTimeField(null=True, blank=True)
    invoice_reference = models.CharField(max_length=40, blank=True)
    invoiced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["customer", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="waived") | ~Q(waived_reason=""), name="faults_waived_charge_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status="invoiced") | ~Q(invoice_reference=""), name="faults_invoiced_charge_has_invoice"
            ),
        ]

    def __str__(self):
        return f"Visit charge {self.fault.reference} {gbp(self.amount)}" if self.fault_id else "Visit charge"

    @property
    def reference(self):
        """A charge is known by the fault its visit was for (FLT-000123): what staff and the customer quote."""
        return self.fault.reference
