"""Registration saved -> welcome email handed to the mail backend by a real worker; and PDF render time.

One at a time (register, wait until sent) and as a burst (register N as fast as possible). Uses its own
database, bench_portal, on the PostgreSQL of DATABASE_URL, and the Redis of REDIS_URL.

    make bench            # or: python bench/outbox_latency.py --count 200
"""

import argparse
import statistics
import time

from harness import Bench


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=200)
    args = parser.parse_args()

    with Bench("bench_portal") as bench:
        from accounts import services
        from portal.pdf import render_pdf

        def register(n):
            return services.customer_register(
                username=f"bench{n}",
                password="x",
                full_name=f"Bench Customer {n}",
                email=f"bench{n}@example.co.uk",
                address="1 Bench Road\nMaidstone",
                postcode="ME14 1AA",
                customer_type="residential",
                correspondence="email",
                marketing_opt_in=False,
            )

        bench.measure(
            register,
            kind="welcome",
            count=args.count,
            unit="registrations+emails",
            what="Outbox: registration saved -> welcome email handed to the mail backend by a real worker",
        )

        context = {
            "subject": "Bench letter",
            "to_name": "Bench Customer",
            "address_lines": ["1 Bench Road", "Maidstone", "ME14 1AA"],
            "customer": {"username": "bench"},
        }
        started = time.monotonic()
        render_pdf("letters/accounts/welcome.html", context)
        cold = time.monotonic() - started
        warm = []
        for _ in range(20):
            started = time.monotonic()
            render_pdf("letters/accounts/welcome.html", context)
            warm.append(time.monotonic() - started)
        print(
            f"PDF: one-page letter rendered in {cold * 1000:.0f} ms cold, "
            f"median {statistics.median(warm) * 1000:.0f} ms warm (n=20)"
        )


if __name__ == "__main__":
    main()
