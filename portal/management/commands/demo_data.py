from django.core.management.base import BaseCommand

from portal import demo


class Command(BaseCommand):
    help = "Load the demo customers, staff and records (once)."

    def handle(self, *args, **options):
        logins = demo.load()
        # The logins are printed once, by runportal, when everything has started (`make run`): here they
        # would only scroll away under the worker's start.
        self.stdout.write(f"Demo data ready ({len(logins)} demo logins, listed when the portal starts).")
