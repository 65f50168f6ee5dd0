"""Who may open which billing document, and the one way a kept PDF leaves the portal.

Customers: only their own issued invoices (never a draft) and their own credit notes; another customer's
id answers 404, exactly as an id that does not exist, PDF included. Staff work in the admin (the customer
pages send them to the invoice list there), where only those who may view invoices (the Accounts group,
accounts/groups.py) download any PDF.
"""

import logging

from django.http import FileResponse
from django.shortcuts import get_object_or_404

from billing import selectors
from billing.models import CreditNote
from portal.access import customer_only

log = logging.getLogger(__name__)

# Invoice pages are the customer's own; staff work on invoices in the admin.
customer_pages = customer_only("admin:billing_invoice_changelist")


def invoices_for(customer):
    """The customer's issued invoices, newest first (drafts are never shown: they have no number yet)."""
    return selectors.issued_invoices(customer=customer).order_by("-issue_date", "-id")


def credit_notes_for(customer):
    """The customer's credit notes, newest first, each with the invoice it corrects."""
    return CreditNote.objects.filter(customer=customer).select_related("invoice").order_by("-issue_date", "-id")


def invoice_for(customer, pk):
    return get_object_or_404(selectors.issued_invoices(customer=customer), pk=pk)


def credit_note_for(customer, pk):
    return get_object_or_404(CreditNote.objects.filter(customer=customer), pk=pk)


def staff_may_download(user):
    """Staff who may read invoices in the admin may download their PDFs (Accounts; administrators)."""
    return user.is_active and user.is_staff and user.has_perm("billing.view_invoice")


def stored_pdf(document):
    """The kept PDF of an invoice or credit note as a download named after its number, or None while it is
    still being rendered (a worker renders it once at issue) or cannot be read from storage just now.

    The file is streamed from Django's storage API (the same file whichever machine asks: VAT records are
    kept six years), never read whole into memory."""
    if not document.pdf:
        return None
    try:
        handle = document.pdf.storage.open(document.pdf.name, "rb")
    except OSError:
        # The row says it was rendered but the store cannot give it back: staff must hear of it (VAT records).
        log.error("The PDF of %s (%s) cannot be read from storage", document.number, document.pdf.name)
        return None
    return FileResponse(handle, as_attachment=True, filename=f"{document.number}.pdf", content_type="application/pdf")
