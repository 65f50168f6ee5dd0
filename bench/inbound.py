"""The company's mailbox: how fast the poller takes what is waiting, and how long an email waits to be on
its case when the poller runs on its normal schedule.

1. Throughput: 1,000 emails waiting in Dovecot (half new emails from customers, a quarter replies to
   complaint acknowledgements, a quarter from unknown addresses); one pass of fetch_mail fetches, stores,
   moves and sorts them all: emails per second.
2. Latency: a real Celery beat and worker (on Redis and PostgreSQL) run the mail job every minute as in
   production; replies to acknowledgements land in the mailbox at random moments over BENCH_INBOUND_MINUTES
   (default 4); the time from an email landing to it being on its complaint's timeline, p50 and p95.

    .venv/bin/python bench/inbound.py     (needs Debian's dovecot-imapd; own database bench_inbound)
"""

import os
import random
import subprocess
import sys
import threading
import time

from harness import ROOT, Bench, summary

sys.path.insert(0, str(ROOT))

from tests.inbound.dovecot import Dovecot

WAITING = int(os.environ.get("BENCH_INBOUND_WAITING", "1000"))
MINUTES = float(os.environ.get("BENCH_INBOUND_MINUTES", "4"))


def main():
    dovecot = Dovecot().start()
    os.environ["INBOUND_IMAP_URL"] = dovecot.url  # for the beat and worker processes
    try:
        with Bench("bench_inbound") as bench:
            from django.conf import settings

            settings.INBOUND_IMAP_URL = dovecot.url
            settings.INBOUND_FETCH_LIMIT = WAITING
            throughput(dovecot)
            if MINUTES > 0:  # BENCH_INBOUND_MINUTES=0: the throughput only
                latency(bench, dovecot)
    finally:
        dovecot.stop()


def _customers(count, prefix):
    from tests.factories import CustomerFactory

    return [CustomerFactory(email=f"{prefix}{n}@bench.example") for n in range(count)]


def _complaints(customers):
    from datetime import timedelta

    from complaints import services
    from portal import clock

    return [
        services.complaint_open(
            customer=c,
            category="service",
            what_happened="The line drops every evening.",
            received_at=clock.now() - timedelta(hours=1),
        )
        for c in customers
    ]


def throughput(dovecot):
    from portal.inbound.poller import fetch_mail
    from portal.models import InboundMessage
    from tests.inbound.helpers import email

    customers = _customers(100, "customer")
    complaints = _complaints(customers[:50])
    client = dovecot.client(folder=None)
    for n in range(WAITING):
        if n % 4 == 0:
            complaint = complaints[n % len(complaints)]
            raw = email(
                sender=complaint.customer.email,
                subject=f"Re: {complaint.ack_message.subject}",
                body=f"Any news? ({n})",
                in_reply_to=complaint.ack_message.message_id,
            )
        elif n % 4 == 1:
            raw = email(sender=f"stranger{n}@elsewhere.example", subject="Prices", body=f"What do you charge? {n}")
        else:
            raw = email(sender=customers[n % 100].email, subject="My line", body=f"My line is down ({n}).")
        client.append("INBOX", raw)
    client.logout()

    started = time.monotonic()
    counts = fetch_mail()
    seconds = time.monotonic() - started
    assert counts["stored"] == WAITING and InboundMessage.objects.count() == WAITING, counts
    print(f"Mailbox throughput (Dovecot on loopback, PostgreSQL; {WAITING} emails waiting, one pass of fetch_mail)")
    print(
        f"  {WAITING} fetched, stored, moved and sorted in {seconds:.1f} s: {WAITING / seconds:.0f} emails/s "
        f"({', '.join(f'{k} {v}' for k, v in sorted(counts.items()) if v and k in ('joined', 'triage'))})"
    )


def latency(bench, dovecot):
    from portal.models import InboundMessage, InboundStatus

    [complaint] = _complaints(_customers(1, "waiting"))
    env = os.environ.copy()
    beat = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "beat",
            "--loglevel=WARNING",
            "-s",
            env["PORTAL_VAR_DIR"] + "/beat",
        ],
        cwd=ROOT,
        env=env,
    )
    landed, seen = {}, {}
    stop = threading.Event()

    def watch():
        import django.db

        while not stop.is_set():
            for mid, status in InboundMessage.objects.filter(message_id__in=list(landed)).values_list(
                "message_id", "status"
            ):
                if status == InboundStatus.JOINED and mid not in seen:
                    seen[mid] = time.monotonic()
            time.sleep(0.1)
        django.db.connection.close()

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        from email.utils import make_msgid

        from tests.inbound.helpers import email

        rng = random.Random(121)
        deadline = time.monotonic() + MINUTES * 60
        n = 0
        while time.monotonic() < deadline:
            time.sleep(rng.uniform(2, 12))
            mid = make_msgid(domain="bench.example")
            raw = email(
                sender=complaint.customer.email,
                subject=f"Re: {complaint.ack_message.subject}",
                body=f"Reply {n}",
                message_id=mid,
                in_reply_to=complaint.ack_message.message_id,
            )
            landed[mid] = time.monotonic()
            dovecot.append(raw)
            n += 1
        wait_until = time.monotonic() + 90  # one more run of the job for the last ones
        while len(seen) < len(landed) and time.monotonic() < wait_until:
            time.sleep(0.5)
    finally:
        stop.set()
        watcher.join()
        beat.terminate()
        beat.wait(timeout=30)
    waits = [seen[m] - landed[m] for m in landed if m in seen]
    print(
        f"Landing in the mailbox -> on its complaint's timeline (beat every 60 s, {bench.concurrency} worker processes)"
    )
    summary(f"  {len(landed)} replies over {MINUTES:g} minutes", waits)
    if len(waits) < len(landed):
        print(f"  {len(landed) - len(waits)} not sorted within 90 s of the last landing")


if __name__ == "__main__":
    main()
