"""Demo data: this month's invoices for the demo customers, issued by a billing run on the morning of the 1st
as the periodic job would, with their PDFs made, stored and sent (Alice's emailed, Carol's bakery's in the
print queue). Needs the services the orders demo step gives them; later steps add payments and reminders."""

from datetime import time

from billing import documents
from billing.models import Invoice
from billing.services import runs
from portal.demo import demo_step
from portal.office_hours import london, london_time


@demo_step(position=70)
def demo_invoices(customers, staff, now):
    today = london(now).date()
    period = today.replace(day=1)
    issued_at = min(now, london_time(period, time(6, 0)))
    run = runs.run_create(period=period, by=staff.get("ann"), queue=False, now=issued_at)
    for customer_id in runs.run_start(run_id=run.pk, queue=False, now=issued_at):
        runs.run_account(run_id=run.pk, customer_id=customer_id, now=issued_at)
    # Rendered here rather than by a worker, so the PDFs are there when the portal opens.
    for invoice_id in Invoice.objects.filter(run=run).values_list("pk", flat=True):
        documents.invoice_document_issue(invoice_id=invoice_id, now=issued_at)
    return run
