from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"

    def ready(self):
        # Registries: demo data (the month's invoices).
        from billing import demo  # noqa: F401
