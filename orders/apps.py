import importlib

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_catalogue(sender, **kwargs):
    """A database without a single product (a fresh flush) gets the Code's catalogue again, as the data
    migration first made it; an existing catalogue is never touched."""
    from django.apps import apps

    from orders.models import Product

    if not Product.objects.exists():
        importlib.import_module("orders.migrations.0002_catalogue").add_products(apps, None)


def _confirmation_sent(message):
    from orders import services

    services.order_confirmation_sent(message=message)


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = "Orders, services and cancellations"

    def ready(self):
        # Registries: the account overview's card, demo data, the customer's data export.
        from orders import dashboard, demo, export, inbound  # noqa: F401
        from portal.navigation import menu_item

        menu_item("Services", "orders:service_list", position=20)
        menu_item("Orders", "orders:order_list", position=30)

        inbound.register()  # its references, its customers' emailed messages, its triage conversions
        from portal import outbox

        # The order keeps when its confirmation went (the alert job's index of the orders still waiting).
        outbox.on_sent("order_received")(_confirmation_sent)

        post_migrate.connect(_ensure_catalogue, sender=self, dispatch_uid="orders.ensure_catalogue")
