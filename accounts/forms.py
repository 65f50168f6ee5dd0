from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator

from accounts import services
from accounts.models import Correspondence, CustomerType, User
from portal.forms import submit_helper
from portal.postcodes import normalise_postcode


class DetailsFields(forms.ModelForm):
    """Fields a customer keeps up to date themselves."""

    # Longer than the stored 8 characters, so "me17  4nn " reaches the UK postcode check and its message.
    postcode = forms.CharField(max_length=12, required=False)

    class Meta:
        model = User
        fields = [
            "full_name",
            "email",
            "phone",
            "customer_type",
            "company_name",
            "address",
            "postcode",
            "correspondence",
        ]
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
            "customer_type": forms.RadioSelect,
            "correspondence": forms.RadioSelect,
        }

    def clean_postcode(self):
        value = self.cleaned_data["postcode"]
        return normalise_postcode(value) if value.strip() else ""

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        data = super().clean()
        if data.get("correspondence") == Correspondence.EMAIL and not data.get("email"):
            self.add_error("email", "Give an email address, or choose to hear from us by post.")
        if data.get("correspondence") == Correspondence.POST and not (data.get("address") and data.get("postcode")):
            self.add_error("address", "Give your postal address and postcode so our letters reach you.")
        if data.get("customer_type") == CustomerType.BUSINESS and not data.get("company_name"):
            self.add_error("company_name", "Give the name of your business.")
        return data


class RegistrationForm(DetailsFields):
    password1 = forms.CharField(
        label="Password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Password again", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    marketing_opt_in = forms.BooleanField(
        required=False,
        label="Send me news and offers from 121 Communications",
        help_text="Optional. You can change your mind at any time from your profile.",
    )

    class Meta(DetailsFields.Meta):
        fields = [
            "username",
            "full_name",
            "email",
            "phone",
            "customer_type",
            "company_name",
            "address",
            "postcode",
            "correspondence",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Optional: a customer who takes letters only gives a postal address instead (DetailsFields.clean).
        self.fields["email"].help_text = "Needed to hear from us by email and to reset your password online."
        self.fields[
            "username"
        ].help_text = "3 to 40 lower-case letters or digits. Quote it when you write to us, for instance to cancel."
        self.helper = submit_helper("Create my account")

    def clean_username(self):
        return self.cleaned_data["username"].strip().lower()

    def _get_validation_exclusions(self):
        # Never say here that an email address has an account (the model's unique constraint would):
        # the view answers "check your email" either way (accounts.services.registration_start). The
        # form's EmailField has checked the address itself; the account username is still checked.
        return super()._get_validation_exclusions() | {"email"}

    def clean(self):
        data = super().clean()
        if (
            data.get("username")
            and "username" not in self.errors
            and services.username_waiting(username=data["username"], email=data.get("email") or "")
        ):
            self.add_error("username", User._meta.get_field("username").error_messages["unique"])
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", "The two passwords do not match.")
        if data.get("password1"):
            candidate = User(
                username=data.get("username", ""), email=data.get("email", ""), full_name=data.get("full_name", "")
            )
            try:
                password_validation.validate_password(data["password1"], candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class RegistrationConfirmForm(forms.Form):
    """Finishing a registration asks for the password chosen (accounts.services, "Registration")."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )

    def __init__(self, *args, pending, **kwargs):
        super().__init__(*args, **kwargs)
        self.pending = pending

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not services.registration_password_matches(self.pending, password):
            raise forms.ValidationError(
                "That is not the password chosen when registering. If you did not ask for "
                "this account, ignore the email: nothing is made."
            )
        return password


class DetailsForm(DetailsFields):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper("Save my details")


class UsernameOrEmailLogin(forms.Form):
    """The box both logins share: an account username or the email address on the account.

    Django's AuthenticationForm sizes its box from the model's USERNAME_FIELD (40 characters for an
    account username) and the browser then cuts a longer email address short, so the password looks
    wrong. The box takes the longest address the email field accepts, set after Django's own sizing.
    """

    username = forms.CharField(
        label="Account username or email",
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        longest = max(User._meta.get_field("email").max_length, User._meta.get_field("username").max_length)
        self.fields["username"].max_length = longest
        self.fields["username"].widget.attrs["maxlength"] = longest
        self.fields["username"].validators.append(MaxLengthValidator(longest))


class LoginForm(UsernameOrEmailLogin, AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That account username or email and password do not match. Please try again.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper("Log in")


class MarketingForm(forms.Form):
    opted_in = forms.TypedChoiceField(
        label="Marketing from 121 Communications",
        choices=[("yes", "Yes, send me news and offers"), ("no", "No marketing, thank you")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper("Save my choice")


class PasswordResetRequestForm(forms.Form):
    """The public "forgot your password" form: the address only. The view hands it to
    accounts.services.customer_password_reset_request, which sends the link through the outbox."""

    email = forms.EmailField(label="Email", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class StaffLoginForm(UsernameOrEmailLogin, AdminAuthenticationForm):
    pass
