"""A realistic dataset for the scale benchmarks, loaded by COPY into its own PostgreSQL database.

    .venv/bin/python bench/dataset.py [--database bench_scale] [--seed 121] [--keep-indexes]

The database is dropped and made again on every run (the same seed gives the same rows, dated from the hour it runs), migrated, then
filled (the indexes that back no constraint dropped first and made again after the load: one sort each
instead of an update per row): 100,000 customers (each with a marketing choice), 150,000 services, 200,000 orders, 300,000
complaints, 200,000 faults (each with the first event of its timeline), about 1,000,000 outbox messages
(the emails and letters those cases sent, a handful failed, unknown or waiting to be printed) and
1,000,000 invoices with their lines (INV-000001 on; mostly paid, some due, some overdue; each with its
stored PDF's name; each paid one with its payment, set against it in full) and the reminder ladder's history on the overdue ones (reminders, final notices naming
their date, one suspension per account past that date; the suspended accounts' services are left active,
which no job reads). A few rows are what the periodic jobs look for: orders whose confirmation has not
gone, complaints not yet acknowledged, faults near their repair target, cancellations due today, two
invoices whose PDF was not made, three overdue invoices whose step of the ladder is due.

Two logins are made for the page benchmark (bench/pages.py): the customer `bench-customer` (customer 1,
who has rows of every kind) and the administrator `bench-admin`; `bench-sam` is in Customer services.
"""

import argparse
import io
import os
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZES = {
    "customers": 100_000,
    "services": 150_000,
    "orders": 200_000,
    "complaints": 300_000,
    "faults": 200_000,
    "invoices_per_customer": 10,  # 1,000,000 invoices
}
BENCH_CUSTOMER = 1  # the logged-in customer of the page benchmark: rows of every kind below
# "Now" for the rows: the hour the dataset is made, since the jobs measured against it use the real clock. Dated
# from a fixed day instead, every day since would add a day's backlog to what the jobs find due (645 resolved
# complaints to close two days later, against the 13 or so an hourly run finds).
NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)

FIRST = [
    "James",
    "Oliver",
    "Harry",
    "Jack",
    "George",
    "Noah",
    "Charlie",
    "Jacob",
    "Alfie",
    "Freddie",
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Emily",
    "Sophia",
    "Grace",
    "Mia",
    "Poppy",
    "Ella",
    "Margaret",
    "Susan",
    "David",
    "Peter",
    "Helen",
]
LAST = [
    "Smith",
    "Jones",
    "Williams",
    "Taylor",
    "Brown",
    "Davies",
    "Evans",
    "Wilson",
    "Thomas",
    "Johnson",
    "Roberts",
    "Robinson",
    "Thompson",
    "Wright",
    "Walker",
    "White",
    "Edwards",
    "Hughes",
    "Green",
    "Hall",
    "Lewis",
    "Harris",
    "Clarke",
    "Patel",
    "Jackson",
    "Wood",
    "Turner",
    "Martin",
    "Cooper",
    "Hill",
    "Ward",
    "Morris",
    "Moore",
    "Clark",
    "Lee",
    "King",
    "Baker",
    "Harrison",
    "Morgan",
    "Allen",
]
TOWNS = [
    "Leeds",
    "Bradford",
    "Wakefield",
    "Halifax",
    "Huddersfield",
    "York",
    "Harrogate",
    "Sheffield",
    "Doncaster",
    "Barnsley",
]
AREAS = ["LS", "BD", "WF", "HX", "HD", "YO", "HG", "S", "DN"]
WORDS = [
    "line",
    "broadband",
    "slow",
    "dropped",
    "engineer",
    "invoice",
    "charge",
    "router",
    "noise",
    "speed",
    "outage",
    "call",
    "bill",
    "wrong",
    "late",
    "waited",
    "again",
]


def tsv(value):
    """One value in COPY's text format."""
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime):
        return value.isoformat()
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", " ").replace("\n", "\\n").replace("\r", "")


class Table:
    """COPY for one model: the columns given per row, and every other column a constant that fits its field
    (NULL where allowed, else the field's default or an empty value), so a field added later needs no change
    here unless it has a constraint."""

    def __init__(self, model, columns):
        from django.db import models

        self.model = model
        self.columns = columns
        by_name = {f.attname: f for f in model._meta.concrete_fields}
        missing = [n for n in columns if n not in by_name]
        if missing:
            raise SystemExit(f"{model.__name__} has no {missing}")
        self.constants = {}
        for attname, field in by_name.items():
            if attname in columns or isinstance(field, models.AutoField):
                continue  # an id not given comes from its sequence
            if field.null:
                value = None
            elif field.has_default() and not callable(field.default):
                value = field.default
            elif isinstance(field, models.BooleanField):
                value = False
            elif isinstance(field, (models.IntegerField, models.DecimalField, models.FloatField)):
                value = 0
            elif isinstance(field, models.DateTimeField):
                value = NOW
            elif isinstance(field, models.DateField):
                value = NOW.date()
            elif isinstance(field, models.JSONField):
                value = "{}" if field.default is dict else "[]"
            else:
                value = ""
            self.constants[field.column] = tsv(value)
        self.all_columns = [by_name[n].column for n in columns] + list(self.constants)
        self.tail = "\t".join(self.constants.values())

    def load(self, cursor, rows, chunk=200_000):
        columns = ", ".join(f'"{c}"' for c in self.all_columns)
        sql = f'COPY "{self.model._meta.db_table}" ({columns}) FROM STDIN'
        buffer, count = io.StringIO(), 0
        for row in rows:
            line = "\t".join(tsv(v) for v in row)
            buffer.write(f"{line}\t{self.tail}\n" if self.tail else f"{line}\n")
            count += 1
            if count % chunk == 0:
                self._copy(cursor, sql, buffer)
                buffer = io.StringIO()
        self._copy(cursor, sql, buffer)
        return count

    @staticmethod
    def _copy(cursor, sql, buffer):
        global COPY_SECONDS
        started = time.monotonic()
        buffer.seek(0)
        cursor.copy_expert(sql, buffer)
        COPY_SECONDS += time.monotonic() - started


COPY_SECONDS = 0.0  # of the load, the time in COPY itself (the rest is making the rows in Python)


def drop_secondary_indexes():
    """Drop every index that backs no constraint, returning the statements that make them again: COPY into a
    table with its indexes (trigram GIN ones above all) updates each for every row; built once after the
    load, each is one sort. Primary keys and unique constraints stay, so the load is still checked."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            JOIN pg_class c ON c.relname = i.indexname AND c.relkind = 'i'
            WHERE i.schemaname = 'public'
              AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = c.oid)
            """
        )
        found = cursor.fetchall()
        for name, _definition in found:
            cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _name, definition in found]


def create_indexes(definitions):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '256MB'")
        for definition in definitions:
            cursor.execute(definition)


def recreate_database(name):
    import psycopg2

    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal")
    server = base.rsplit("/", 1)[0]
    admin = psycopg2.connect(f"{server}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    os.environ["DATABASE_URL"] = f"{server}/{name}"


def ensure_billing_tables():
    """Billing's tables, made from its models when its migrations do not make them yet."""
    from django.db import connection

    from billing import models as billing

    existing = set(connection.introspection.table_names())
    with connection.schema_editor() as editor:
        for model in (billing.BillingRun, billing.Invoice, billing.AccountCharge, billing.InvoiceLine):
            if model._meta.db_table not in existing:
                editor.create_model(model)


def rng_name(rng):
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def postcode(rng):
    return f"{rng.choice(AREAS)}{rng.randint(1, 29)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"


def sentence(rng, n=12):
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def generate(seed):
    from django.contrib.auth.hashers import make_password
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from accounts.models import MarketingConsent, User
    from billing.models import Allocation, Invoice, InvoiceEvent, InvoiceLine, Payment, Suspension
    from complaints.models import Complaint, ComplaintEvent
    from faults.models import Fault, FaultEvent
    from orders.models import Cancellation, Order, OrderEvent, Product, Service
    from portal.models import OutboxMessage

    rng = random.Random(seed)
    products = list(Product.objects.filter(price_on_request=False).values_list("pk", "monthly_price", "setup_fee"))
    ct = {m: ContentType.objects.get_for_model(m).pk for m in (Order, Complaint, Fault, User, Invoice)}
    started = time.monotonic()
    counts = {}
    n_cust = SIZES["customers"]
    cursor = connection.cursor().cursor  # psycopg2's own cursor, for copy_expert

    # Customers (ids 1..n; staff come after them).
    customers = {}
    password = make_password("bench-pass-121")

    def customer_rows():
        for i in range(1, n_cust + 1):
            name = rng_name(rng)
            by_post = rng.random() < 0.1
            email = "" if by_post else f"{name.lower().replace(' ', '.')}{i}@example.net"
            pc = postcode(rng)
            business = rng.random() < 0.15
            customers[i] = (name, email, pc)
            yield (
                i,
                password if i == BENCH_CUSTOMER else "!",
                f"cust{i:06d}" if i != BENCH_CUSTOMER else "bench-customer",
                email,
                False,
                True,
                NOW - timedelta(days=rng.randint(30, 3000)),
                name,
                f"{name.split()[1]} Ltd" if business else "",
                f"{rng.randint(1, 200)} High Street\n{rng.choice(TOWNS)}",
                pc,
                f"0113 {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
                "business" if business else "residential",
                "post" if by_post else "email",
                False,
            )

    users = Table(
        User,
        [
            "id",
            "password",
            "username",
            "email",
            "is_staff",
            "is_active",
            "date_joined",
            "full_name",
            "company_name",
            "address",
            "postcode",
            "phone",
            "customer_type",
            "correspondence",
            "is_superuser",
        ],
    )
    counts["customers"] = users.load(cursor, customer_rows())
    consents = Table(MarketingConsent, ["customer_id", "opted_in", "channel", "at"])
    counts["marketing consents"] = consents.load(
        cursor,
        (
            (i, rng.random() < 0.3, "registration", NOW - timedelta(days=rng.randint(1, 3000)))
            for i in range(1, n_cust + 1)
        ),
    )

    def owner(i, per_bench):
        """Customer of row i: the bench customer owns the first `per_bench` rows of each table."""
        return BENCH_CUSTOMER if i <= per_bench else rng.randint(2, n_cust)

    # Outbox messages are numbered as they are made; each case's message points back to it.
    outbox = []  # rows, written last

    def message(*, kind, customer, concerning_type, concerning_id, created, status="sent", channel="email"):
        name, email, pc = customers[customer]
        if not email:
            channel = "letter"
        if channel == "letter" and status == "sent":
            status = "posted"
        sent = created + timedelta(seconds=rng.randint(1, 30)) if status in ("sent", "posted") else None
        outbox.append(
            (
                len(outbox) + 1,
                channel,
                kind,
                status,
                customer,
                name,
                email if channel == "email" else "",
                f"{name}\n1 High Street\n{pc}" if channel == "letter" else "",
                f"About your account ({kind.replace('_', ' ')})",
                f"<bench-{len(outbox) + 1}@121com.co.uk>",
                f"Dear {name},\nThank you.",
                concerning_type,
                concerning_id,
                created + timedelta(hours=4),
                created,
                created,
                1 if sent else 0,
                sent,
                "failed to connect" if status == "failed" else "",
            )
        )
        return len(outbox)

    # Services (150,000): ids 1..n, the first 150,000 orders became them.
    services_of = {}
    service_rows = []
    n_serv = SIZES["services"]
    for i in range(1, n_serv + 1):
        customer = owner(i, 3)
        product_id, monthly, _setup = rng.choice(products)
        start = (NOW - timedelta(days=rng.randint(30, 2500))).date()
        roll = rng.random()
        status = "active" if roll < 0.85 else "suspended" if roll < 0.87 else "cancelling" if roll < 0.88 else "ceased"
        services_of.setdefault(customer, []).append(i)
        service_rows.append(
            (
                i,
                customer,
                product_id,
                i,
                f"{rng.randint(1, 200)} High Street\n{rng.choice(TOWNS)}",
                customers[customer][2],
                start,
                start + timedelta(days=365),
                monthly,
                status,
                start + timedelta(days=400) if status == "ceased" else None,
                datetime.combine(start, datetime.min.time(), UTC),
            )
        )

    # Orders (200,000): completed for the services, the rest cancelled, rejected or in hand.
    order_rows, order_events = [], []
    n_ord = SIZES["orders"]
    for i in range(1, n_ord + 1):
        if i <= n_serv:
            s = service_rows[i - 1]
            customer, product_id, received = s[1], s[2], s[11] - timedelta(days=10)
            status = "completed"
        else:
            customer = owner(i - n_serv, 2)
            product_id = rng.choice(products)[0]
            received = NOW - timedelta(days=rng.randint(1, 2500), minutes=rng.randint(0, 1440))
            status = rng.choice(["cancelled", "rejected", "completed", "confirmed"])
        # The few the confirmation alert looks for: recent orders whose confirmation has not gone.
        pending = i > n_ord - 5
        if pending:
            received, status = NOW - timedelta(hours=rng.randint(1, 8)), "placed"
        due = received + timedelta(hours=4)
        confirmation = message(
            kind="order_received",
            customer=customer,
            concerning_type=ct[Order],
            concerning_id=i,
            created=received,
            status="queued" if pending else "sent",
        )
        confirmation_sent = outbox[confirmation - 1][17]  # the message's sent_at, as the send records it
        _pid, monthly, setup = next(p for p in products if p[0] == product_id)
        name = customers[customer][0]
        order_rows.append(
            (
                i,
                customer,
                product_id,
                "portal",
                status,
                "1 High Street\nLeeds",
                customers[customer][2],
                name,
                monthly,
                setup,
                12,
                received,
                due,
                confirmation,
                confirmation_sent,
                received + timedelta(days=1) if status != "placed" else None,
                received + timedelta(days=10) if status == "completed" else None,
            )
        )
        order_events.append((i, "placed", "Order received", received))

    # Cancellations: one for each cancelling service (a few due today), one completed for each ceased one.
    cancellation_rows = []
    for s in service_rows:
        if s[9] in ("cancelling", "ceased"):
            received = NOW - timedelta(days=rng.randint(1, 40))
            due_now = s[9] == "cancelling" and rng.random() < 0.005
            withdrawal = NOW.date() if due_now else (NOW + timedelta(days=rng.randint(1, 30))).date()
            cancellation_rows.append(
                (
                    s[0],
                    "portal",
                    received,
                    f"cust{s[1]:06d}",
                    withdrawal if s[9] == "cancelling" else s[10],
                    "notice",
                    "active" if s[9] == "cancelling" else "completed",
                    "active",
                )
            )

    # Complaints (300,000): nearly all closed; a few received and not yet acknowledged.
    complaint_rows, complaint_events = [], []
    n_cmp = SIZES["complaints"]
    for i in range(1, n_cmp + 1):
        customer = owner(i, 6)
        received = NOW - timedelta(days=rng.randint(0, 2500), minutes=rng.randint(0, 1440))
        roll = rng.random()
        if i > n_cmp - 20:
            status, received = "received", NOW - timedelta(hours=rng.randint(1, 30))
        elif roll < 0.93:
            status = "closed"
        elif roll < 0.96:
            status = "resolved"
        else:
            status = rng.choice(["acknowledged", "investigating", "deadlocked"])
        if status in ("acknowledged", "investigating") and received < NOW - timedelta(days=80):
            received = NOW - timedelta(days=rng.randint(1, 80))  # open ones are recent, as in life
        if status == "resolved":  # resolved within the reopening time: older ones the job has closed
            received = NOW - timedelta(days=rng.randint(21, 47))
        ack = message(
            kind="complaint_ack",
            customer=customer,
            concerning_type=ct[Complaint],
            concerning_id=i,
            created=received,
            status="queued" if status == "received" else "sent",
        )
        done = status not in ("received",)
        complaint_rows.append(
            (
                i,
                customer,
                rng.choice(["billing", "service", "fault_handling", "customer_service", "other"]),
                sentence(rng),
                "portal",
                "email",
                received,
                status,
                received + timedelta(days=3),
                received + timedelta(hours=2) if done else None,
                received + timedelta(days=90),
                received + timedelta(days=20) if status in ("resolved", "closed") else None,
                received + timedelta(days=50) if status == "closed" else None,
                ack,
            )
        )
        complaint_events.append((i, "received", "Complaint received", received))

    # Faults (200,000) on the customer's own services: nearly all closed; a few near their repair target.
    fault_rows, fault_events = [], []
    n_flt = SIZES["faults"]
    for i in range(1, n_flt + 1):
        if i <= 4:
            service = services_of[BENCH_CUSTOMER][i % len(services_of[BENCH_CUSTOMER])]
        else:
            service = rng.randint(1, n_serv)
        customer = service_rows[service - 1][1]
        reported = NOW - timedelta(days=rng.randint(0, 2500), minutes=rng.randint(0, 1440))
        status = "closed"
        if i > n_flt - 30:
            status, reported = (
                rng.choice(["reported", "investigating", "visit_booked"]),
                NOW - timedelta(hours=rng.randint(1, 60)),
            )
        elif rng.random() < 0.02:
            status = "resolved"
        ack = message(kind="fault_ack", customer=customer, concerning_type=ct[Fault], concerning_id=i, created=reported)
        fault_rows.append(
            (
                i,
                customer,
                service,
                reported,
                "portal",
                sentence(rng),
                "our_network",
                status,
                reported + timedelta(days=2),
                reported + timedelta(days=1) if status in ("resolved", "closed") else None,
                reported + timedelta(days=3) if status == "closed" else None,
                ack,
            )
        )
        fault_events.append((i, "reported", "Fault reported", reported))

    # Welcome emails, one per customer; and for the bench customer enough messages for the anchor page.
    for i in range(1, n_cust + 1):
        message(
            kind="welcome", customer=i, concerning_type=ct[User], concerning_id=i, created=NOW - timedelta(days=3000)
        )
    for n in range(30):
        message(
            kind="welcome",
            customer=BENCH_CUSTOMER,
            concerning_type=ct[User],
            concerning_id=1,
            created=NOW - timedelta(days=n),
        )
    # Invoice emails for the last two months' invoices, and what needs staff: failed, unknown, letters to post.
    for i in range(1, n_cust + 1):
        for month in (1, 2):
            message(
                kind="invoice",
                customer=i,
                concerning_type=ct[Invoice],
                concerning_id=None,
                created=NOW - timedelta(days=30 * month),
            )
    for status, how_many in (("failed", 40), ("unknown", 5)):
        for _ in range(how_many):
            message(
                kind="welcome",
                customer=rng.randint(2, n_cust),
                concerning_type=ct[User],
                concerning_id=None,
                created=NOW - timedelta(days=1),
                status=status,
            )
    letters = [i for i, c in customers.items() if not c[1]][:30]
    for customer in letters:
        message(
            kind="complaint_deadlock",
            customer=customer,
            concerning_type=ct[Complaint],
            concerning_id=None,
            created=NOW - timedelta(hours=3),
            status="to_print",
            channel="letter",
        )

    counts["outbox messages"] = Table(
        OutboxMessage,
        [
            "id",
            "channel",
            "kind",
            "status",
            "customer_id",
            "to_name",
            "to_email",
            "postal_address",
            "subject",
            "message_id",
            "body_text",
            "concerning_type_id",
            "concerning_id",
            "due_at",
            "created_at",
            "next_attempt_at",
            "attempts",
            "sent_at",
            "last_error",
        ],
    ).load(cursor, outbox)
    outbox.clear()
    counts["orders"] = Table(
        Order,
        [
            "id",
            "customer_id",
            "product_id",
            "channel",
            "status",
            "address",
            "postcode",
            "contact_name",
            "monthly_price",
            "setup_fee",
            "minimum_term_months",
            "received_at",
            "confirmation_due_at",
            "confirmation_message_id",
            "confirmation_sent_at",
            "confirmed_at",
            "completed_at",
        ],
    ).load(cursor, order_rows)
    counts["services"] = Table(
        Service,
        [
            "id",
            "customer_id",
            "product_id",
            "order_id",
            "address",
            "postcode",
            "start_date",
            "minimum_term_end",
            "monthly_price",
            "status",
            "ceased_on",
            "created_at",
        ],
    ).load(cursor, service_rows)
    counts["cancellations"] = Table(
        Cancellation,
        [
            "service_id",
            "channel",
            "received_at",
            "quoted_username",
            "withdrawal_date",
            "withdrawal_reason",
            "status",
            "service_status_before",
        ],
    ).load(cursor, cancellation_rows)
    counts["complaints"] = Table(
        Complaint,
        [
            "id",
            "customer_id",
            "category",
            "what_happened",
            "channel",
            "reply_by",
            "received_at",
            "status",
            "ack_due_at",
            "acknowledged_at",
            "adr_from",
            "resolved_at",
            "closed_at",
            "ack_message_id",
        ],
    ).load(cursor, complaint_rows)
    counts["faults"] = Table(
        Fault,
        [
            "id",
            "customer_id",
            "service_id",
            "reported_at",
            "channel",
            "description",
            "location",
            "status",
            "repair_due_at",
            "resolved_at",
            "closed_at",
            "ack_message_id",
        ],
    ).load(cursor, fault_rows)
    counts["timeline events"] = (
        Table(OrderEvent, ["order_id", "kind", "text", "at"]).load(cursor, order_events)
        + Table(ComplaintEvent, ["complaint_id", "kind", "text", "at"]).load(cursor, complaint_events)
        + Table(FaultEvent, ["fault_id", "kind", "text", "at"]).load(cursor, fault_events)
    )
    del order_rows, complaint_rows, fault_rows, order_events, complaint_events, fault_events, cancellation_rows

    # Invoices: every customer billed for each of the last ten months; one line per service held, or a
    # one-off charge for a customer with none. Mostly paid; this month's are due, a few older ones overdue.
    periods = [date(2026 - (m > 11), (12 - m - 1) % 12 + 1, 1) for m in range(SIZES["invoices_per_customer"])]
    invoice_rows, line_rows, overdue_rows, payment_rows = [], [], [], []
    number = 0
    vat_rate = Decimal("0.200")
    monthly_of = {s[0]: s[8] for s in service_rows}
    for customer in range(1, n_cust + 1):
        name, _email, pc = customers[customer]
        held = services_of.get(customer, [])
        for period in sorted(periods):
            number += 1
            lines = [(s, monthly_of[s]) for s in held] or [(None, Decimal("5.00"))]
            net = sum(amount for _s, amount in lines)
            vat = (net * vat_rate).quantize(Decimal("0.01"))
            latest = period == max(periods)
            overdue = not latest and rng.random() < 0.01
            status = "open" if latest or overdue else "paid"
            issued = datetime.combine(period, datetime.min.time(), UTC) + timedelta(hours=3)
            if overdue:
                overdue_rows.append((number, customer, period + timedelta(days=14)))
            elif status == "paid":  # by bank transfer quoting the number (some by cheque), before the due date
                paid_on = period + timedelta(days=rng.randint(2, 14))
                payment_rows.append((customer, number, paid_on, net + vat, rng.random() < 0.08))
            invoice_rows.append(
                (
                    number,
                    f"INV-{number:06d}",
                    customer,
                    period,
                    status,
                    issued,
                    issued,
                    period,
                    period,
                    period + timedelta(days=14),
                    name,
                    f"1 High Street\n{pc}",
                    f"cust{customer:06d}",
                    net,
                    vat,
                    net + vat,
                    net + vat if status == "open" else Decimal("0.00"),
                    # Rendered by the worker minutes after issue; two of the latest lost their task.
                    "" if latest and customer <= 2 else f"invoices/{period:%Y/%m}/INV-{number:06d}.pdf",
                    None if latest and customer <= 2 else issued + timedelta(minutes=5),
                )
            )
            for position, (service, amount) in enumerate(lines):
                line_rows.append(
                    (
                        number,
                        "service" if service else "charge",
                        position,
                        "Monthly service" if service else "Paper bill",
                        service,
                        period if service else None,
                        period + timedelta(days=27),
                        Decimal("1"),
                        amount,
                        vat_rate,
                        amount,
                    )
                )
    counts["invoices"] = Table(
        Invoice,
        [
            "id",
            "number",
            "customer_id",
            "period",
            "status",
            "created_at",
            "issued_at",
            "issue_date",
            "tax_point",
            "due_date",
            "customer_name",
            "customer_address",
            "account_username",
            "net",
            "vat",
            "total",
            "outstanding",
            "pdf",
            "pdf_rendered_at",
        ],
    ).load(cursor, invoice_rows)
    del invoice_rows
    counts["invoice events"], counts["suspensions"] = ladder_history(cursor, overdue_rows, InvoiceEvent, Suspension)
    counts["payments"], counts["allocations"] = payments(cursor, payment_rows, Payment, Allocation)
    del payment_rows
    counts["invoice lines"] = Table(
        InvoiceLine,
        [
            "invoice_id",
            "kind",
            "position",
            "description",
            "service_id",
            "period_start",
            "period_end",
            "quantity",
            "unit_price",
            "vat_rate",
            "net",
        ],
    ).load(cursor, line_rows)
    del line_rows

    # Sequences after the explicit ids, then the planner's statistics.
    for model in (User, Order, Service, Complaint, Fault, OutboxMessage, Invoice):
        table = model._meta.db_table
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    return counts, time.monotonic() - started


def payments(cursor, payment_rows, Payment, Allocation):
    """A payment for every paid invoice, set against it in full (ids 1..n, as the allocations name them)."""
    rows, allocations = [], []
    for pk, (customer, number, paid_on, amount, by_cheque) in enumerate(payment_rows, start=1):
        at = datetime.combine(paid_on, datetime.min.time(), UTC) + timedelta(hours=11)
        reference = f"CHQ {100000 + pk % 900000}" if by_cheque else f"INV{number:06d}"
        rows.append((pk, customer, "cheque" if by_cheque else "transfer", paid_on, amount, reference, at, 0))
        allocations.append((pk, number, amount, at))
    columns = ["id", "customer_id", "method", "received_on", "amount", "reference", "recorded_at", "unallocated"]
    counted = Table(Payment, columns).load(cursor, rows)
    del rows
    counted_allocations = Table(Allocation, ["payment_id", "invoice_id", "amount", "at"]).load(cursor, allocations)
    cursor.execute("SELECT setval(pg_get_serial_sequence('billing_payment', 'id'), %s)", [max(counted, 1)])
    return counted, counted_allocations


def ladder_history(cursor, overdue_rows, InvoiceEvent, Suspension):
    """The reminder ladder as it would have run on the overdue invoices (7, 14 and 21 days; the final notice
    naming a date 7 days on): each step's event, and past that date one suspension per account. Three
    invoices miss the step due today, so the job has its work."""
    from django.conf import settings

    billing = settings.BILLING
    steps = [*zip(("reminder_1", "reminder_2"), billing["REMINDER_DAYS"], strict=False)]
    steps.append(("final_notice", billing["FINAL_NOTICE_DAYS"]))
    today = NOW.date()
    events, suspensions, suspended = [], [], set()
    for n, (invoice, customer, due) in enumerate(overdue_rows):
        late = (today - due).days
        reached = [(kind, days) for kind, days in steps if late >= days]
        if n < 3 and reached:
            reached = reached[:-1]  # the step due now, not yet sent
        for kind, days in reached:
            at = datetime.combine(due + timedelta(days=days), datetime.min.time(), UTC) + timedelta(hours=9)
            named = due + timedelta(days=days + billing["SUSPEND_AFTER_DAYS"]) if kind == "final_notice" else None
            events.append((invoice, kind, f"{kind.replace('_', ' ').capitalize()} sent by email.", at, named))
            if named and named < today and customer not in suspended:
                suspended.add(customer)
                when = datetime.combine(named + timedelta(days=1), datetime.min.time(), UTC) + timedelta(hours=9)
                suspensions.append((customer, invoice, "suspended", named, when, when))
    counted = Table(InvoiceEvent, ["invoice_id", "kind", "text", "at", "named_date"]).load(cursor, events)
    counted_suspensions = Table(
        Suspension, ["customer_id", "invoice_id", "status", "suspend_on", "created_at", "suspended_at"]
    ).load(cursor, suspensions)
    return counted, counted_suspensions


def staff_logins():
    from django.contrib.auth.models import Group

    from accounts.groups import CUSTOMER_SERVICES
    from accounts.models import User

    User.objects.create_superuser("bench-admin", "bench-admin@121com.co.uk", "bench-pass-121", full_name="Bench Admin")
    sam = User.objects.create_user(
        "bench-sam", "bench-sam@121com.co.uk", "bench-pass-121", full_name="Sam Services", is_staff=True
    )
    sam.groups.add(Group.objects.get(name=CUSTOMER_SERVICES))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="bench_scale")
    parser.add_argument("--seed", type=int, default=121)
    parser.add_argument(
        "--keep-indexes", action="store_true", help="COPY into the tables with their indexes (to compare)"
    )
    args = parser.parse_args()
    recreate_database(args.database)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("PORTAL_VAR_DIR", "/tmp/bench-scale-var")
    import django

    django.setup()
    from django.core.management import call_command

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    ensure_billing_tables()
    migrated = time.monotonic() - started
    indexes = [] if args.keep_indexes else drop_secondary_indexes()
    counts, loaded = generate(args.seed)
    started = time.monotonic()
    create_indexes(indexes)
    indexed = time.monotonic() - started
    staff_logins()
    started = time.monotonic()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    analysed = time.monotonic() - started
    total = sum(counts.values())
    print(f"dataset {args.database} (seed {args.seed}): {total:,} rows")
    for what, n in counts.items():
        print(f"  {what:>20}: {n:,}")
    print(
        f"  migrate {migrated:.1f} s, generate + COPY {loaded:.1f} s (COPY {COPY_SECONDS:.1f} s), "
        f"{len(indexes)} indexes made after the load {indexed:.1f} s, VACUUM ANALYZE {analysed:.1f} s"
    )


if __name__ == "__main__":
    main()
