"""Complaint submitted -> acknowledgement email handed to the mail backend by a real worker.

The Code allows 24 working hours; this measures what customers really wait. One at a time (submit,
wait until sent) and as a burst. Own database (bench_complaints), the Redis of REDIS_URL.

    python bench/complaint_latency.py --count 200
"""

import argparse
import time

from harness import Bench, summary


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=200)
    args = parser.parse_args()

    with Bench("bench_complaints") as bench:
        from accounts.models import User
        from complaints import services

        customers = [User.objects.create(username=f"c{n}", full_name=f"Customer {n}", email=f"c{n}@example.co.uk",
                                         address="1 Bench Road\nMaidstone", postcode="ME14 1AA")
                     for n in range(20)]

        def complain(n):
            return services.complaint_open(customer=customers[n % len(customers)], category="billing",
                                           what_happened=f"Bench complaint number {n}: charged twice.")

        for n in range(5):
            complain(n)
        bench.wait_all_sent()
        bench.clear_outbox()

        for n in range(args.count):
            complain(n)
            bench.wait_all_sent()
        one_at_a_time = bench.latencies(kind="complaint_ack")
        bench.clear_outbox()

        started = time.monotonic()
        for n in range(args.count):
            complain(n)
        bench.wait_all_sent()
        burst_seconds = time.monotonic() - started
        burst = bench.latencies(kind="complaint_ack")

        print("Complaints: complaint saved -> acknowledgement email handed to the mail backend by a real worker "
              "(Celery on Redis, PostgreSQL, 2 worker processes)")
        summary("  one at a time", one_at_a_time)
        summary(f"  burst of {args.count}", burst)
        print(f"  burst throughput: {args.count / burst_seconds:.0f} complaints acknowledged/s end to end")


if __name__ == "__main__":
    main()
