from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from portal.models import TimelineEvent
from portal.validators import validate_single_line


class CustomerType(models.TextChoices):
    RESIDENTIAL = "residential", "Residential"
    BUSINESS = "business", "Business"


class Correspondence(models.TextChoices):
    EMAIL = "email", "By email"
    POST = "post", "By post"


class PortalUserManager(UserManager):
    """Django's own user manager, under the name the first migration gave it."""


class User(AbstractUser):
    """A customer (is_staff off) or a member of staff (is_staff on, in a group).

    `username` is the customer's account username: the Code asks customers to quote it when they
    write to cancel, so it is shown on every page of their account and on letters.
    """

    username = models.CharField(
        "account username",
        max_length=40,
        unique=True,
        validators=[
            RegexValidator(
                r"^[a-z0-9][a-z0-9._-]{2,39}$",
                "Use 3 to 40 lower-case letters, digits, dots, dashes or underscores, starting with a letter or digit.",
            )
        ],
        help_text="Quoted by the customer when they write to us, for instance to cancel.",
        error_messages={"unique": "That account username is taken. Please choose another."},
    )
    # Letters only customers have no email: the field is optional but unique when given.
    email = models.EmailField("email address", blank=True)
    # Both reach the To: header of every email to the customer (display_name): one line only.
    full_name = models.CharField(max_length=150, validators=[validate_single_line])
    company_name = models.CharField(
        max_length=150, blank=True, help_text="For business customers.", validators=[validate_single_line]
    )
    address = models.TextField("postal address", blank=True, help_text="Street, town and county, one per line.")
    postcode = models.CharField(max_length=8, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    customer_type = models.CharField(max_length=12, choices=CustomerType.choices, default=CustomerType.RESIDENTIAL)
    correspondence = models.CharField(
        "how we write to you",
        max_length=5,
        choices=Correspondence.choices,
        default=Correspondence.EMAIL,
        help_text="Letters go to the postal address. Without an email address we always write by post.",
    )
    # first_name/last_name are replaced by one full name, as UK letters address people.
    first_name = None
    last_name = None

    objects = PortalUserManager()

    REQUIRED_FIELDS = ["email", "full_name"]

    class Meta:
        ordering = ["full_name", "username"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~Q(email=""),
                name="accounts_user_email_unique_when_given",
                violation_error_message="An account with that email address already exists.",
            ),
        ]
        indexes = [
            models.Index(fields=["full_name", "username"], name="accounts_user_by_name"),  # the staff list's order
            # The staff among 100,000 customers (owners of complaints, the admin's filters).
            models.Index(fields=["full_name"], condition=Q(is_staff=True), name="accounts_user_staff"),
        ]

    def __str__(self):
        return f"{self.full_name or self.username} ({self.username})"

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.username

    @property
    def display_name(self):
        if self.customer_type == CustomerType.BUSINESS and self.company_name:
            return f"{self.full_name}, {self.company_name}"
        return self.full_name

    @property
    def postal_lines(self):
        """The address block of a letter: name, company, address lines, postcode."""
        lines = [self.full_name]
        if self.company_name:
            lines.append(self.company_name)
        lines += [line.strip() for line in self.address.splitlines() if line.strip()]
        if self.postcode:
            lines.append(self.postcode)
        return lines

    @property
    def writes_by_post(self):
        return not self.email or self.correspondence == Correspondence.POST


class ConsentChannel(models.TextChoices):
    REGISTRATION = "registration", "Registration form"
    PORTAL = "portal", "Portal (customer's own choice)"
    PHONE = "phone", "Phone call recorded by staff"
    LETTER = "letter", "Letter recorded by staff"
    EMAIL = "email", "Email recorded by staff"


class MarketingConsent(models.Model):
    """One change of a customer's marketing choice. The latest row is the current choice.

    Code (Privacy): customers may "opt in and out of receiving our marketing information"; every
    change is kept with its time and how it reached us, never overwritten.
    """

    customer = models.ForeignKey(User, on_delete=models.CASCADE, related_name="marketing_consents")
    opted_in = models.BooleanField()
    channel = models.CharField(max_length=12, choices=ConsentChannel.choices)
    recorded_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", help_text="Staff who recorded it."
    )
    note = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["customer", "-at", "-id"])]

    def __str__(self):
        return f"{'Opted in' if self.opted_in else 'Opted out'} by {self.get_channel_display()}"


class AccountEventKind(models.TextChoices):
    EMAIL_CHANGED = "email_changed", "Email address changed by our staff"
    RESET_LINK_SENT = "reset_link_sent", "Password reset link sent by our staff"


class AccountEvent(TimelineEvent):
    """Something our staff did to a customer's account that the customer must be able to see: it is in
    their data export, and on their page in the admin. The message is the email or letter telling them."""

    customer = models.ForeignKey(User, on_delete=models.CASCADE, related_name="account_events")
    kind = models.CharField(max_length=16, choices=AccountEventKind.choices)

    class Meta(TimelineEvent.Meta):
        indexes = [models.Index(fields=["customer", "at"])]


class PendingRegistration(models.Model):
    """A registration with an email address, waiting for the newcomer to open the link we emailed.

    The account is only made once the link is opened (with the password chosen), so the registration
    page answers the same "check your email" whether or not the address already has an account: it
    never tells anyone which addresses are ours (accounts.services.registration_start). A newer
    registration for the same address replaces this one; unconfirmed ones are deleted after
    REGISTRATION_LINK_DAYS. The password is kept only as its hash, as on an account.
    """

    username = models.CharField(max_length=40, db_index=True)
    email = models.EmailField(db_index=True)
    details = models.JSONField(help_text="Name, address, phone and the rest of the form, as typed.")
    marketing_opt_in = models.BooleanField()
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Registration of {self.username} waiting for confirmation"
