from django.conf import settings
from django.db import models
from django.db.models import F, Q

from portal.models import TimelineEvent
from portal.workflow import state_words


class AdrScheme(models.Model):
    """The alternative dispute resolution scheme we belong to; staff keep its details up to date.

    Code (Dispute resolution): a deadlock letter lets the customer "make a complaint through Otelo,
    an independent alternative dispute resolution scheme". One row is current; letters use it.
    """

    name = models.CharField(max_length=150)
    postal_address = models.TextField(help_text="Where customers write to, one line each.")
    office_address = models.TextField(blank=True, help_text="The scheme's office, one line each.")
    phones = models.CharField(max_length=150, help_text="Separate numbers with commas.")
    fax = models.CharField(max_length=40, blank=True)
    email = models.EmailField()
    website = models.CharField(max_length=150)
    is_current = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "ADR scheme"
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"],
                condition=models.Q(is_current=True),
                name="complaints_one_current_adr_scheme",
                violation_error_message="Another scheme is already current: edit that one, or untick "
                "\u201cis current\u201d on it first.",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def website_url(self):
        """The website as a link: staff keep it as the Code prints it ("www.otelo.org.uk")."""
        return self.website if self.website.startswith(("http://", "https://")) else f"https://{self.website}"

    @property
    def phone_list(self):
        return [p.strip() for p in self.phones.split(",") if p.strip()]

    @property
    def postal_lines(self):
        return [line.strip() for line in self.postal_address.splitlines() if line.strip()]

    @property
    def office_lines(self):
        return [line.strip() for line in self.office_address.splitlines() if line.strip()]


class Category(models.TextChoices):
    BILLING = "billing", "Billing"
    SERVICE = "service", "The service itself"
    FAULT_HANDLING = "fault_handling", "How a fault was handled"
    CUSTOMER_SERVICE = "customer_service", "Customer service"
    OTHER = "other", "Something else"


class Channel(models.TextChoices):
    PORTAL = "portal", "Portal"
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"
    LETTER = "letter", "Letter"
    IN_PERSON = "in_person", "In person"


class ReplyBy(models.TextChoices):
    EMAIL = "email", "By email"
    LETTER = "letter", "By letter"


class Status(models.TextChoices):
    RECEIVED = "received", "Received"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    INVESTIGATING = "investigating", "Being investigated"
    RESOLVED = "resolved", "Resolved"
    DEADLOCKED = "deadlocked", "Deadlocked: you may go to the ADR scheme"
    CLOSED = "closed", "Closed"


# Status moves are data (CONVENTIONS): any move not listed here is refused.
TRANSITIONS = {
    Status.RECEIVED: {Status.ACKNOWLEDGED},
    Status.ACKNOWLEDGED: {Status.INVESTIGATING},
    Status.INVESTIGATING: {Status.RESOLVED, Status.DEADLOCKED},
    Status.RESOLVED: {Status.CLOSED, Status.INVESTIGATING},  # back to investigating = reopened (28 days)
    Status.DEADLOCKED: {Status.CLOSED},
    Status.CLOSED: set(),
}
OPEN_STATUSES = {Status.RECEIVED, Status.ACKNOWLEDGED, Status.INVESTIGATING}  # not yet resolved
# How a status reads in a refusal staff see: "A complaint that is deadlocked cannot become resolved."
# (not the customer's label "Deadlocked: you may go to the ADR scheme").
WORDS = state_words(
    Status,
    {
        Status.RECEIVED: ("received but not yet acknowledged", "go back to received"),
        Status.INVESTIGATING: ("being investigated", "be investigated"),
        Status.DEADLOCKED: ("deadlocked", "become deadlocked"),
    },
)
# The time each status stamps on the complaint when it is reached.
STAMPS = {
    Status.ACKNOWLEDGED: "acknowledged_at",
    Status.RESOLVED: "resolved_at",
    Status.DEADLOCKED: "deadlocked_at",
    Status.CLOSED: "closed_at",
}


class Complaint(models.Model):
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="complaints")
    category = models.CharField(max_length=20, choices=Category.choices)
    service = models.ForeignKey(
        "orders.Service",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints",
        help_text="The service it concerns, if any.",
    )
    what_happened = models.TextField()
    desired_outcome = models.TextField("what the customer wants", blank=True)
    channel = models.CharField("received by", max_length=10, choices=Channel.choices)
    reply_by = models.CharField("how they want to hear from us", max_length=6, choices=ReplyBy.choices)
    received_at = models.DateTimeField(help_text="When we received it: every deadline counts from here.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Staff who typed in a phoned, emailed or posted complaint.",
    )
    status = models.CharField(max_length=13, choices=Status.choices, default=Status.RECEIVED)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_complaints",
        limit_choices_to={"is_staff": True},
    )

    # Code: "We will acknowledge all complaints received by letter, or e-mail within 24 working hours."
    ack_due_at = models.DateTimeField("acknowledgement due")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    ack_message = models.OneToOneField(
        "portal.OutboxMessage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The automatic acknowledgement, if one was needed.",
    )
    ack_by_hand = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Staff who acknowledged it in person or on the phone.",
    )
    ack_alert_level = models.CharField(max_length=8, blank=True, help_text="The last alert sent to staff.")

    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    deadlock_position = models.TextField("our final position", blank=True)
    deadlocked_at = models.DateTimeField(null=True, blank=True)
    # Code: "if more than three months has passed since you first made your complaint, please contact the
    # ADR scheme directly". Fixed at receipt from the policy then in force.
    adr_from = models.DateTimeField("may go to the ADR scheme from")
    adr_letter_at = models.DateTimeField("ADR letter raised", null=True, blank=True)
    # The customer wrote (a message, a reopening) and nobody has answered yet (portal/customer_messages.py).
    customer_waiting_since = models.DateTimeField("customer replied, waiting for us since", null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-received_at"]),
            models.Index(fields=["status", "ack_due_at"]),
            models.Index(fields=["status", "adr_from"]),
            models.Index(fields=["-received_at", "-id"], name="complaints_newest"),  # the staff list's order
            # The few not yet acknowledged, for the staff's due / at risk / overdue filter.
            models.Index(
                fields=["ack_due_at"], condition=Q(acknowledged_at__isnull=True), name="complaints_ack_pending"
            ),
            # ... and the few acknowledged late, newest first (the filter's "Done late").
            models.Index(
                fields=["-received_at", "-id"],
                condition=Q(acknowledged_at__gt=F("ack_due_at")),
                name="complaints_ack_late",
            ),
        ]

    def __str__(self):
        return f"{self.reference}: {self.get_category_display()}"

    @property
    def reference(self):
        return f"CMP-{self.pk:06d}" if self.pk else "CMP-new"

    @property
    def is_open(self):
        return self.status != Status.CLOSED


class EventKind(models.TextChoices):
    RECEIVED = "received", "Complaint received"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    STATUS = "status", "Status changed"
    CUSTOMER_MESSAGE = "customer_message", "Message from the customer"
    REPLY = "reply", "Our reply"
    NOTE = "note", "Internal note"
    OWNER = "owner", "Owner assigned"
    DEADLOCK = "deadlock", "Deadlock letter issued"
    ADR_LETTER = "adr_letter", "ADR letter sent"
    REOPENED = "reopened", "Reopened"
    ALERT = "alert", "Staff alerted"


class ComplaintEvent(TimelineEvent):
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=EventKind.choices)

    # The customer's complaint page: each step in words written for the customer.
    CUSTOMER_HEADINGS = {
        EventKind.RECEIVED: "Complaint received",
        EventKind.ACKNOWLEDGED: "We acknowledged your complaint",
        EventKind.STATUS: "Progress on your complaint",
        EventKind.CUSTOMER_MESSAGE: "Your message",
        EventKind.REPLY: "Our reply",
        EventKind.OWNER: "Someone is looking after your complaint",
        EventKind.ADR_LETTER: "How to take your complaint to the ADR scheme",
    }
    CUSTOMER_STATUS_HEADINGS = {
        Status.ACKNOWLEDGED: "We acknowledged your complaint",
        Status.INVESTIGATING: "We are investigating your complaint",
        Status.RESOLVED: "Complaint resolved",
        Status.DEADLOCKED: "Our final position: you may go to the ADR scheme",
        Status.CLOSED: "Complaint closed",
    }
    STATUS_KIND = EventKind.STATUS
    STATUSES = Status

    class Meta(TimelineEvent.Meta):
        indexes = [models.Index(fields=["complaint", "at"])]
