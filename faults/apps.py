from django.apps import AppConfig


class FaultsConfig(AppConfig):
    name = "faults"

    def ready(self):
        from faults import dashboard, demo, export, inbound  # noqa: F401  (account card, demo data, data export section)
        from portal.navigation import menu_item

        menu_item("Faults", "faults:fault_list", position=40)

        inbound.register()  # its references, its customers' emailed messages, its triage conversions
