from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone

from portal.formats import short_datetime
from portal.message_access import PERMISSIONS as MESSAGE_PERMISSIONS


class Via(models.TextChoices):
    """How a customer's message reached us (portal/customer_messages.py)."""

    PORTAL = "portal", "Portal"
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"
    PHONE = "phone", "Phone"


class TimelineEvent(models.Model):
    """One thing that happened to a case (a complaint, a fault, an order, a service, an account): the timeline
    customers and staff both read. Each app adds the object it belongs to and its own kinds, as choices."""

    text = models.TextField(blank=True)
    # Internal notes stay off the customer's pages, but they are personal data held about the customer,
    # so the data export (a subject access request) includes them, marked as staff notes.
    internal = models.BooleanField(
        default=False,
        help_text="Staff only: not shown on the customer's pages (their data export includes it, as the law requires).",
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    message = models.ForeignKey(
        "portal.OutboxMessage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The email or letter this event sent.",
    )
    via = models.CharField(
        max_length=6, choices=Via.choices, blank=True, help_text="How a customer's message reached us."
    )
    email = models.ForeignKey(
        "portal.InboundMessage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The customer's email this event came from, kept as it arrived.",
    )

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    # What a customer reads: each app's event model names its kinds in customer's words
    # ({kind: heading}), and the statuses a status event moves to ({status: heading}, with its status
    # choices), because its stored text ("Reported → Being investigated.") is written for staff. Staff
    # read get_kind_display() and the stored text as they are.
    CUSTOMER_HEADINGS: dict = {}
    CUSTOMER_STATUS_HEADINGS: dict = {}
    STATUS_KIND = "status"
    STATUSES = None

    def __str__(self):
        return f"{self.get_kind_display()}, {short_datetime(self.at)}"

    def _status_move(self):
        """(the status moved to, the words staff added for the customer) of a status event whose text
        is "Old → New." and then, on the next lines, the message staff typed; None for other text."""
        if self.kind != self.STATUS_KIND or self.STATUSES is None:
            return None
        first, _, rest = self.text.partition("\n")
        if " → " not in first or not first.endswith("."):
            return None
        label = first.rsplit(" → ", 1)[1][:-1]
        for value, choice in self.STATUSES.choices:
            if choice == label:
                return value, rest.strip()
        return None

    @property
    def customer_heading(self):
        move = self._status_move()
        if move is not None and move[0] in self.CUSTOMER_STATUS_HEADINGS:
            return self.CUSTOMER_STATUS_HEADINGS[move[0]]
        return self.CUSTOMER_HEADINGS.get(self.kind) or self.get_kind_display()

    @property
    def customer_text(self):
        """The event's words for the customer: a status event's message from staff without the
        "Old → New." line the heading now says; any other event's text as it is."""
        move = self._status_move()
        return move[1] if move is not None else self.text


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"


class Status(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"  # the mail server accepted the email
    TO_PRINT = "to_print", "In the print queue"  # letter PDF ready, waiting to be posted
    POSTED = "posted", "Posted"
    # The mail server refused it, or could not be reached, attempt after attempt: it has not gone, so
    # sending it again is safe.
    FAILED = "failed", "Failed: not sent, safe to send again"
    # A worker stopped between handing the email to the mail server and recording the server's answer:
    # it may have arrived. Staff check before sending it again (portal/outbox.py).
    UNKNOWN = "unknown", "Unknown: may have arrived, check first"
    CANCELLED = "cancelled", "Cancelled: no longer needed"


class OutboxMessage(models.Model):
    """An email or letter the portal owes somebody.

    The row is written in the same transaction as the event that needs it, so a message can never be
    lost between "saved" and "sent": a worker sends it after commit, and a periodic job queues again
    whatever is still waiting (portal/outbox.py).
    """

    channel = models.CharField(max_length=6, choices=Channel.choices)
    kind = models.CharField(max_length=50, db_index=True, help_text="What the message is, e.g. welcome.")
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.QUEUED)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="outbox_messages"
    )
    to_name = models.CharField(max_length=200)
    to_email = models.EmailField(blank=True)
    postal_address = models.TextField(blank=True, help_text="The address block of a letter, one line each.")
    subject = models.CharField(max_length=200)
    # An email's identity, made when the row is written and sent unchanged on every attempt, so a resend
    # is recognisably the same message and a customer's reply (In-Reply-To) finds its way back to us.
    message_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    in_reply_to = models.CharField(max_length=255, blank=True, help_text="The customer's email this answers.")
    references = models.TextField(blank=True, help_text="The thread's Message-IDs, oldest first.")
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)

    # The object this message concerns (a complaint, an order, a customer...).
    concerning_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL)
    concerning_id = models.PositiveBigIntegerField(null=True, blank=True)
    concerning = GenericForeignKey("concerning_type", "concerning_id")

    due_at = models.DateTimeField(null=True, blank=True, help_text="When the Code says it must have gone out.")
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # A worker's claim is a lease: its token, when it began and until when it holds. A claim whose worker
    # died runs out by itself and the message is taken again (portal/outbox.py claim).
    claim_token = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    handed_over_at = models.DateTimeField(
        null=True, blank=True, help_text="When the current attempt began handing the email to the mail server."
    )
    maybe_delivered = models.BooleanField(
        default=False,
        help_text="An earlier attempt handed it to the mail server and stopped before the server's answer was known.",
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(
        null=True, blank=True, help_text="Email accepted by the mail server, or letter posted."
    )
    server_reply = models.CharField(
        max_length=500, blank=True, help_text="What the mail server answered when it accepted the email."
    )
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "outbox message"
        # Who may read which messages (portal/message_access.py); the groups get theirs in accounts/groups.py.
        permissions = MESSAGE_PERMISSIONS
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["concerning_type", "concerning_id"]),
            models.Index(fields=["-created_at", "-id"], name="portal_outbox_newest"),  # the staff list's order
            # What staff look for among a million sent ones: failed, unknown, waiting, to print (the admin's front
            # page counts them), and what is not sent by its due time.
            models.Index(
                fields=["status"],
                condition=Q(status__in=["queued", "sending", "to_print", "failed", "unknown"]),
                name="portal_outbox_needs_staff",
            ),
            models.Index(fields=["due_at"], condition=Q(sent_at__isnull=True), name="portal_outbox_unsent_due"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} to {self.to_name}: {self.subject}"


class PrintQueueLetter(OutboxMessage):
    """Letters waiting to be printed and posted, as the staff's print queue."""

    class Meta:
        proxy = True
        verbose_name = "letter to post"
        verbose_name_plural = "print queue: letters to post"


class OutboxAttachment(models.Model):
    """A file sent with a message. A PDF may be kept as HTML until a worker renders it, or name a file already
    kept through Django's storage API (an invoice's PDF), which the worker reads at send time: the file is
    not copied into the database, whatever the number of invoices in a run."""

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=120)
    mimetype = models.CharField(max_length=80, default="application/pdf")
    source_html = models.TextField(blank=True, help_text="Rendered to PDF by the worker when content is empty.")
    content = models.BinaryField(null=True, blank=True)
    stored_name = models.CharField(
        max_length=255, blank=True, help_text="A file in the default storage, read when the message is sent."
    )

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.filename

    @property
    def available(self):
        return self.content is not None or bool(self.stored_name)

    def read(self):
        """The file's bytes: kept in the row, or read from storage."""
        if self.content is not None:
            return bytes(self.content)
        from django.core.files.storage import default_storage

        with default_storage.open(self.stored_name, "rb") as handle:
            return handle.read()


class CopyMethod(models.TextChoices):
    EMAIL = "email", "By email"
    POST = "post", "By post"


class CodeCopyRequest(models.Model):
    """Code: "Customers can access this code of practice ... by requesting a copy to be posted or emailed"."""

    name = models.CharField(max_length=150)
    method = models.CharField(max_length=5, choices=CopyMethod.choices)
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self):
        return f"Copy of the Code for {self.name} ({self.get_method_display().lower()})"


class PublicFormUse(models.Model):
    """One use of a public form that sends an email or letter to an address the visitor types, so that the
    forms cannot be used to send our mail to strangers in bulk (portal/throttle.py)."""

    form = models.CharField(max_length=30)
    ip = models.GenericIPAddressField(null=True, blank=True)
    recipient = models.CharField(
        max_length=64, blank=True, help_text="A hash of the normalised email or postal address the mail went to."
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["form", "ip", "at"]),
            models.Index(fields=["form", "at"]),
            models.Index(fields=["form", "recipient", "at"], name="portal_publicform_recipient"),
        ]

    def __str__(self):
        return f"{self.form} at {self.at:%Y-%m-%d %H:%M}"


class PublicFormAlert(models.Model):
    """Customer services were warned that a public form passed its overall hourly limit: one row (and one
    email) per form and clock hour, the unique constraint being the claim."""

    form = models.CharField(max_length=30)
    hour = models.DateTimeField(help_text="The start of the clock hour (UTC) the warning is for.")
    count = models.PositiveIntegerField(help_text="Uses of the form in the hour before the warning.")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["form", "hour"], name="portal_one_public_form_alert_per_hour")]

    def __str__(self):
        return f"{self.form}: {self.count} uses in the hour from {self.hour:%Y-%m-%d %H:%M} UTC"


class InboundStatus(models.TextChoices):
    """Where an email that reached the company's mailbox stands (portal/inbound/)."""

    NEW = "new", "Stored, not yet sorted"
    JOINED = "joined", "Added to its case"
    TRIAGE = "triage", "Waiting for customer services"
    CONVERTED = "converted", "Turned into a case"
    DISMISSED = "dismissed", "Dealt with, no case needed"
    ROBOT = "robot", "Automatic message: kept, never answered"
    FLAGGED = "flagged", "Could not be read: needs staff"


class InboundMessage(models.Model):
    """An email that reached the company's mailbox, stored before anything else happens to it.

    The original bytes are a file through Django's storage API (`raw`); the row is written in the same
    transaction, and only after that commits is the message moved to the processed folder on the server
    (portal/inbound/poller.py). `dedupe_key` is unique, so the same message fetched twice (or fetched
    again after a poller was killed between storing and moving) makes one record."""

    dedupe_key = models.CharField(max_length=64, unique=True, editable=False)
    raw = models.FileField(upload_to="inbound/", max_length=200)
    size = models.PositiveIntegerField(default=0)
    source = models.CharField(max_length=200, blank=True, help_text="The mailbox it was read from.")
    message_id = models.CharField("Message-ID", max_length=998, blank=True, db_index=True)
    in_reply_to = models.TextField(blank=True)
    references = models.TextField(blank=True)
    from_address = models.CharField("from", max_length=320, blank=True, db_index=True)
    from_name = models.CharField(max_length=200, blank=True)
    to = models.TextField(blank=True)
    subject = models.TextField(blank=True)
    sent_at = models.DateTimeField("date (as the sender's mail program gave it)", null=True, blank=True)
    received_at = models.DateTimeField(
        help_text="When it reached our mailbox (the server's own time, else when we stored it): every deadline "
        "counts from here."
    )
    stored_at = models.DateTimeField(default=timezone.now)
    text = models.TextField(blank=True, help_text="The words of the email, as plain text.")
    text_from_html = models.BooleanField(
        default=False, help_text="The email had no plain text: this text was made from its HTML."
    )
    status = models.CharField(max_length=9, choices=InboundStatus.choices, default=InboundStatus.NEW)
    robot_reason = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True, help_text="What the sorting found (a problem, a reference it could not use).")
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound_emails",
        limit_choices_to={"is_staff": False},
        help_text="The customer who sent it: matched by address, or linked by staff.",
    )
    follows = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="An earlier email it answers.",
    )
    receipt = models.OneToOneField(
        OutboxMessage,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The automatic receipt we sent.",
    )
    # The complaint, fault or order it joined or became.
    case_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    case_id = models.PositiveBigIntegerField(null=True, blank=True)
    case = GenericForeignKey("case_type", "case_id")
    case_reference = models.CharField(max_length=20, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = "email received"
        verbose_name_plural = "emails received (triage)"
        indexes = [models.Index(fields=["status", "-received_at"])]

    def __str__(self):
        return f"{self.reference}: {self.subject[:80] or '(no subject)'}"

    @property
    def reference(self):
        """What the automatic receipt quotes, e.g. EML-000123."""
        return f"EML-{self.pk:06d}" if self.pk else "EML-new"


class InboundAttachment(models.Model):
    """A file an email carried, as noted when it was stored. Its bytes stay inside the raw email; one over
    INBOUND_MAX_ATTACHMENT_BYTES is refused: listed, never offered to staff as a file."""

    message = models.ForeignKey(InboundMessage, on_delete=models.CASCADE, related_name="attachments")
    position = models.PositiveSmallIntegerField(help_text="Which attachment of the email, from 1.")
    filename = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=255, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    refused = models.BooleanField(default=False)

    class Meta:
        ordering = ["message", "position"]

    def __str__(self):
        return self.filename or f"attachment {self.position}"
