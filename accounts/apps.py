from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_groups(sender, **kwargs):
    from django.contrib.auth.models import Group, Permission

    from accounts.groups import sync_groups

    sync_groups(Group, Permission)


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Customers and staff"

    def ready(self):
        # Registries: the marketing card of the overview, the account sections of the data export, demo data, and the password reset and
        # registration links made at send time (accounts/emails.py).
        from django.contrib import admin

        from accounts import dashboard, demo, emails, export, forms  # noqa: F401
        from portal.navigation import menu_item

        menu_item("My account", "accounts:dashboard", position=10)

        # The staff login takes the account username or email address, as the customers' login does.
        admin.site.login_form = forms.StaffLoginForm

        # After every migrate, so groups gain the permissions of models added since.
        post_migrate.connect(_sync_groups, dispatch_uid="accounts.sync_groups")
