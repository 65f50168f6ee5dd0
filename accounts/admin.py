from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserCreationForm
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.crypto import get_random_string

from accounts import services
from accounts.models import AccountEvent, ConsentChannel, MarketingConsent, User
from portal import clock
from portal.admin_scale import BigTableAdmin
from portal.workflow import Refused


class MarketingConsentInline(admin.TabularInline):
    """Staff record a choice a customer gave by phone, letter or email; past rows never change."""

    model = MarketingConsent
    fk_name = "customer"
    extra = 0
    fields = ["at", "opted_in", "channel", "note", "recorded_by"]
    readonly_fields = ["at", "recorded_by"]
    can_delete = False
    ordering = ["-at", "-id"]

    def has_change_permission(self, request, obj=None):
        return False

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "channel":
            kwargs["choices"] = [
                (c.value, c.label)
                for c in ConsentChannel
                if c in (ConsentChannel.PHONE, ConsentChannel.LETTER, ConsentChannel.EMAIL)
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)


class StaffOrCustomerFilter(admin.SimpleListFilter):
    title = "kind of user"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [("customers", "Customers"), ("staff", "Staff")]

    def queryset(self, request, queryset):
        if self.value() == "customers":
            return queryset.filter(is_staff=False)
        if self.value() == "staff":
            return queryset.filter(is_staff=True)
        return queryset


class CustomerCreationForm(UserCreationForm):
    """An administrator adding an account may set its first password."""

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["username", "full_name", "email"]


class StaffAddsCustomerForm(forms.ModelForm):
    """Other staff add a customer without choosing a password for them: the account gets a long random
    password nobody is shown, and the customer chooses their own through a reset link (the button on
    their page, or the public "forgot your password" form, which works for them as for anyone)."""

    class Meta:
        model = User
        fields = ["username", "full_name", "email"]

    def save(self, commit=True):
        customer = super().save(commit=False)
        customer.set_password(get_random_string(64))
        if commit:
            customer.save()
        return customer


class AccountEventInline(admin.TabularInline):
    """What staff did to the account that the customer is told of (and sees in their data export)."""

    model = AccountEvent
    fk_name = "customer"
    fields = ["at", "kind", "text", "by"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["-at", "-id"]
    verbose_name_plural = "changes by our staff"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("accounts.view_user")  # part of the customer's record


@admin.register(User)
class UserAdmin(BigTableAdmin, BaseUserAdmin):
    customer_path = None  # the customers themselves: every search field is the table's own (trigram-indexed)
    add_form = CustomerCreationForm
    list_display = [
        "username",
        "full_name",
        "company_name",
        "email",
        "postcode",
        "customer_type",
        "marketing",
        "is_staff",
    ]
    list_filter = [StaffOrCustomerFilter, "customer_type", "correspondence", "groups", "is_active"]
    search_fields = ["username", "full_name", "company_name", "email", "phone", "postcode"]
    ordering = ["full_name"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (
            "Customer",
            {
                "fields": [
                    "full_name",
                    "customer_type",
                    "company_name",
                    "email",
                    "phone",
                    "address",
                    "postcode",
                    "correspondence",
                ]
            },
        ),
        ("Staff access", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "full_name", "email", "password1", "password2"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]
    inlines = [MarketingConsentInline, AccountEventInline]
    actions = ["send_password_reset"]

    def get_queryset(self, request):
        latest = MarketingConsent.objects.filter(customer=OuterRef("pk")).order_by("-at", "-id")
        return super().get_queryset(request).annotate(marketing_opted_in=Subquery(latest.values("opted_in")[:1]))

    @admin.display(description="Marketing", boolean=True)
    def marketing(self, obj):
        return obj.marketing_opted_in

    def has_change_permission(self, request, obj=None):
        # Only an administrator changes a staff account (its password, email or access): otherwise a
        # member of staff could take over an administrator's account.
        if obj is not None and obj.is_staff and obj != request.user and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # Only an administrator grants staff access or changes groups.
            fields += ["is_staff", "is_superuser", "groups"]
        return fields

    def get_inlines(self, request, obj):
        return [] if obj is None or obj.is_staff else self.inlines

    # Only an administrator sets a password: anyone else who could set a customer's password could log in
    # as that customer. Other staff send the customer a reset link (below), which goes to the customer's
    # own email address; a change of that address is recorded and the old address told (save_model).

    def get_form(self, request, obj=None, **kwargs):
        if obj is None and not request.user.is_superuser:
            kwargs["form"] = StaffAddsCustomerForm
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        if obj is None:
            return [(None, {"classes": ["wide"], "fields": ["username", "full_name", "email"]})]
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "password"]})
            for name, options in fieldsets
        ]

    def user_change_password(self, request, id, form_url=""):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def save_model(self, request, obj, form, change):
        old_email = form.initial.get("email", "") if change else None
        super().save_model(request, obj, form, change)  # in the admin's transaction, with what follows
        if change and "email" in form.changed_data:
            services.customer_email_changed_by_staff(
                customer=obj, old_email=old_email or "", by=request.user, now=clock.now()
            )

    def response_add(self, request, obj, post_url_continue=None):
        if not request.user.is_superuser and not obj.is_staff:
            self.message_user(
                request,
                "They choose their own password: send them a link with \u201cSend a password reset link\u201d.",
                messages.INFO,
            )
        return super().response_add(request, obj, post_url_continue)

    def get_urls(self):
        return [
            path(
                "<int:pk>/send-reset-link/",
                self.admin_site.admin_view(self.send_reset_view),
                name="accounts_user_send_reset",
            ),
        ] + super().get_urls()

    def _send_reset(self, request, customer):
        try:
            services.customer_send_password_reset(
                customer=customer, by=request.user, site_url=f"{request.scheme}://{request.get_host()}", now=clock.now()
            )
        except Refused as refusal:
            self.message_user(request, refusal.message, messages.ERROR)
            return False
        self.message_user(
            request,
            f"A link to choose a new password is on its way to {customer.email} ({customer.username}).",
            messages.SUCCESS,
        )
        return True

    def send_reset_view(self, request, pk):
        customer = get_object_or_404(User, pk=pk)
        if request.method != "POST" or not self.has_change_permission(request, customer):
            raise PermissionDenied
        self._send_reset(request, customer)
        return redirect("admin:accounts_user_change", customer.pk)

    @admin.action(description="Send the selected customers a password reset link", permissions=["change"])
    def send_password_reset(self, request, queryset):
        for customer in queryset:
            self._send_reset(request, customer)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        customer = self.get_object(request, unquote(object_id))
        can_send = (
            customer is not None
            and not customer.is_staff
            and customer.is_active
            and self.has_change_permission(request, customer)
        )
        extra_context = {**(extra_context or {}), "can_send_reset": can_send}
        return super().change_view(request, object_id, form_url, extra_context)

    def save_formset(self, request, form, formset, change):
        if formset.model is not MarketingConsent:
            return super().save_formset(request, form, formset, change)
        for consent in formset.save(commit=False):
            services.marketing_consent_record(
                customer=form.instance,
                opted_in=consent.opted_in,
                channel=consent.channel,
                recorded_by=request.user,
                note=consent.note,
                now=clock.now(),
            )


@admin.register(MarketingConsent)
class MarketingConsentAdmin(BigTableAdmin, admin.ModelAdmin):
    list_display = ["customer", "opted_in", "channel", "at", "recorded_by"]
    list_filter = ["opted_in", "channel", ("at", admin.DateFieldListFilter)]
    search_fields = ["customer__username", "customer__full_name"]
    list_select_related = ["customer", "recorded_by"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False  # recorded from the customer's page, where the staff member sees the history
