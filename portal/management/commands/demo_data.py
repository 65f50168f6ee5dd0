from django.core.management.base import BaseCommand

from portal import demo


class Command(BaseCommand):
    help = "Load the demo customers, staff and records (once) and print the demo logins."

    def handle(self, *args, **options):
        logins = demo.load()
        self.stdout.write("Demo logins (password for all: %s):" % demo.PASSWORD)
        for username, who in logins:
            self.stdout.write(f"  {username:<14} {who}")
