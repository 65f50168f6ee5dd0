from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal: outbox and print queue"

    def ready(self):
        from portal import export  # noqa: F401  (registers the correspondence section)
        from portal.inbound import demo  # noqa: F401  (emails in the triage list for the demo)
        from portal.navigation import menu_item

        # Every visitor may read the Code and find how to reach us (the Code: contacting us).
        menu_item("Code of Practice", "portal:code_of_practice", position=80, everyone=True)
        menu_item("Contact us", "portal:contact", position=90, everyone=True)
