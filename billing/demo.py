"""Demo data: last month's and this month's invoices for the demo customers, issued by a billing run on the morning of the 1st
as the periodic job would, with their PDFs made, stored and sent (Alice's emailed, Carol's bakery's in the
print queue). Needs the services the orders demo step gives them; later steps add payments and reminders."""

from datetime import time, timedelta

from django.db.models import F

from billing import documents
from billing.models import Invoice
from billing.services import runs
from portal.demo import demo_step
from portal.models import Channel, OutboxMessage, Status
from portal.office_hours import london, london_time


@demo_step(position=70)
def demo_invoices(customers, staff, now):
    """Last month's invoices (overdue by now) and this month's, each from a run on the morning of its 1st."""
    today = london(now).date()
    this_month = today.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    run = None
    for period in (last_month, this_month):
        issued_at = min(now, london_time(period, time(6, 0)))
        run = runs.run_create(period=period, by=staff.get("ann"), queue=False, now=issued_at)
        for customer_id in runs.run_start(run_id=run.pk, queue=False, now=issued_at):
            runs.run_account(run_id=run.pk, customer_id=customer_id, now=issued_at)
        # Rendered here rather than by a worker, so the PDFs are there when the portal opens.
        for invoice_id in Invoice.objects.filter(run=run).values_list("pk", flat=True):
            documents.invoice_document_issue(invoice_id=invoice_id, now=issued_at)
    # Those messages went when the invoices were issued: emails a minute later, letters posted that day.
    sent = OutboxMessage.objects.filter(kind="invoice_issued", status__in=[Status.QUEUED, Status.TO_PRINT])
    sent.filter(channel=Channel.EMAIL).update(status=Status.SENT, sent_at=F("created_at") + timedelta(minutes=1))
    sent.filter(channel=Channel.LETTER).update(status=Status.POSTED, sent_at=F("created_at") + timedelta(hours=4))
    return run
