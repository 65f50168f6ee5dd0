from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"

    def ready(self):
        # The reminder ladder: its payment hook (restoring services once paid), the policy page's rows,
        # its periodic task (not a tasks.py, so Celery's autodiscovery would miss it) and its demo step;
        # the month's invoices in the demo data (billing/demo.py).
        from billing import demo, demo_ledger, tasks_dunning  # noqa: F401
        from billing.services import dunning  # noqa: F401
