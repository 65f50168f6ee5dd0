"""Issued invoices made directly, for tests of what happens to them after issue (payments, credit)."""

from datetime import date, timedelta
from decimal import Decimal
from itertools import count

from billing.models import Invoice, InvoiceStatus

_numbers = count(9000)


def issued_invoice(customer, total, *, issue_date=None, due_days=14, number=None):
    issue_date = issue_date or date(2027, 1, 1)
    total = Decimal(total)
    net = (total / Decimal("1.2")).quantize(Decimal("0.01"))
    return Invoice.objects.create(
        customer=customer,
        number=number or f"INV-{next(_numbers):06d}",
        status=InvoiceStatus.OPEN,
        issue_date=issue_date,
        tax_point=issue_date,
        due_date=issue_date + timedelta(days=due_days),
        customer_name=customer.get_full_name() or customer.username,
        account_username=customer.username,
        net=net,
        vat=total - net,
        total=total,
        outstanding=total,
    )
