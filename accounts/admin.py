from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserCreationForm
from django.db.models import OuterRef, Subquery

from accounts import services
from accounts.models import ConsentChannel, MarketingConsent, User


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
            kwargs["choices"] = [(c.value, c.label) for c in ConsentChannel
                                 if c in (ConsentChannel.PHONE, ConsentChannel.LETTER, ConsentChannel.EMAIL)]
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
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["username", "full_name", "email"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    add_form = CustomerCreationForm
    list_display = ["username", "full_name", "company_name", "email", "postcode", "customer_type", "marketing",
                    "is_staff"]
    list_filter = [StaffOrCustomerFilter, "customer_type", "correspondence", "groups", "is_active"]
    search_fields = ["username", "full_name", "company_name", "email", "phone", "postcode"]
    ordering = ["full_name"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("Customer", {"fields": ["full_name", "customer_type", "company_name", "email", "phone", "address",
                                 "postcode", "correspondence"]}),
        ("Staff access", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "full_name", "email", "password1", "password2"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]
    inlines = [MarketingConsentInline]

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

    def save_formset(self, request, form, formset, change):
        if formset.model is not MarketingConsent:
            return super().save_formset(request, form, formset, change)
        for consent in formset.save(commit=False):
            services.marketing_consent_record(
                customer=form.instance, opted_in=consent.opted_in, channel=consent.channel,
                recorded_by=request.user, note=consent.note,
            )


@admin.register(MarketingConsent)
class MarketingConsentAdmin(admin.ModelAdmin):
    list_display = ["customer", "opted_in", "channel", "at", "recorded_by"]
    list_filter = ["opted_in", "channel"]
    search_fields = ["customer__username", "customer__full_name"]
    list_select_related = ["customer", "recorded_by"]
    date_hierarchy = "at"

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False  # recorded from the customer's page, where the staff member sees the history
