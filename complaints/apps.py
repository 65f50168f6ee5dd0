from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_adr_scheme(sender, **kwargs):
    from complaints.defaults import ensure_adr_scheme
    from complaints.models import AdrScheme

    ensure_adr_scheme(AdrScheme)


class ComplaintsConfig(AppConfig):
    name = "complaints"

    def ready(self):
        from complaints import dashboard, demo, export, selectors, services  # noqa: F401  (registries, hooks)

        post_migrate.connect(_ensure_adr_scheme, sender=self, dispatch_uid="complaints.ensure_adr_scheme")
