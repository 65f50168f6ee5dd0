from django.apps import AppConfig


class FaultsConfig(AppConfig):
    name = "faults"

    def ready(self):
        from faults import dashboard, demo, export, inbound  # noqa: F401  (account card, demo data, data export section)

        inbound.register()  # its references, its customers' emailed messages, its triage conversions
