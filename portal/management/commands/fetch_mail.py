"""`python manage.py fetch_mail`: one pass over the company's mailbox, as the periodic job makes every minute."""

from django.core.management.base import BaseCommand, CommandError

from portal.inbound.poller import fetch_mail
from portal.inbound.readers import from_settings


class Command(BaseCommand):
    help = "Read the company's mailbox once: store, move to the processed folder, and sort each waiting email."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=None, help="At most this many emails (INBOUND_FETCH_LIMIT).")

    def handle(self, *args, limit=None, **options):
        reader = from_settings()
        try:
            counts = fetch_mail(reader=reader, limit=limit)
        except Exception as exc:
            raise CommandError(f"Could not read the mailbox {reader.source}: {type(exc).__name__}: {exc}") from exc
        done = ", ".join(f"{name} {count}" for name, count in sorted(counts.items()) if count)
        self.stdout.write(f"{reader.source}: {done or 'nothing waiting'}.")
