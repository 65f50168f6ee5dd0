"""The reads views, tasks and the admin share, and what other parts of the portal may read of complaints."""

from datetime import timedelta

from django.shortcuts import get_object_or_404

from complaints.models import OPEN_STATUSES, AdrScheme, Complaint, ComplaintEvent, Status
from orders import selectors as orders_selectors
from portal import policy
from portal.embedded import one_row, row_from, timeline_from, timeline_rows
from portal.models import Status as MessageStatus
from portal.outbox import without_bodies
from portal.pages import page_context


def adr_scheme_current():
    """The ADR scheme deadlock and ADR letters name, as staff keep it: the one reader of it, for letters,
    the complaint pages, the contact page and the staff policy page. There is always exactly one."""
    return AdrScheme.objects.filter(is_current=True).first()


@page_context("contact", "policy")
def _adr_scheme_on_pages():
    return {"adr_scheme": adr_scheme_current()}


def complaint_list_for_customer(*, customer):
    complaints = Complaint.objects.filter(customer=customer).select_related("ack_message")
    return without_bodies(complaints, "ack_message").order_by("-received_at", "-id")


def complaint_for_customer(*, customer, pk):
    """The customer's own complaint with the timeline they may see; another customer's id is a 404."""
    queryset = without_bodies(
        Complaint.objects.filter(customer=customer).select_related("ack_message", "ack_by_hand", "service__product"),
        "ack_message",
    )
    # The timeline and the ADR scheme its page names come in the complaint's own query.
    complaint = get_object_or_404(
        queryset.annotate(
            event_rows=timeline_rows(ComplaintEvent, "complaint", Complaint),
            adr_scheme_row=one_row(AdrScheme, "is_current = %s", True),
        ),
        pk=pk,
    )
    complaint.timeline = timeline_from(ComplaintEvent, complaint.event_rows)
    return complaint


def adr_scheme_of(complaint):
    """The current ADR scheme, as read with the complaint by complaint_for_customer."""
    return row_from(AdrScheme, complaint.adr_scheme_row)


def services_to_complain_about(*, customer):
    """The services a customer may name on their complaint: their own (orders' selector), and no others."""
    return orders_selectors.service_list_for_customer(customer=customer)


def services_of_every_customer():
    """Every customer's services, for the staff record form: staff choose the customer on the same form,
    and validate_complaint refuses a service on another customer's account."""
    return orders_selectors.services_held()


def can_reopen(complaint, *, now):
    """Code-side promise: a resolved complaint may be reopened within COMPLAINT_REOPEN_DAYS days."""
    if complaint.status != Status.RESOLVED or complaint.resolved_at is None:
        return False
    return now <= complaint.resolved_at + timedelta(days=policy.value("COMPLAINT_REOPEN_DAYS"))


def unacknowledged():
    """Complaints still waiting for their acknowledgement: what the alert job looks at."""
    return Complaint.objects.filter(status=Status.RECEIVED).select_related("customer")


def acknowledgement_gone_unrecorded():
    """Complaints still "received" whose acknowledgement has in fact gone (emailed, or its letter posted):
    the outbox's after-send step failed for them."""
    return (
        unacknowledged()
        .filter(ack_message__status__in=[MessageStatus.SENT, MessageStatus.POSTED])
        .select_related("ack_message")
    )


def due_adr_letter(*, now):
    """Unresolved complaints (received, acknowledged, investigating) whose ADR time has come and that
    have had no ADR letter."""
    return Complaint.objects.filter(status__in=OPEN_STATUSES, adr_from__lte=now, adr_letter_at__isnull=True).order_by(
        "adr_from", "pk"
    )


def resolved_to_close(*, now):
    """Complaints resolved more than COMPLAINT_REOPEN_DAYS days ago: they can no longer be reopened."""
    cutoff = now - timedelta(days=policy.value("COMPLAINT_REOPEN_DAYS"))
    return Complaint.objects.filter(status=Status.RESOLVED, resolved_at__lt=cutoff).order_by("resolved_at", "pk")
