from django.apps import AppConfig


class FaultsConfig(AppConfig):
    name = "faults"

    def ready(self):
        from faults import dashboard, demo, export  # noqa: F401  (account card, demo data, data export section)
