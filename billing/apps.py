from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"

    def ready(self):
        # Registries: the account overview's card and the customer's data export.
        from billing import dashboard, export  # noqa: F401
