"""Shared set-up for the benchmarks: a fresh PostgreSQL database, Redis, and a real Celery worker.

    from harness import Bench
    with Bench("bench_portal") as bench:       # django is set up, migrated, a worker is running
        ...create things through services...
        bench.wait_all_sent()
        bench.summary("label", bench.latencies(kind="welcome"))

Latency of a message is sent_at - created_at of its outbox row: from the event saved (same
transaction) to the email handed to the mail backend by the worker.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def percentile(values, fraction):
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def summary(label, seconds):
    ms = [s * 1000 for s in seconds]
    line = (
        f"{label}: n={len(ms)} median={statistics.median(ms):.1f} ms p95={percentile(ms, 0.95):.1f} ms "
        f"max={max(ms):.1f} ms"
    )
    print(line)
    return line


class Bench:
    def __init__(self, database="bench_portal", concurrency=2):
        self.database = database
        self.concurrency = concurrency
        self.worker = None

    def __enter__(self):
        base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal")
        server = base.rsplit("/", 1)[0]
        os.environ.update(
            {
                "DATABASE_URL": f"{server}/{self.database}",
                "DJANGO_SETTINGS_MODULE": "portal.settings",
                "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
                "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "EMAIL_FILE_PATH": tempfile.mkdtemp(prefix="bench-mail-"),
                "PORTAL_VAR_DIR": tempfile.mkdtemp(prefix="bench-var-"),
                "LOG_LEVEL": "WARNING",
                "CELERY_QUEUE": f"{self.database}-{os.getpid()}",  # its own queue on a shared Redis
            }
        )
        import psycopg2

        admin = psycopg2.connect(f"{server}/postgres")
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{self.database}"')
            cursor.execute(f'CREATE DATABASE "{self.database}"')
        admin.close()

        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command

        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # not what is measured
        call_command("migrate", verbosity=0)
        from portal.celery import app

        self.app = app
        app.control.purge()
        name = f"{self.database}@localhost"
        self.worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                f"--concurrency={self.concurrency}",
                "--loglevel=WARNING",
                "-n",
                name,
                "--without-mingle",
                "--without-gossip",
            ],
            cwd=ROOT,
            env=os.environ.copy(),
        )
        while not app.control.ping(destination=[name], timeout=0.5):
            if self.worker.poll() is not None:
                raise SystemExit("the worker did not start")
            time.sleep(0.2)
        return self

    def __exit__(self, *exc):
        if self.worker:
            self.worker.terminate()
            self.worker.wait(timeout=30)

    @staticmethod
    def wait_all_sent(timeout=300):
        from portal.models import OutboxMessage, Status

        deadline = time.monotonic() + timeout
        while OutboxMessage.objects.filter(status__in=[Status.QUEUED, Status.SENDING]).exists():
            if time.monotonic() > deadline:
                raise SystemExit("messages did not all go out in time")
            time.sleep(0.01)

    @staticmethod
    def latencies(**filters):
        from portal.models import OutboxMessage

        return [
            (m.sent_at - m.created_at).total_seconds()
            for m in OutboxMessage.objects.filter(sent_at__isnull=False, **filters)
        ]

    @staticmethod
    def clear_outbox():
        from portal.models import OutboxMessage

        OutboxMessage.objects.all().delete()

    def measure(self, create, *, kind, count, what, unit):
        """Call create(n) one at a time (waiting for each message to go), then `count` times in a burst,
        and print the latency of the outbox messages of `kind` both ways, and the burst's throughput."""
        for n in range(-5, 0):  # warm the worker's processes (numbers of their own)
            create(n)
        self.wait_all_sent()
        self.clear_outbox()
        for n in range(count):
            create(n)
            self.wait_all_sent()
        one_at_a_time = self.latencies(kind=kind)
        self.clear_outbox()
        started = time.monotonic()
        for n in range(count, 2 * count):
            create(n)
        self.wait_all_sent()
        burst_seconds = time.monotonic() - started
        burst = self.latencies(kind=kind)
        print(f"{what} (Celery on Redis, PostgreSQL, {self.concurrency} worker processes)")
        summary("  one at a time", one_at_a_time)
        summary(f"  burst of {count}", burst)
        print(f"  burst throughput: {count / burst_seconds:.0f} {unit}/s end to end")
        return one_at_a_time, burst
