"""The catalogue, orders, the services a customer holds, and their cancellations.

Models stay plain: fields, choices, constraints and small derived properties. Every change of status
goes through orders/services/ and is checked against the transition mappings at the end of this file.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from portal.models import TimelineEvent
from portal.validators import validate_single_line
from portal.workflow import state_words


class Family(models.TextChoices):
    # Code (General philosophy): "Broadband (ADSL, FTTC, and leased line Internet connectivity),
    # Telecoms (Line rental and phone calls), Hosting (shared and dedicated servers)".
    BROADBAND = "broadband", "Broadband"
    TELECOMS = "telecoms", "Telecoms"
    HOSTING = "hosting", "Hosting"


class Product(models.Model):
    """Something a customer can order. Prices exclude VAT; staff keep them up to date in the admin."""

    code = models.SlugField(max_length=30, unique=True, help_text="Short fixed name, e.g. fttc.")
    # In the subject of every order and service email: one line only.
    name = models.CharField(max_length=100, validators=[validate_single_line])
    family = models.CharField(max_length=10, choices=Family.choices)
    description = models.CharField(max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order within its family on the price list.")
    is_active = models.BooleanField("on sale", default=True)
    price_on_request = models.BooleanField(
        default=False, help_text="Priced per site (e.g. leased lines): customers ask for a quote instead of ordering."
    )
    monthly_price = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True, help_text="Excluding VAT. Empty when priced on request."
    )
    setup_fee = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="One-off, excluding VAT. Empty when priced on request.",
    )
    minimum_term_months = models.PositiveSmallIntegerField(
        "minimum contract period (months)", default=0, help_text="0: no minimum contract period."
    )
    setup_working_days = models.PositiveSmallIntegerField("typical set-up time (working days)", default=5)
    cancellation_needs_industry_process = models.BooleanField(
        default=False,
        help_text='Code: some services "require us to work with special industry processes (such as ADSL)".',
    )
    cancellation_lead_working_days = models.PositiveSmallIntegerField(
        "industry process lead time (working days)", default=0
    )

    class Meta:
        ordering = ["family", "position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(price_on_request=True) | Q(monthly_price__isnull=False, setup_fee__isnull=False),
                name="orders_product_priced_unless_on_request",
                violation_error_message="Give the monthly price and set-up fee, or mark the product priced on request.",
            ),
            models.CheckConstraint(
                condition=Q(cancellation_needs_industry_process=True) | Q(cancellation_lead_working_days=0),
                name="orders_product_lead_time_only_with_industry_process",
                violation_error_message="A lead time applies only to products whose cancellation needs an industry process.",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_hosting(self):
        return self.family == Family.HOSTING


class OrderChannel(models.TextChoices):
    PORTAL = "portal", "Portal"
    PHONE = "phone", "Phone"
    EMAIL = "email", "Email"


class OrderStatus(models.TextChoices):
    PLACED = "placed", "Placed"
    CONFIRMED = "confirmed", "Confirmed"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    REJECTED = "rejected", "Rejected"


class Order(models.Model):
    """An order, from its receipt to the service it becomes.

    "Order placed" is the receipt: received_at is when the portal saved it, or the real time staff took
    it by phone or email. The Code's promise ("We will aim to confirm all new orders by email within 4
    hours during normal office hours") is kept by the confirmation message, written in the same
    transaction as the order: it is met when that message has been handed to the mail server (or, for a
    customer who takes letters only, posted): confirmation_message.sent_at <= confirmation_due_at.
    The status "confirmed" is something else: staff have checked and accepted the order.
    """

    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders", limit_choices_to={"is_staff": False}
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="orders")
    channel = models.CharField("received by", max_length=6, choices=OrderChannel.choices, default=OrderChannel.PORTAL)
    status = models.CharField(max_length=11, choices=OrderStatus.choices, default=OrderStatus.PLACED)
    address = models.TextField("installation or service address")
    postcode = models.CharField(max_length=8)
    preferred_start_date = models.DateField(null=True, blank=True)
    contact_name = models.CharField(max_length=150)
    contact_phone = models.CharField(max_length=20, blank=True)
    contact_email = models.EmailField(blank=True)
    notes = models.TextField(blank=True)
    # The terms agreed when the order was taken: a later change to the catalogue does not change them.
    monthly_price = models.DecimalField(max_digits=10, decimal_places=2, help_text="Excluding VAT.")
    setup_fee = models.DecimalField(max_digits=10, decimal_places=2, help_text="Excluding VAT.")
    minimum_term_months = models.PositiveSmallIntegerField(default=0)

    received_at = models.DateTimeField(db_index=True)
    confirmation_due_at = models.DateTimeField(help_text="Code: confirmed by email within 4 office hours of receipt.")
    confirmation_message = models.ForeignKey(
        "portal.OutboxMessage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Copied from the message by its after-send step (orders/apps.py), so the alert job's selection is an index
    # of the few orders still waiting, not every order ever confirmed in time (whose alert_level stays empty).
    confirmation_sent_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the confirmation was emailed or posted."
    )
    alerted_at = models.DateTimeField(
        null=True, blank=True, help_text="When staff were last warned the confirmation was at risk or late."
    )
    # Staff are warned once per level, as for complaints and faults (portal/sla.py claim_alerts).
    alert_level = models.CharField(
        max_length=8, blank=True, help_text="The last confirmation alert sent to staff: at risk, then overdue."
    )
    confirmed_at = models.DateTimeField(null=True, blank=True, help_text="When staff accepted the order.")
    completed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.TextField("reason for cancelling or rejecting", blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Staff who entered a phoned or emailed order.",
    )
    # A second submission of the same portal form (a double click, a resent POST) finds the first order.
    request_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-received_at"]),
            # The orders the confirmation alert looks at: not yet confirmed, not yet alerted as overdue.
            models.Index(
                fields=["confirmation_due_at"],
                condition=Q(confirmation_sent_at__isnull=True) & ~Q(alert_level="overdue"),
                name="orders_order_alert_pending",
            ),
            models.Index(fields=["-received_at", "-id"], name="orders_order_newest"),  # the staff list's order
            # The staff list's confirmation filter: the few not yet confirmed (due, at risk, overdue) ...
            models.Index(
                fields=["confirmation_due_at"],
                condition=Q(confirmation_sent_at__isnull=True),
                name="orders_order_unconfirmed",
            ),
            # ... and the few confirmed late, newest first.
            models.Index(
                fields=["-received_at", "-id"],
                condition=Q(confirmation_sent_at__gt=F("confirmation_due_at")),
                name="orders_order_confirmed_late",
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.product} for {self.customer.username}" if self.pk else "New order"

    @property
    def reference(self):
        """What the customer quotes, e.g. ORD-000123."""
        return f"ORD-{self.pk:06d}" if self.pk else ""


class ServiceStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    CANCELLING = "cancelling", "Cancelling"
    CEASED = "ceased", "Ceased"


class Service(models.Model):
    """Something a customer holds, from the completed order to its withdrawal."""

    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="services")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="services")
    order = models.OneToOneField(Order, null=True, blank=True, on_delete=models.PROTECT, related_name="service")
    address = models.TextField()
    postcode = models.CharField(max_length=8)
    start_date = models.DateField()
    minimum_term_end = models.DateField(help_text="The start date when there is no minimum contract period.")
    monthly_price = models.DecimalField(max_digits=10, decimal_places=2, help_text="Excluding VAT.")
    status = models.CharField(max_length=10, choices=ServiceStatus.choices, default=ServiceStatus.ACTIVE)
    ceased_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The control panel (Code, General philosophy): the customer changes these without asking staff.
    nickname = models.CharField(max_length=60, blank=True)
    fault_contact_name = models.CharField("contact for fault visits", max_length=150, blank=True)
    fault_contact_phone = models.CharField("phone for fault visits", max_length=20, blank=True)
    alert_email = models.EmailField("email for alerts", blank=True, help_text="Hosting: where server alerts go.")

    class Meta:
        ordering = ["-start_date", "-id"]
        indexes = [
            models.Index(fields=["customer", "-start_date"]),
            models.Index(fields=["-start_date", "-id"], name="orders_service_newest"),  # the staff list's order
            # The few services in change among every one ever held: the cease job and the staff filters.
            models.Index(
                fields=["status"], condition=Q(status__in=["suspended", "cancelling"]), name="orders_service_in_change"
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.product} for {self.customer.username}" if self.pk else "New service"

    @property
    def reference(self):
        return f"SVC-{self.pk:06d}" if self.pk else ""

    @property
    def label(self):
        return f"{self.product.name} ({self.nickname})" if self.nickname else self.product.name

    @property
    def has_minimum_term(self):
        return self.minimum_term_end > self.start_date


# The timelines of an order and of a service (portal.models.TimelineEvent): what happened, as the customer
# reads it, who did it (nobody when the portal did it by itself), and when.


class OrderEventKind(models.TextChoices):
    """One kind per status an order reaches (the event of each move), and the customer's messages."""

    PLACED = "placed", "Order received"
    CONFIRMED = "confirmed", "Order accepted"
    IN_PROGRESS = "in_progress", "Work started"
    COMPLETED = "completed", "Order completed"
    CANCELLED = "cancelled", "Order cancelled"
    REJECTED = "rejected", "Order rejected"
    CUSTOMER_MESSAGE = "customer_message", "Message from the customer"


class OrderEvent(TimelineEvent):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=OrderEventKind.choices)

    class Meta(TimelineEvent.Meta):
        indexes = [models.Index(fields=["order", "at"])]


class ServiceEventKind(models.TextChoices):
    STARTED = "started", "Service started"
    SETTINGS = "settings", "Control panel changed"
    SUSPENDED = "suspended", "Service suspended"
    RESUMED = "resumed", "Service restored"
    CANCELLATION_REQUESTED = "cancellation_requested", "Cancellation requested"
    CANCELLATION_WITHDRAWN = "cancellation_withdrawn", "Cancellation withdrawn"
    CEASED = "ceased", "Service withdrawn"


class ServiceEvent(TimelineEvent):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=ServiceEventKind.choices)

    class Meta(TimelineEvent.Meta):
        indexes = [models.Index(fields=["service", "at"])]


class CancellationChannel(models.TextChoices):
    # Code (Account Cancellations): "a written request in the form of an email or ... a letter".
    PORTAL = "portal", "Portal form"
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"


class CancellationStatus(models.TextChoices):
    ACTIVE = "active", "Awaiting withdrawal"
    WITHDRAWN = "withdrawn_by_customer", "Withdrawn by the customer"
    COMPLETED = "completed", "Service withdrawn"


class WithdrawalReason(models.TextChoices):
    """Which rule set the withdrawal date (the latest of them wins)."""

    # Before the notice period existed a service could be withdrawn the day the request arrived; kept for
    # the cancellations recorded then.
    RECEIVED = "received", "the day we received your request"
    NOTICE = "notice", "our notice period after we have your request"
    MINIMUM_TERM = "minimum_term", "the end of your minimum contract period"
    INDUSTRY_PROCESS = "industry_process", "the time the industry process takes"
    REQUESTED = "requested", "the date you asked for"


class Cancellation(models.Model):
    """A written request to cancel a service, quoting the account username (Code: Account Cancellations)."""

    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="cancellations")
    channel = models.CharField(max_length=6, choices=CancellationChannel.choices)
    received_at = models.DateTimeField()
    quoted_username = models.CharField("account username quoted", max_length=40)
    requested_date = models.DateField("date the customer asked for", null=True, blank=True)
    withdrawal_date = models.DateField(help_text="The service is withdrawn on this date; charges stop from it.")
    withdrawal_reason = models.CharField(max_length=16, choices=WithdrawalReason.choices)
    status = models.CharField(max_length=21, choices=CancellationStatus.choices, default=CancellationStatus.ACTIVE)
    service_status_before = models.CharField(
        max_length=10,
        choices=ServiceStatus.choices,
        help_text="What the service goes back to if the request is withdrawn.",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The customer (portal) or the staff who entered it.",
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["service"],
                condition=Q(status="active"),
                name="orders_one_active_cancellation_per_service",
                violation_error_message="This service already has a cancellation in progress.",
            ),
        ]
        indexes = [
            models.Index(fields=["withdrawal_date"], condition=Q(status="active"), name="orders_cancellation_due"),
            models.Index(fields=["-received_at", "-id"], name="orders_cancellation_newest"),  # the staff list's order
        ]

    def __str__(self):
        return f"{self.reference} of {self.service.reference}" if self.pk else "New cancellation"

    @property
    def reference(self):
        return f"CAN-{self.pk:06d}" if self.pk else ""


class QuoteRequest(models.Model):
    """A customer asks for the price of a product priced on request (a leased line)."""

    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="quote_requests")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="quote_requests")
    address = models.TextField("site address")
    postcode = models.CharField(max_length=8)
    requirements = models.TextField()
    contact_phone = models.CharField(max_length=20, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self):
        return f"Quote for {self.product} ({self.customer.username})"


class PriceListRequest(models.Model):
    """Code (Pricing): "Up-to-date prices ... are always available via email request"."""

    name = models.CharField(max_length=150)
    email = models.EmailField()
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self):
        return f"Price list for {self.name} <{self.email}>"


# --- Status moves as data: the only moves services allow ---------------------------------------------
# Each table has its words: how a status reads in a refused move (portal.workflow.check_move), e.g.
# "An order that is placed cannot become completed."

ORDER_TRANSITIONS = {
    OrderStatus.PLACED: {OrderStatus.CONFIRMED, OrderStatus.CANCELLED, OrderStatus.REJECTED},
    OrderStatus.CONFIRMED: {OrderStatus.IN_PROGRESS, OrderStatus.CANCELLED, OrderStatus.REJECTED},
    OrderStatus.IN_PROGRESS: {OrderStatus.COMPLETED, OrderStatus.CANCELLED},
    OrderStatus.COMPLETED: set(),
    OrderStatus.CANCELLED: set(),
    OrderStatus.REJECTED: set(),
}
ORDER_WORDS = state_words(OrderStatus, {OrderStatus.IN_PROGRESS: ("in progress", "be started")})
# Which time a move stamps, the moment it is made.
ORDER_STAMPS = {OrderStatus.CONFIRMED: "confirmed_at", OrderStatus.COMPLETED: "completed_at"}

SERVICE_TRANSITIONS = {
    ServiceStatus.ACTIVE: {ServiceStatus.SUSPENDED, ServiceStatus.CANCELLING},
    ServiceStatus.SUSPENDED: {ServiceStatus.ACTIVE, ServiceStatus.CANCELLING},
    # Ceased on the withdrawal date. Nothing else moves a cancelling service (not a suspension, not a
    # resumption), or it would never be ceased and billing would go on charging it; only withdrawing the
    # request puts it back as it was (WITHDRAWAL_RESTORES).
    ServiceStatus.CANCELLING: {ServiceStatus.CEASED},
    ServiceStatus.CEASED: set(),
}

WITHDRAWAL_RESTORES = {ServiceStatus.CANCELLING: {ServiceStatus.ACTIVE, ServiceStatus.SUSPENDED}}
SERVICE_WORDS = state_words(ServiceStatus)

CANCELLATION_TRANSITIONS = {
    CancellationStatus.ACTIVE: {CancellationStatus.WITHDRAWN, CancellationStatus.COMPLETED},
    CancellationStatus.WITHDRAWN: set(),
    CancellationStatus.COMPLETED: set(),
}
CANCELLATION_WORDS = state_words(
    CancellationStatus,
    {
        CancellationStatus.WITHDRAWN: ("withdrawn", "be withdrawn"),
        CancellationStatus.COMPLETED: ("completed", "be completed"),
    },
)
# Which time a move stamps, the moment it is made.
CANCELLATION_STAMPS = {CancellationStatus.WITHDRAWN: "withdrawn_at", CancellationStatus.COMPLETED: "completed_at"}
