from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from complaints.models import AdrScheme, Complaint, ComplaintEvent
from portal.pages import page_context


def adr_scheme_current():
    """The ADR scheme deadlock and ADR letters name, as staff keep it: the one reader of it, for letters,
    the complaint pages, the contact page and the staff policy page. There is always exactly one."""
    return AdrScheme.objects.filter(is_current=True).first()


@page_context("contact", "policy")
def _adr_scheme_on_pages():
    return {"adr_scheme": adr_scheme_current()}


def complaint_list_for_customer(*, customer):
    return Complaint.objects.filter(customer=customer).select_related("ack_message").order_by("-received_at", "-id")


def complaint_for_customer(*, customer, pk):
    """The customer's own complaint with the timeline they may see; another customer's id is a 404."""
    visible = ComplaintEvent.objects.filter(internal=False).select_related("by").order_by("at", "id")
    queryset = Complaint.objects.filter(customer=customer).select_related("ack_message", "ack_by_hand", "service__product").prefetch_related(
        Prefetch("events", queryset=visible, to_attr="timeline")
    )
    return get_object_or_404(queryset, pk=pk)
