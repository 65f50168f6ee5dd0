"""Bank statement import: a 5,000-line file against 20,000 open invoices on PostgreSQL.

The accounts team's month-end file: most payers quote their invoice number (exactly or mangled: "inv 123",
"INV123", leading zeros dropped) and are paid automatically; some quote none or two, or pay more than is
due, and go to review with suggestions (by amount, name and date, over every open invoice); the rest are
money going out, ignored. Times the parse alone, then the whole import (one transaction: lines, payments,
allocations, timelines), and counts its SQL queries. Uses its own database, bench_statements, on the
PostgreSQL of DATABASE_URL.

    python bench/statement_import.py [--lines 5000] [--invoices 20000]
"""

import argparse
import cProfile
import pstats
import random
import time
from datetime import date, timedelta
from decimal import Decimal

from harness import Bench

FIRST = ["Alice", "Bob", "Carol", "David", "Emma", "Frank", "Grace", "Harry", "Isla", "Jack", "Kate", "Liam"]
# 180 surnames: each shared by about 110 of 20,000 customers, as common surnames are.
STEMS = [
    "Ash",
    "Bar",
    "Cole",
    "Dun",
    "Fair",
    "Gold",
    "Hart",
    "Kings",
    "Lang",
    "Mor",
    "Pen",
    "Rad",
    "Stan",
    "Thorn",
    "Wood",
]
ENDS = ["ley", "ton", "field", "worth", "ford", "by", "wick", "ham", "well", "more", "den", "ridge"]
LAST = [stem + end for stem in STEMS for end in ENDS]
HEADER = (
    "Transaction Date,Transaction Type,Sort Code,Account Number,Transaction Description,Debit Amount,Credit Amount,"
    "Balance"
)


def make_invoices(count):
    from accounts.models import User
    from billing.models import Invoice, InvoiceStatus

    rng = random.Random(7)
    customers = User.objects.bulk_create(
        (
            User(
                username=f"cust{n}",
                full_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                email=f"cust{n}@example.co.uk",
                address="1 Bench Road\nMaidstone",
                postcode="ME14 1AA",
            )
            for n in range(count)
        ),
        batch_size=5000,
    )
    issued = date(2026, 11, 1)
    invoices = Invoice.objects.bulk_create(
        (
            Invoice(
                customer=customer,
                number=f"INV-{n + 1:06d}",
                status=InvoiceStatus.OPEN,
                issue_date=issued,
                tax_point=issued,
                due_date=issued + timedelta(days=14),
                customer_name=customer.full_name,
                account_username=customer.username,
                net=Decimal("10.00"),
                vat=Decimal("2.00"),
                total=(amount := Decimal(1200 + (n * 37) % 9000) / 100),
                outstanding=amount,
            )
            for n, customer in enumerate(customers)
        ),
        batch_size=5000,
    )
    return invoices


def make_file(invoices, lines):
    """A Lloyds export: 70% quoting one invoice for its amount (half of them mangled), 10% quoting none,
    5% quoting two, 5% paying more than is due, 10% money out."""
    rng = random.Random(11)
    chosen = rng.sample(invoices, lines)
    rows, balance = [HEADER], Decimal("10000.00")
    for n, invoice in enumerate(chosen):
        when = (date(2026, 11, 16) + timedelta(days=n % 10)).strftime("%d/%m/%Y")
        number = int(invoice.number[4:])
        kind = n % 20
        payer = invoice.customer_name.upper()
        if kind < 7:
            text, paid_in, paid_out = f"{payer} {invoice.number}", invoice.total, None
        elif kind < 14:
            text, paid_in, paid_out = f"{payer} inv {number} thanks", invoice.total, None
        elif kind < 16:
            text, paid_in, paid_out = f"{payer} NOVEMBER", invoice.total, None
        elif kind == 16:
            text, paid_in, paid_out = f"{payer} INV{number} INV{number + 1}", invoice.total * 2, None
        elif kind == 17:
            text, paid_in, paid_out = f"{payer} INV-{number:06d}", invoice.total + 10, None
        else:
            text, paid_in, paid_out = f"SUPPLIER {n} DD", None, Decimal("19.99")
        balance += (paid_in or 0) - (paid_out or 0)
        rows.append(f"{when},FPI,'30-94-57,12345678,{text},{paid_out or ''},{paid_in or ''},{balance}")
    return ("\n".join(rows) + "\n").encode()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=5000)
    parser.add_argument("--invoices", type=int, default=20000)
    parser.add_argument("--profile", action="store_true", help="print where the import's time goes")
    args = parser.parse_args()

    with Bench("bench_statements", concurrency=1):
        from django.db import connection

        from billing.services.statements import statement_import
        from billing.statements import parse_statement

        started = time.monotonic()
        invoices = make_invoices(args.invoices)
        data = make_file(invoices, args.lines)
        with connection.cursor() as cursor:  # the statistics autovacuum keeps in a running portal
            cursor.execute("ANALYZE")
        print(f"set-up: {args.invoices} customers with an open invoice each, in {time.monotonic() - started:.1f} s")

        started = time.monotonic()
        parsed = parse_statement(data)
        parse_seconds = time.monotonic() - started

        queries = []

        def count(execute, sql, params, many, context):
            queries.append(sql[:30])
            return execute(sql, params, many, context)

        profiler = cProfile.Profile() if args.profile else None
        with connection.execute_wrapper(count):
            started = time.monotonic()
            if profiler:
                profiler.enable()
            statement = statement_import(file_bytes=data, filename="bench.csv", by=None)
            seconds = time.monotonic() - started
            if profiler:
                profiler.disable()
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        print(
            f"Statement import, {len(parsed.lines)} lines (Lloyds CSV, {len(data) // 1024} KB) against "
            f"{args.invoices} open invoices on PostgreSQL:"
        )
        print(f"  parse alone: {parse_seconds:.2f} s ({len(parsed.lines) / parse_seconds:,.0f} lines/s)")
        print(
            f"  whole import: {seconds:.1f} s, {statement.lines_total / seconds:,.0f} lines/s; "
            f"{statement.lines_matched} paid automatically, {statement.lines_for_review} for review, "
            f"{statement.lines_ignored} ignored"
        )
        print(
            f"  SQL queries: {len(queries)} ({len(queries) / max(statement.lines_matched, 1):.1f} per payment; "
            f"the rest a fixed few for the whole file)"
        )

        queries.clear()
        with connection.execute_wrapper(count):
            started = time.monotonic()
            try:
                statement_import(file_bytes=data, filename="again.csv", by=None)
            except Exception as refused:  # the same file again: refused at once
                print(
                    f"  the same file again: refused in {time.monotonic() - started:.3f} s, {len(queries)} query: "
                    f"{refused}"
                )


if __name__ == "__main__":
    main()
