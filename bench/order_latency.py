"""Order placed -> confirmation email handed to the mail backend by a real worker.

Code (Order processing): "We will aim to confirm all new orders by email within 4 hours during normal
office hours". The order and its confirmation message are saved in one transaction; a Celery worker on
Redis sends it. Latency is the message's sent_at - created_at (created in the order's transaction).
One at a time (place, wait until sent) and as a burst (place N as fast as possible). Uses its own
database, bench_orders, on the PostgreSQL of DATABASE_URL, and the Redis of REDIS_URL.

    python bench/order_latency.py --count 200
"""

import argparse

from harness import Bench

KIND = "order_received"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=200)
    args = parser.parse_args()

    with Bench("bench_orders") as bench:
        from django.db.models import F

        from accounts.models import User
        from orders import services
        from orders.models import Order, Product

        fttc = Product.objects.get(code="fttc")
        customers = User.objects.bulk_create(
            User(
                username=f"bench{n}",
                full_name=f"Bench Customer {n}",
                email=f"bench{n}@example.co.uk",
                address="1 Bench Road\nMaidstone",
                postcode="ME14 1AA",
            )
            for n in range(20)
        )

        def place(n):
            customer = customers[n % len(customers)]
            return services.order_place(
                customer=customer,
                product=fttc,
                address=customer.address,
                postcode=customer.postcode,
                contact_name=customer.full_name,
                contact_phone="01622 000000",
            )

        bench.measure(
            place,
            kind=KIND,
            count=args.count,
            unit="orders confirmed",
            what="Orders: order placed -> confirmation email handed to the mail backend by a real worker",
        )
        late = Order.objects.filter(confirmation_message__sent_at__gt=F("confirmation_due_at")).count()
        print(
            f"  confirmations later than their due time (4 office hours): {late} of "
            f"{Order.objects.filter(confirmation_message__sent_at__isnull=False).count()}"
        )


if __name__ == "__main__":
    main()
