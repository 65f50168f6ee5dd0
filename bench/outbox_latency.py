"""How long from an event saved to its email handed to the mail backend, with a real worker.

Uses its own PostgreSQL database (bench_portal, recreated each run) and the Redis of REDIS_URL.
Starts `celery -A portal worker` (prefork, 2 processes, SMTP replaced by the file backend), then:
  1. one at a time: registers a customer, waits until the welcome email is sent; N times;
  2. a burst: registers N customers as fast as possible, waits until every email is sent.
Latency is sent_at - created_at of each outbox row (both stamped by the database's clock users share).
Also times rendering a one-page letter to PDF, cold and warm.

    make bench                       # or: python bench/outbox_latency.py --count 200
"""

import argparse
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
    print(f"{label}: n={len(ms)} median={statistics.median(ms):.1f} ms p95={percentile(ms, 0.95):.1f} ms "
          f"max={max(ms):.1f} ms")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=200)
    args = parser.parse_args()

    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal")
    bench_url = base.rsplit("/", 1)[0] + "/bench_portal"
    mail_dir = Path(tempfile.mkdtemp(prefix="bench-mail-"))
    var_dir = Path(tempfile.mkdtemp(prefix="bench-var-"))
    os.environ.update({
        "DATABASE_URL": bench_url, "DJANGO_SETTINGS_MODULE": "portal.settings",
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend", "EMAIL_FILE_PATH": str(mail_dir),
        "PORTAL_VAR_DIR": str(var_dir), "LOG_LEVEL": "WARNING",
    })

    import psycopg2

    admin = psycopg2.connect(base.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("DROP DATABASE IF EXISTS bench_portal")
        cursor.execute("CREATE DATABASE bench_portal")
    admin.close()

    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.test.utils import override_settings

    call_command("migrate", verbosity=0)

    from accounts import services
    from portal.celery import app
    from portal.models import OutboxMessage, Status
    from portal.pdf import render_pdf

    app.control.purge()
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--concurrency=2", "--loglevel=WARNING",
         "-n", "bench@localhost", "--without-mingle", "--without-gossip"],
        cwd=ROOT, env=os.environ.copy(),
    )
    try:
        while not app.control.ping(destination=["bench@localhost"], timeout=0.5):
            time.sleep(0.2)

        def register(n):
            return services.customer_register(
                username=f"bench{n}", password="x", full_name=f"Bench Customer {n}", email=f"bench{n}@example.co.uk",
                address="1 Bench Road\nMaidstone", postcode="ME14 1AA", customer_type="residential",
                correspondence="email", marketing_opt_in=False,
            )

        def wait_all_sent(timeout=300):
            deadline = time.monotonic() + timeout
            while OutboxMessage.objects.exclude(status=Status.SENT).exists():
                if time.monotonic() > deadline:
                    raise SystemExit("emails did not all go out in time")
                time.sleep(0.01)

        def latencies(rows):
            return [(m.sent_at - m.created_at).total_seconds() for m in rows]

        # The password hash is not what is measured here.
        with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            make_password("warm-up")
            for n in range(5):  # warm the worker's processes
                register(f"warm{n}")
            wait_all_sent()
            OutboxMessage.objects.all().delete()

            for n in range(args.count):
                register(n)
                wait_all_sent()
            one_at_a_time = latencies(OutboxMessage.objects.all())
            OutboxMessage.objects.all().delete()

            started = time.monotonic()
            for n in range(args.count, 2 * args.count):
                register(n)
            wait_all_sent()
            burst_seconds = time.monotonic() - started
            burst = latencies(OutboxMessage.objects.all())

        print(f"Outbox: registration saved -> welcome email handed to the mail backend by a real worker "
              f"(Celery on Redis, PostgreSQL, 2 worker processes)")
        summary("  one at a time", one_at_a_time)
        summary(f"  burst of {args.count}", burst)
        print(f"  burst throughput: {args.count / burst_seconds:.0f} registrations+emails/s end to end")

        context = {"subject": "Bench letter", "to_name": "Bench Customer", "address_lines": ["1 Bench Road", "Maidstone", "ME14 1AA"]}
        started = time.monotonic()
        render_pdf("letters/accounts/welcome.html", {**context, "customer": {"username": "bench"}})
        cold = time.monotonic() - started
        warm = []
        for _ in range(20):
            started = time.monotonic()
            render_pdf("letters/accounts/welcome.html", {**context, "customer": {"username": "bench"}})
            warm.append(time.monotonic() - started)
        print(f"PDF: one-page letter rendered in {cold * 1000:.0f} ms cold, median {statistics.median(warm) * 1000:.0f} ms warm (n=20)")
    finally:
        worker.terminate()
        worker.wait(timeout=30)


if __name__ == "__main__":
    main()
