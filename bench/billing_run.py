"""A month-end billing run on PostgreSQL with a real Celery worker (2 processes on Redis), end to end.

For N accounts (10,000 by default), each holding one service: the run is started as the periodic job starts
it, and the clock runs until every invoice is created, numbered, rendered to PDF, stored, and its email
queued in the outbox (and, separately, until every email is handed to the mail backend). It prints invoices
per second, the resident memory (RSS) of each worker process as the run passes 1k, 5k and 10k invoices and
at its peak, and, in the same script, a bare WeasyPrint loop rendering the same invoice template with a
fresh parse each time (new FontConfiguration and stylesheets per render): the run must be at least as fast
per invoice as that loop, and its memory must not grow with the number of invoices.

    .venv/bin/python bench/billing_run.py [--accounts 10000] [--bare 100]

Uses its own database, bench_billing, on the PostgreSQL of DATABASE_URL, and the Redis of REDIS_URL.
"""

import argparse
import os
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

from harness import Bench

PERIOD = date(2027, 1, 1)


def rss_mb(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


def worker_processes(parent):
    """The pool processes of the worker (the children of its main process)."""
    try:
        children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
    except FileNotFoundError:
        return []
    return [int(pid) for pid in children]


def make_accounts(count):
    from django.contrib.auth import get_user_model

    from orders.models import Product, Service

    User = get_user_model()
    product = Product.objects.get(code="fttc")
    users = User.objects.bulk_create(
        [
            User(
                username=f"bench{n:05d}",
                full_name=f"Bench Customer {n}",
                email=f"bench{n:05d}@example.co.uk",
                address="1 Bench Road\nMaidstone\nKent",
                postcode="ME14 1AA",
                password="!",  # unusable: nobody logs in
            )
            for n in range(count)
        ],
        batch_size=2000,
    )
    Service.objects.bulk_create(
        [
            Service(
                customer=user,
                product=product,
                address=user.address,
                postcode=user.postcode,
                start_date=date(2026, 6, 1),
                minimum_term_end=date(2027, 6, 1),
                monthly_price=Decimal("25.00"),
            )
            for user in users
        ],
        batch_size=2000,
    )


def bare_loop(invoice, renders):
    """WeasyPrint with a fresh parse each time: new fonts and stylesheets, the same invoice template."""
    from django.contrib.staticfiles import finders
    from django.template.loader import render_to_string
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from billing.documents import STYLESHEETS, invoice_context
    from portal.pdf import BASE_URL, StaticOnlyFetcher

    started = time.monotonic()
    for _ in range(renders):
        fonts = FontConfiguration()
        sheets = [CSS(filename=finders.find(name), font_config=fonts) for name in STYLESHEETS]
        html = render_to_string("billing/invoice_pdf.html", invoice_context(invoice))
        HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher()).write_pdf(
            stylesheets=sheets, font_config=fonts
        )
    return (time.monotonic() - started) / renders


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--bare", type=int, default=100, help="renders in the bare WeasyPrint loop")
    args = parser.parse_args()

    with Bench("bench_billing", concurrency=2) as bench:
        from billing.models import BillingRun, Invoice
        from billing.services import runs
        from portal.models import OutboxMessage, Status

        make_accounts(args.accounts)
        print(
            f"{args.accounts} accounts, one FTTC service each; worker: 2 processes, "
            f"max {os.environ.get('CELERY_MAX_TASKS_PER_CHILD', '200')} tasks per process"
        )
        started = time.monotonic()
        run = runs.run_create(period=PERIOD)
        marks = [m for m in (1_000, 5_000, 10_000) if m <= args.accounts] or [args.accounts]
        if args.accounts not in marks:
            marks.append(args.accounts)
        rss_at, peak = {}, {}
        queued_at = None
        while True:
            for pid in worker_processes(bench.worker.pid):
                value = rss_mb(pid)
                if value is not None:
                    peak[pid] = max(peak.get(pid, 0), value)
            ready = OutboxMessage.objects.filter(kind="invoice_issued").count()
            for mark in marks:
                if mark not in rss_at and ready >= mark:
                    children = worker_processes(bench.worker.pid)
                    rss_at[mark] = (time.monotonic() - started, [rss_mb(pid) for pid in children])
            if ready >= args.accounts:
                queued_at = time.monotonic() - started
                break
            if BillingRun.objects.filter(pk=run.pk, failures__gt=0).exists():
                raise SystemExit("accounts failed: " + str(list(run.failure_rows.values_list("error", flat=True)[:3])))
            time.sleep(0.5)
        bench.wait_all_sent(timeout=3600)
        sent_at = time.monotonic() - started
        run.refresh_from_db()
        numbers = sorted(int(n.split("-")[1]) for n in Invoice.objects.values_list("number", flat=True))
        assert numbers == list(range(1, args.accounts + 1)), "numbers are not 1..N without a gap"
        assert run.invoices_issued == args.accounts and run.accounts_done == args.accounts
        assert OutboxMessage.objects.filter(kind="invoice_issued", status=Status.SENT).count() == args.accounts

        sample = Invoice.objects.order_by("pk").first()
        bare = bare_loop(sample, args.bare)
        per_invoice = queued_at / args.accounts
        print(f"Billing run of {args.accounts} invoices (created, numbered, rendered, stored, email queued):")
        print(
            f"  {queued_at:.1f} s, {args.accounts / queued_at:.1f} invoices/s, {per_invoice * 1000:.1f} ms per invoice"
        )
        print(f"  every email handed to the mail backend after {sent_at:.1f} s ({args.accounts / sent_at:.1f}/s)")
        for mark, (at, values) in sorted(rss_at.items()):
            shown = ", ".join(f"{v:.0f} MB" for v in values if v is not None)
            print(f"  RSS of the worker processes at {mark} invoices ({at:.0f} s): {shown}")
        print(f"  peak RSS of any worker process: {max(peak.values()):.0f} MB ({len(peak)} processes over the run)")
        print(
            f"Bare WeasyPrint loop, fresh parse each time, one process: {bare * 1000:.1f} ms per invoice "
            f"({1 / bare:.1f}/s)"
        )
        verdict = "at least as fast as" if per_invoice <= bare else "SLOWER than"
        print(f"  the run is {verdict} the bare loop per invoice ({per_invoice * 1000:.1f} vs {bare * 1000:.1f} ms)")


if __name__ == "__main__":
    main()
