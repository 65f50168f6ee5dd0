from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "complaints"

    def ready(self):
        from complaints import demo, export, services  # noqa: F401  (data export, demo data, outbox hooks)
