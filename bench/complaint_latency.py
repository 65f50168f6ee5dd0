"""Complaint submitted -> acknowledgement email handed to the mail backend by a real worker.

The Code allows 24 working hours; this measures what customers really wait. One at a time (submit,
wait until sent) and as a burst. Own database (bench_complaints), the Redis of REDIS_URL.

    python bench/complaint_latency.py --count 200
"""

import argparse

from harness import Bench


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=200)
    args = parser.parse_args()

    with Bench("bench_complaints") as bench:
        from accounts.models import User
        from complaints import services

        customers = [
            User.objects.create(
                username=f"c{n}",
                full_name=f"Customer {n}",
                email=f"c{n}@example.co.uk",
                address="1 Bench Road\nMaidstone",
                postcode="ME14 1AA",
            )
            for n in range(20)
        ]

        def complain(n):
            return services.complaint_open(
                customer=customers[n % len(customers)],
                category="billing",
                what_happened=f"Bench complaint number {n}: charged twice.",
            )

        bench.measure(
            complain,
            kind="complaint_ack",
            count=args.count,
            unit="complaints acknowledged",
            what="Complaints: complaint saved -> acknowledgement email handed to the mail backend by a real worker",
        )


if __name__ == "__main__":
    main()
