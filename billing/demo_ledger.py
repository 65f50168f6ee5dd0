"""Demo data: what happened to the demo customers' invoices after issue. On their latest invoices, one is
paid, one part paid, and one overdue has had its first reminder. Runs after the invoices step and looks
the invoices up: it works with whatever invoices the demo has (with none, it does nothing)."""

from datetime import timedelta

from billing.models import InvoiceStatus, PaymentMethod
from billing.selectors import issued_invoices
from billing.services import dunning
from billing.services.payments import PENNY, payment_record
from portal.demo import demo_step
from portal.office_hours import london


@demo_step(position=80)
def ledger_demo(customers, staff, now):
    today = london(now).date()
    by = staff.get("ann")
    mine = issued_invoices().filter(customer__in=list(customers.values()), status=InvoiceStatus.OPEN)
    # Overdue with a reminder: the oldest invoice already past its due date, if any (the reminder is sent
    # as the ladder would have sent it, whatever its days).
    overdue = mine.filter(due_date__lt=today).order_by("due_date", "id").first()
    if overdue is not None:
        dunning.send_step(invoice=overdue, kind="reminder_1", now=now)
    others = list(mine.exclude(pk=getattr(overdue, "pk", None)).order_by("-issue_date", "-id"))
    for invoice, share in zip(others, (1, 2), strict=False):  # the latest paid in full, the next in half
        amount = invoice.outstanding if share == 1 else (invoice.outstanding / 2).quantize(PENNY)
        received = min(today, max(invoice.issue_date, today - timedelta(days=3)))
        payment_record(
            customer=invoice.customer,
            method=PaymentMethod.TRANSFER if share == 1 else PaymentMethod.CHEQUE,
            received_on=received,
            amount=amount,
            reference=invoice.number,
            allocations=[(invoice, amount)],
            by=by,
            now=now,
        )
