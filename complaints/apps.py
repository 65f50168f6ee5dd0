from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_adr_scheme(sender, **kwargs):
    from complaints.defaults import ensure_adr_scheme
    from complaints.models import AdrScheme

    ensure_adr_scheme(AdrScheme)


def _acknowledged(message):
    from complaints import services

    services.complaint_acknowledged_by_message(message=message)


class ComplaintsConfig(AppConfig):
    name = "complaints"

    def ready(self):
        # Registries: the account overview's card, demo data, the data export, the contact and policy pages.
        from complaints import dashboard, demo, export, inbound, selectors  # noqa: F401
        from portal.navigation import menu_item

        menu_item("Complaints", "complaints:complaint_list", position=50)

        inbound.register()  # its references, its customers' emailed messages, its triage conversions
        from portal import outbox

        # A complaint is acknowledged when its acknowledgement email has gone or its letter was posted.
        outbox.on_sent("complaint_ack")(_acknowledged)
        post_migrate.connect(_ensure_adr_scheme, sender=self, dispatch_uid="complaints.ensure_adr_scheme")
