from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from complaints.models import Complaint, ComplaintEvent


def complaint_list_for_customer(*, customer):
    return Complaint.objects.filter(customer=customer).select_related("ack_message").order_by("-received_at", "-id")


def complaint_for_customer(*, customer, pk):
    """The customer's own complaint with the timeline they may see; another customer's id is a 404."""
    visible = ComplaintEvent.objects.filter(internal=False).select_related("by").order_by("at", "id")
    queryset = Complaint.objects.filter(customer=customer).select_related("ack_message", "ack_by_hand", "service__product").prefetch_related(
        Prefetch("events", queryset=visible, to_attr="timeline")
    )
    return get_object_or_404(queryset, pk=pk)
