from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal: outbox and print queue"

    def ready(self):
        from portal import export  # noqa: F401  (registers the correspondence section)
        from portal.inbound import demo  # noqa: F401  (emails in the triage list for the demo)
