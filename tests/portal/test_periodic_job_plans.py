"""Each periodic job finds its few rows through an index, however long the history grows.

How this is checked, and why this way: the tables get a history the shape of a real one (thousands of
orders confirmed in time, complaints closed, faults repaired, messages sent) and a handful of rows each job
is looking for, then ANALYZE, then every SELECT the job ran is EXPLAINed by PostgreSQL's own planner. With the
statistics of such a table the planner reads an index only when one holds few rows for the question (a
partial index of the candidates); an index that holds the whole history, or none, gives a sequential scan,
and the test names it. Turning enable_seqscan off instead would pass with any usable index, even one that
holds every row (the order confirmation alert's old index on every order never alerted as overdue did).
"""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tasks import registrations_expire
from billing.models import CreditNote, Invoice, StatementImport
from billing.tasks import billing_documents_missing, billing_run_due
from billing.tasks_dunning import reminder_ladder
from complaints.models import Complaint
from complaints.tasks import complaints_alert_unacknowledged, complaints_close_resolved, complaints_raise_adr_letters
from faults.models import Fault
from faults.tasks import faults_alert_repair_targets
from orders.models import Cancellation, Order, Product, Service
from orders.tasks import cease_due_services, order_confirmation_alerts
from portal import clock
from portal.models import OutboxMessage
from portal.tasks import outbox_requeue
from tests.factories import CustomerFactory

HISTORY = 3000
# The tables given a history below (customers are few here: joined by primary key at any size).
BIG_TABLES = {
    "orders_order",
    "orders_service",
    "orders_cancellation",
    "complaints_complaint",
    "faults_fault",
    "portal_outboxmessage",
    "billing_invoice",
    "billing_creditnote",
    "billing_statementimport",
}
JOBS = [
    order_confirmation_alerts,
    cease_due_services,
    complaints_alert_unacknowledged,
    complaints_raise_adr_letters,
    complaints_close_resolved,
    faults_alert_repair_targets,
    outbox_requeue,
    registrations_expire,
    billing_run_due,
    billing_documents_missing,
    reminder_ladder,
]


@pytest.fixture
def history(db):
    """Years of finished work and a few rows in hand, as the tables look after years in use."""
    now = clock.now()
    customer = CustomerFactory()
    product = Product.objects.filter(price_on_request=False).first()
    old = now - timedelta(days=400)
    sent = OutboxMessage.objects.bulk_create(
        OutboxMessage(
            channel="email",
            kind="order_received",
            status="sent",
            customer=customer,
            to_name="A",
            subject="s",
            created_at=old,
            next_attempt_at=old,
            sent_at=old,
        )
        for _ in range(HISTORY)
    )
    order = dict(
        customer=customer,
        product=product,
        address="a",
        postcode="ME1 1AA",
        contact_name="A",
        monthly_price=1,
        setup_fee=0,
        received_at=old,
        confirmation_due_at=old,
    )
    Order.objects.bulk_create(
        [Order(**order, status="completed", confirmation_message=m, confirmation_sent_at=m.sent_at) for m in sent]
        + [Order(**{**order, "received_at": now, "confirmation_due_at": now}) for _ in range(3)]
    )
    service = dict(
        customer=customer,
        product=product,
        address="a",
        postcode="ME1 1AA",
        start_date=old.date(),
        minimum_term_end=old.date(),
        monthly_price=1,
    )
    # Services belong to many accounts, as they do: a job looking up one account's services reads its few.
    holders = get_user_model().objects.bulk_create(
        get_user_model()(username=f"holder{n}", full_name=f"Holder {n}") for n in range(HISTORY // 10)
    )
    services = Service.objects.bulk_create(
        [Service(**service, status="ceased", ceased_on=old.date()) for _ in range(HISTORY)]
        + [Service(**{**service, "customer": holders[n % len(holders)]}, status="active") for n in range(HISTORY)]
        + [Service(**service, status="cancelling") for _ in range(3)]
    )
    Cancellation.objects.bulk_create(
        Cancellation(
            service=s,
            channel="email",
            received_at=old,
            quoted_username="x",
            withdrawal_date=old.date(),
            withdrawal_reason="notice",
            status="completed" if s.status == "ceased" else "active",
            service_status_before="active",
        )
        for s in services
        if s.status != "active"
    )
    complaint = dict(
        customer=customer,
        category="other",
        what_happened="w",
        channel="email",
        reply_by="email",
        received_at=old,
        ack_due_at=old,
        adr_from=old + timedelta(days=90),
    )
    Complaint.objects.bulk_create(
        [
            Complaint(**complaint, status="closed", acknowledged_at=old, resolved_at=old, closed_at=old)
            for _ in range(HISTORY)
        ]
        + [
            Complaint(
                **{
                    **complaint,
                    "received_at": now,
                    "ack_due_at": now + timedelta(hours=1),
                    "adr_from": now + timedelta(days=90),
                }
            )
            for _ in range(3)
        ]
    )
    fault = dict(customer=customer, service=services[-1], reported_at=old, description="d", repair_due_at=old)
    Fault.objects.bulk_create(
        [Fault(**fault, status="closed", resolved_at=old, closed_at=old) for _ in range(HISTORY)]
        + [Fault(**{**fault, "reported_at": now, "repair_due_at": now + timedelta(hours=2)}) for _ in range(3)]
    )
    # Invoices and credit notes: years of them paid, each with its PDF; a few due, one still to render.
    invoice = dict(customer=customer, issued_at=old, issue_date=old.date(), due_date=old.date(), total=10)
    invoices = Invoice.objects.bulk_create(
        [
            Invoice(**invoice, number=f"INV-{n:06d}", status="paid", pdf=f"invoices/{n}.pdf", pdf_rendered_at=old)
            for n in range(HISTORY)
        ]
        + [
            Invoice(**{**invoice, "issued_at": now - timedelta(minutes=10)}, number=f"INV-9{n:05d}", status="open")
            for n in range(3)
        ]
    )
    note = dict(customer=customer, reason="r", issued_at=old, issue_date=old.date(), net=1, vat=0, total=1)
    CreditNote.objects.bulk_create(
        CreditNote(**note, invoice=invoices[n], number=f"CRN-{n:06d}", pdf=f"credit-notes/{n}.pdf")
        for n in range(HISTORY)
    )
    StatementImport.objects.bulk_create(
        StatementImport(bank="lloyds", filename="s.csv", sha256=f"{n:064d}", imported_at=old, state="imported")
        for n in range(HISTORY)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def sequential_scans(queries):
    found = []
    with connection.cursor() as cursor:
        for query in queries:
            sql = query["sql"].split(" FOR UPDATE")[0].split(" FOR NO KEY UPDATE")[0]
            if not sql.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE")):
                continue  # EXPLAIN plans a statement without running it
            cursor.execute("EXPLAIN " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            found += [(table, sql) for table in BIG_TABLES if f"Seq Scan on {table} " in plan + " "]
    return found


@pytest.mark.parametrize("job", JOBS, ids=lambda job: job.name.rsplit(".", 1)[-1])
def test_a_periodic_job_reads_its_candidates_from_an_index(job, history):
    with CaptureQueriesContext(connection) as captured:
        job.run()

    assert captured.captured_queries
    assert [table for table, _sql in sequential_scans(captured.captured_queries)] == []
