from django.contrib import admin, messages
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from portal import clock, message_access, outbox
from portal.admin_links import LinksOnlyWhereAllowed
from portal.admin_scale import BigTableAdmin, DistinctValuesFilter
from portal.inbound import admin as inbound_admin  # noqa: F401  (the triage list of the company's mailbox)
from portal.models import Channel, CodeCopyRequest, OutboxAttachment, OutboxMessage, PrintQueueLetter, Status


def _download(request, message_id, download_name, **which):
    """The one way staff download a message's file, from the outbox or the print queue: only a file of a
    message they may read (portal/message_access.py); anything else is "not found"."""
    readable = message_access.readable_by(request.user, OutboxMessage.objects.all())
    item = get_object_or_404(
        OutboxAttachment.objects.select_related("message").filter(Q(content__isnull=False) | ~Q(stored_name="")),
        message__in=readable,
        message_id=message_id,
        **which,
    )
    response = HttpResponse(item.read(), content_type=item.mimetype)
    response["Content-Disposition"] = f'attachment; filename="{download_name(item)}"'
    return response


class AttachmentInline(admin.TabularInline):
    model = OutboxAttachment
    fields = ["filename", "mimetype", "download"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("portal.view_outboxmessage")  # who sees a message sees its files

    @admin.display(description="File")
    def download(self, obj):
        if not obj.available:
            return "Not rendered yet"
        url = reverse("admin:portal_outboxmessage_attachment", args=[obj.message_id, obj.pk])
        return format_html('<a href="{}">Download</a>', url)


class NeedsStaffFilter(admin.SimpleListFilter):
    title = "needs staff"
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [
            ("failed", "Failed: not sent, safe to send again"),
            ("unknown", "Unknown: check whether it arrived"),
            ("waiting", "Still waiting to go"),
            ("late", "Past due time"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "failed":
            return queryset.filter(status=Status.FAILED)
        if self.value() == "unknown":
            return queryset.filter(status=Status.UNKNOWN)
        if self.value() == "waiting":
            return queryset.filter(status__in=[Status.QUEUED, Status.SENDING, Status.TO_PRINT])
        if self.value() == "late":
            return queryset.filter(due_at__lt=clock.now(), sent_at__isnull=True)
        return queryset


class KindFilter(admin.SimpleListFilter):
    """Messages by kind, named in words (portal.outbox.kind_label), not by their codes."""

    title = "kind"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        kinds = model_admin.get_queryset(request).order_by().values_list("kind", flat=True).distinct()
        return sorted(((kind, outbox.kind_label(kind)) for kind in kinds), key=lambda item: item[1])

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


class KindsInTableFilter(DistinctValuesFilter):
    """The outbox's kinds read from the kind column's index (a million rows: no DISTINCT over the table),
    named in words."""

    title = "kind"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        kinds = [value for value, _ in super().lookups(request, model_admin)]
        return sorted(((kind, outbox.kind_label(kind)) for kind in kinds), key=lambda item: item[1])


class KindInWords:
    @admin.display(description="Kind", ordering="kind")
    def kind_text(self, obj):
        return outbox.kind_label(obj.kind)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(KindInWords, LinksOnlyWhereAllowed, BigTableAdmin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "channel",
        "kind_text",
        "to_name",
        "subject",
        "status",
        "attempts",
        "due_at",
        "sent_at",
    ]
    list_filter = [
        NeedsStaffFilter,
        "status",
        "channel",
        KindsInTableFilter,
        ("created_at", admin.DateFieldListFilter),
    ]
    search_fields = ["to_name", "to_email", "subject", "customer__username"]
    list_select_related = ["customer"]
    readonly_fields = [
        "channel",
        "kind",
        "status",
        "customer",
        "to_name",
        "to_email",
        "postal_address",
        "subject",
        "body_text",
        "concerning_type",
        "concerning_id",
        "due_at",
        "created_at",
        "next_attempt_at",
        "claimed_at",
        "claimed_until",
        "handed_over_at",
        "maybe_delivered",
        "attempts",
        "last_error",
        "sent_at",
        "server_reply",
        "message_id",
        "in_reply_to",
        "references",
        "posted_by",
    ]
    exclude = ["body_html", "claim_token"]
    inlines = [AttachmentInline]
    actions = ["send_again", "unknown_did_not_arrive", "unknown_arrived"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the outbox is the record of what we told customers and when

    def get_queryset(self, request):
        # The list, each message's page, its history and the actions: only what the reader may read.
        return message_access.readable_by(request.user, super().get_queryset(request))

    @admin.action(description="Send the selected failed messages again", permissions=["change"])
    def send_again(self, request, queryset):
        """Failed messages have not gone: safe to send again. Unknown ones may have arrived, so they are
        left for the two actions below, once someone has checked."""
        done = sum(outbox.retry_now(message=m) for m in queryset.filter(status=Status.FAILED))
        self.message_user(request, f"{done} message(s) queued to send again.", messages.SUCCESS)
        unknown = queryset.filter(status=Status.UNKNOWN).count()
        if unknown:
            self.message_user(
                request,
                f"{unknown} message(s) not sent again: their outcome is unknown and they may have arrived. "
                "Check with the customer (or the mail server's log), then use “did not arrive: send again” or "
                "“arrived: mark as sent”.",
                messages.WARNING,
            )

    @admin.action(description="Unknown messages that did not arrive: send again", permissions=["change"])
    def unknown_did_not_arrive(self, request, queryset):
        done = sum(outbox.send_unknown_again(message=m) for m in queryset.filter(status=Status.UNKNOWN))
        self.message_user(request, f"{done} message(s) queued to send again.", messages.SUCCESS)

    @admin.action(description="Unknown messages that arrived: mark as sent", permissions=["change"])
    def unknown_arrived(self, request, queryset):
        done = sum(outbox.confirm_arrived(message=m, by=request.user) for m in queryset.filter(status=Status.UNKNOWN))
        self.message_user(request, f"{done} message(s) marked as sent.", messages.SUCCESS)

    def get_urls(self):
        return [
            path(
                "<int:message_id>/attachment/<int:attachment_id>/",
                self.admin_site.admin_view(self.attachment),
                name="portal_outboxmessage_attachment",
            ),
        ] + super().get_urls()

    def attachment(self, request, message_id, attachment_id):
        return _download(request, message_id, lambda item: f"{item.message_id}-{item.filename}", pk=attachment_id)


@admin.register(PrintQueueLetter)
class PrintQueueAdmin(KindInWords, LinksOnlyWhereAllowed, BigTableAdmin, admin.ModelAdmin):
    """Letters whose PDF is ready: download, print, post, then mark posted. The download comes second in
    each row so that it is on screen at 1280 px whatever the subject's length."""

    # When it is due to be posted (the Code's deadline) comes first; when it was written is on its page.
    list_display = ["due_at", "pdf", "enclosures", "kind_text", "to_name", "short_address", "subject"]
    list_filter = [KindFilter]
    search_fields = ["to_name", "postal_address", "subject"]
    actions = ["mark_posted"]
    fields = ["kind_text", "to_name", "postal_address", "subject", "due_at", "created_at", "pdf", "enclosures"]
    readonly_fields = fields

    def get_queryset(self, request):
        letters = super().get_queryset(request).filter(channel=Channel.LETTER, status=Status.TO_PRINT)
        return message_access.readable_by(request.user, letters).prefetch_related("attachments")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Address")
    def short_address(self, obj):
        return ", ".join(obj.postal_address.splitlines()[-2:])

    @admin.display(description="Letter")
    def pdf(self, obj):
        url = reverse("admin:portal_printqueueletter_pdf", args=[obj.pk])
        return format_html('<a href="{}">Download PDF</a>', url)

    @admin.display(description="Enclosed")
    def enclosures(self, obj):
        """Files printed and posted with the letter (an invoice's PDF), through the outbox's download."""
        links = [
            format_html(
                '<a href="{}">{}</a>', reverse("admin:portal_outboxmessage_attachment", args=[obj.pk, a.pk]), a.filename
            )
            for a in outbox.enclosures_of(obj)
        ]
        return format_html_join(", ", "{}", ((link,) for link in links)) if links else "-"

    @admin.action(description="Mark the selected letters as posted", permissions=["change"])
    def mark_posted(self, request, queryset):
        done = sum(outbox.mark_posted(message=m, by=request.user) for m in queryset)
        self.message_user(request, f"{done} letter(s) marked as posted.", messages.SUCCESS)

    def get_urls(self):
        return [
            path(
                "<int:message_id>/pdf/", self.admin_site.admin_view(self.letter_pdf), name="portal_printqueueletter_pdf"
            ),
        ] + super().get_urls()

    def letter_pdf(self, request, message_id):
        # The same file as the letter's attachment in the outbox, guarded by the same check.
        return _download(
            request,
            message_id,
            lambda item: f"letter-{item.message_id}-{item.message.kind}.pdf",
            filename="letter.pdf",
            message__channel=Channel.LETTER,
        )


@admin.register(CodeCopyRequest)
class CodeCopyRequestAdmin(LinksOnlyWhereAllowed, admin.ModelAdmin):
    list_display = ["received_at", "name", "method", "email", "postcode"]
    list_filter = ["method"]
    search_fields = ["name", "email", "postcode"]
    readonly_fields = ["name", "method", "email", "address", "postcode", "customer", "received_at"]

    def has_add_permission(self, request):
        return False
