"""The triage list: the emails that reached the company's mailbox, for customer services (and
administrators) to read and turn into cases (portal/inbound/).

An email is shown as text, never as its HTML (an HTML-only email's text was made from it when stored,
portal/inbound/parsing.py), and its files are downloads, never shown in the page. Each action is one
service (portal/inbound/services.py, or a conversion an app registered: portal/inbound/registry.py).
"""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html, format_html_join

from portal.admin_actions import StaffAction, StaffActionForm, StaffActionsMixin
from portal.admin_links import LinksOnlyWhereAllowed
from portal.admin_scale import BigTableAdmin
from portal.admin_widgets import SafeAutocompleteSelect
from portal.formats import short_datetime
from portal.inbound import registry, services
from portal.inbound.parsing import attachment_payload
from portal.models import InboundMessage, InboundStatus


class ShowFilter(admin.SimpleListFilter):
    title = "show"
    parameter_name = "show"

    def lookups(self, request, model_admin):
        return [
            ("waiting", "Waiting for us"),
            ("known", "Waiting, from a known customer"),
            ("unknown", "Waiting, from an unknown address"),
            ("robots", "Automatic (robots, bounces)"),
            ("flagged", "Could not be read"),
        ]

    def queryset(self, request, queryset):
        waiting = queryset.filter(status=InboundStatus.TRIAGE)
        return {
            "waiting": lambda: waiting,
            "known": lambda: waiting.filter(customer__isnull=False),
            "unknown": lambda: waiting.filter(customer__isnull=True),
            "robots": lambda: queryset.filter(status=InboundStatus.ROBOT),
            "flagged": lambda: queryset.filter(status=InboundStatus.FLAGGED),
        }.get(self.value(), lambda: queryset)()


class LinkCustomerForm(StaffActionForm):
    customer = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(is_staff=False),
        widget=SafeAutocompleteSelect(InboundMessage._meta.get_field("customer"), admin.site),
        help_text="Search by name, account username, email address, phone or postcode.",
    )


class DismissForm(StaffActionForm):
    reason = forms.CharField(
        label="Why no case is needed", widget=forms.Textarea(attrs={"rows": 2}), help_text="Kept with the email."
    )


class NoFieldsForm(StaffActionForm):
    pass


def _waiting(message):
    return message.status == InboundStatus.TRIAGE


def _convertible(message):
    return message.status == InboundStatus.TRIAGE and message.customer_id is not None


def _conversion_action(name, conversion):
    return StaffAction(
        conversion.title,
        conversion.form,
        lambda message, by, data, now: services.inbound_convert(
            message=message, conversion=name, by=by, data=data, now=now
        ),
        available=_convertible,
    )


@admin.register(InboundMessage)
class InboundMessageAdmin(StaffActionsMixin, LinksOnlyWhereAllowed, BigTableAdmin, admin.ModelAdmin):
    reference_prefix = "EML"
    list_display = ["reference", "received", "sender", "customer", "subject_line", "status", "files", "case_link"]
    list_filter = [ShowFilter, "status"]
    list_select_related = ["customer", "case_type"]
    search_fields = ["from_address", "from_name", "subject", "customer__username", "customer__full_name"]
    date_hierarchy = "received_at"
    change_form_template = "admin/portal/inboundmessage/change_form.html"
    fieldsets = [
        (None, {"fields": ["status", "received_at", "sender", "customer", "to", "subject", "case_link", "words"]}),
        ("Files", {"fields": ["attachment_list", "original"]}),
        (
            "How it was sorted",
            {"fields": ["robot_reason", "note", "follows", "receipt", "handled_by", "handled_at", "stored_at"]},
        ),
        (
            "Headers",
            {"classes": ["collapse"], "fields": ["message_id", "in_reply_to", "references", "sent_at", "source"]},
        ),
    ]
    readonly_fields = [
        "status",
        "received_at",
        "sender",
        "customer",
        "to",
        "subject",
        "case_link",
        "words",
        "attachment_list",
        "original",
        "robot_reason",
        "note",
        "follows",
        "receipt",
        "handled_by",
        "handled_at",
        "stored_at",
        "message_id",
        "in_reply_to",
        "references",
        "sent_at",
        "source",
    ]

    @property
    def staff_actions(self):
        """The apps register their conversions when they are ready, after this admin is made: read them now."""
        actions = {"link": StaffAction("Link to a customer", LinkCustomerForm, self._link, available=_waiting)}
        for name, conversion in registry.conversions().items():
            actions[name] = _conversion_action(name, conversion)
        actions["dismiss"] = StaffAction(
            "Mark as dealt with (no case)",
            DismissForm,
            lambda message, by, data, now: services.inbound_dismiss(
                message=message, by=by, reason=data["reason"], now=now
            ),
            available=_waiting,
            bulk="Mark the selected emails as dealt with (no case)",
        )
        actions["to_triage"] = StaffAction(
            "Treat as a customer's email",
            NoFieldsForm,
            lambda message, by, data, now: services.inbound_to_triage(message=message, by=by, now=now),
            available=lambda message: message.status in (InboundStatus.ROBOT, InboundStatus.FLAGGED),
        )
        return actions

    @staticmethod
    def _link(message, by, data, now):
        return services.inbound_link_customer(message=message, customer=data["customer"], by=by, now=now)

    def has_add_permission(self, request):
        return False  # emails arrive; nobody types them in

    def has_delete_permission(self, request, obj=None):
        return False  # what a customer sent us is kept

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(file_count=Count("attachments"))

    # --- columns and fields ---------------------------------------------------------------------

    @admin.display(description="Reference", ordering="pk")
    def reference(self, obj):
        return obj.reference

    @admin.display(description="Received", ordering="received_at")
    def received(self, obj):
        return short_datetime(obj.received_at)

    @admin.display(description="From", ordering="from_address")
    def sender(self, obj):
        if obj.from_name:
            return f"{obj.from_name} <{obj.from_address}>"
        return obj.from_address or "(no sender we can read)"

    @admin.display(description="Subject")
    def subject_line(self, obj):
        return (obj.subject[:90] + "…") if len(obj.subject) > 90 else (obj.subject or "(no subject)")

    @admin.display(description="Files")
    def files(self, obj):
        return obj.file_count or ""

    @admin.display(description="Case")
    def case_link(self, obj):
        if not obj.case_reference:
            return ""
        try:
            url = reverse(f"admin:{obj.case_type.app_label}_{obj.case_type.model}_change", args=[obj.case_id])
        except (NoReverseMatch, AttributeError):
            return obj.case_reference
        return format_html('<a href="{}">{}</a>', url, obj.case_reference)

    @admin.display(description="The email's words")
    def words(self, obj):
        # Text only, escaped: an HTML email's markup never reaches this page.
        made = "Made from the email's HTML (it had no plain text). " if obj.text_from_html else ""
        return format_html('<p class="help">{}</p><pre class="inbound-text">{}</pre>', made, obj.text or "(no text)")

    @admin.display(description="Attachments")
    def attachment_list(self, obj):
        rows = []
        for a in obj.attachments.all():
            if a.refused:
                rows.append(
                    format_html(
                        "<li>{} ({} bytes): refused, over the size limit</li>", a.filename or a.content_type, a.size
                    )
                )
            else:
                url = reverse("admin:portal_inboundmessage_attachment", args=[obj.pk, a.position])
                rows.append(
                    format_html(
                        '<li><a href="{}">{}</a> ({}, {} bytes)</li>', url, a.filename or "file", a.content_type, a.size
                    )
                )
        return format_html("<ul>{}</ul>", format_html_join("", "{}", ((r,) for r in rows))) if rows else "None"

    @admin.display(description="Original email")
    def original(self, obj):
        url = reverse("admin:portal_inboundmessage_raw", args=[obj.pk])
        return format_html('<a href="{}">Download {}.eml</a> ({} bytes, as it arrived)', url, obj.reference, obj.size)

    # --- files: downloads only, never shown in the page --------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/original/", wrap(self.raw_view), name="portal_inboundmessage_raw"),
            path(
                "<int:pk>/attachment/<int:position>/",
                wrap(self.attachment_view),
                name="portal_inboundmessage_attachment",
            ),
        ] + super().get_urls()

    def _readable(self, request, pk):
        if not self.has_view_permission(request):
            raise Http404("No such email.")
        return get_object_or_404(self.get_queryset(request), pk=pk)

    def raw_view(self, request, pk):
        message = self._readable(request, pk)
        return FileResponse(
            message.raw.open("rb"),
            as_attachment=True,
            filename=f"{message.reference}.eml",
            content_type="message/rfc822",
        )

    def attachment_view(self, request, pk, position):
        message = self._readable(request, pk)
        noted = message.attachments.filter(position=position, refused=False).first()
        if noted is None:
            raise Http404("No such attachment, or it was refused.")
        with message.raw.open("rb") as raw:
            found = attachment_payload(raw.read(), position)
        if found is None:
            raise Http404("No such attachment.")
        name, payload = found
        # Always a download of opaque bytes: a file a stranger sent never opens inside the admin.
        response = HttpResponse(payload, content_type="application/octet-stream")
        safe = "".join(ch for ch in (name or f"attachment-{position}") if ch.isalnum() or ch in "._- ")[:100]
        response["Content-Disposition"] = f'attachment; filename="{safe or "attachment"}"'
        return response
