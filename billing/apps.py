from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"

    def ready(self):
        # The reminder ladder: its payment hook (restoring services once paid), the policy page's rows,
        # its periodic task (not a tasks.py, so Celery's autodiscovery would miss it) and its demo step;
        # the month's invoices in the demo data (billing/demo.py); the account overview's card and the
        # customer's data export.
        from billing import dashboard, demo, demo_ledger, demo_statement, export, tasks_dunning  # noqa: F401
        from billing.services import dunning  # noqa: F401
        from portal.navigation import menu_item

        # The customer's invoices, between Faults and Complaints in the main menu.
        menu_item("Invoices", "billing:invoice_list", position=45)
