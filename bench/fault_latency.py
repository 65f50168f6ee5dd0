"""Fault reported -> acknowledgement email handed to the mail backend by a real worker.

The Code promises faults can be reported "around the clock"; the portal acknowledges each at once.
This measures what customers really wait for that email. One at a time (report, wait until sent) and
as a burst. Own database (bench_faults), the Redis of REDIS_URL.

    python bench/fault_latency.py --count 200
"""

import argparse

from harness import Bench


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=200)
    args = parser.parse_args()

    with Bench("bench_faults") as bench:
        from datetime import date

        from accounts.models import User
        from faults import services
        from faults.checks import checks_for
        from orders.models import Product, Service

        products = [Product.objects.get(code=code) for code in ("fttc", "pstn", "shared-hosting")]
        services_held = []
        for n in range(20):
            customer = User.objects.create(
                username=f"c{n}",
                full_name=f"Customer {n}",
                email=f"c{n}@example.co.uk",
                address="1 Bench Road\nMaidstone",
                postcode="ME14 1AA",
            )
            product = products[n % len(products)]
            services_held.append(
                Service.objects.create(
                    customer=customer,
                    product=product,
                    address=customer.address,
                    postcode=customer.postcode,
                    start_date=date(2026, 1, 5),
                    minimum_term_end=date(2026, 1, 5),
                    monthly_price=product.monthly_price,
                )
            )

        def report(n):
            service = services_held[n % len(services_held)]
            answers = ["No" if c.kind == "yes_no" else "www.example.co.uk" for c in checks_for(service)]
            return services.fault_report(
                customer=service.customer,
                service=service,
                answers=answers,
                description=f"Bench fault number {n}: no service since this morning.",
            )

        bench.measure(
            report,
            kind="fault_ack",
            count=args.count,
            unit="faults acknowledged",
            what="Faults: fault reported (with its checks) -> acknowledgement email handed to the mail "
            "backend by a real worker",
        )


if __name__ == "__main__":
    main()
