"""Invoice and credit note PDFs: rendered once, at issue, in a worker; kept through Django's storage API.

VAT records are kept six years, so a download years later must be the same document: the PDF is made from
the issued row (which never changes) once, stored (the file system here, object storage shared by every
machine in production) and only ever read afterwards. It is then sent, in the same transaction as the file
is recorded on the row: emailed with the PDF attached (the outbox reads the stored file when it sends, it is
not copied into the database) or, for customers who take letters, posted with a covering letter from the
print queue (portal.outbox.send_to_customer decides).

Rendering once, whatever races: the file is written under a name of its own, then recorded by a guarded
UPDATE (`pdf` still empty); a worker that loses (a duplicated task) deletes its file and sends nothing.

Speed: portal/pdf.py keeps the parsed stylesheets and WeasyPrint's FontConfiguration for the life of the
worker process, so each invoice costs only its own HTML (bench/billing_run.py measures it).
"""

import logging
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from billing import charges as billing_charges
from billing import emails
from billing.models import CreditNote, Invoice, InvoiceEvent, InvoiceEventKind
from portal import clock
from portal.company import COMPANY
from portal.outbox import Unreachable
from portal.pdf import render_pdf

logger = logging.getLogger(__name__)

STYLESHEETS = ("billing/invoice.css",)


def how_to_pay(reference):
    """Code (Billing): "payments can be made via cheque or online to account and sort code on invoice.
    Please include an invoice number when making payments.\""""
    company = settings.BILLING_COMPANY
    return {
        "cheques_payable_to": company["cheques_payable_to"],
        "bank_account_name": company["bank_account_name"],
        "bank_sort_code": company["bank_sort_code"],
        "bank_account_number": company["bank_account_number"],
        "reference": reference,
    }


def _seller():
    return {**COMPANY, **settings.BILLING_COMPANY}


def invoice_context(invoice):
    lines = list(invoice.lines.all())
    return {
        "invoice": invoice,
        "lines": lines,
        "vat_rates": [
            {"rate": rate, "net": net, "vat": vat} for rate, (net, vat) in billing_charges.vat_by_rate(lines).items()
        ],
        "seller": _seller(),
        "pay": how_to_pay(invoice.number),
        "address_lines": invoice.customer_address.splitlines(),
        "total_with_balance": invoice.balance_brought_forward + invoice.total,
    }


def credit_note_context(credit_note):
    lines = list(credit_note.lines.all())
    return {
        "credit_note": credit_note,
        "invoice": credit_note.invoice,
        "lines": lines,
        "vat_rates": [
            {"rate": rate, "net": net, "vat": vat} for rate, (net, vat) in billing_charges.vat_by_rate(lines).items()
        ],
        "seller": _seller(),
        "address_lines": credit_note.customer_address.splitlines(),
    }


def invoice_pdf_bytes(invoice):
    return render_pdf("billing/invoice_pdf.html", invoice_context(invoice), stylesheets=STYLESHEETS)


def credit_note_pdf_bytes(credit_note):
    return render_pdf("billing/credit_note_pdf.html", credit_note_context(credit_note), stylesheets=STYLESHEETS)


def _store(folder, document, pdf):
    # A name of its own per attempt, so a losing duplicate can delete its file without touching the winner's.
    day = document.issue_date
    name = f"{folder}/{day:%Y}/{day:%m}/{document.number}-{uuid.uuid4().hex[:8]}.pdf"
    return default_storage.save(name, ContentFile(pdf))


def _render_store_send(model, pk, *, folder, render, send, now):
    document = model.objects.select_related("customer").filter(pk=pk).first()
    if document is None or document.pdf or not document.number:
        return False  # gone, already rendered, or not issued: nothing to do (a duplicated task)
    name = _store(folder, document, render(document))
    try:
        with transaction.atomic():
            if not model.objects.filter(pk=pk, pdf="").update(pdf=name, pdf_rendered_at=now):
                transaction.on_commit(lambda: default_storage.delete(name))
                return False
            document.pdf.name, document.pdf_rendered_at = name, now
            try:
                with transaction.atomic():
                    send(document, now=now)
            except Unreachable as unreachable:
                # Kept and downloadable; staff see why it did not go (an account with neither email nor address).
                logger.warning("%s %s stored but not sent: %s", model.__name__, document.number, unreachable)
                _note_unsent(document, unreachable, now=now)
    except Exception:
        default_storage.delete(name)  # nothing recorded it: the next attempt renders again
        raise
    return True


def _note_unsent(document, unreachable, *, now):
    invoice = document if isinstance(document, Invoice) else document.invoice
    InvoiceEvent.objects.create(
        invoice=invoice,
        kind=InvoiceEventKind.NOTE,
        internal=True,
        text=f"{document.number} could not be sent: {unreachable}",
        at=now,
    )


def invoice_document_issue(*, invoice_id, now=None):
    """Render an issued invoice's PDF once, store it, and send it. Returns whether this call did it."""
    return _render_store_send(
        Invoice,
        invoice_id,
        folder="invoices",
        render=invoice_pdf_bytes,
        send=emails.invoice_issued,
        now=now or clock.now(),
    )


def credit_note_document_issue(*, credit_note_id, now=None):
    """Render an issued credit note's PDF once, store it, and send it. Returns whether this call did it."""
    return _render_store_send(
        CreditNote,
        credit_note_id,
        folder="credit-notes",
        render=credit_note_pdf_bytes,
        send=emails.credit_note_issued,
        now=now or clock.now(),
    )
