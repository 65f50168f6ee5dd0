"""The querysets views, tasks, the export and billing share. Each page costs a fixed number of queries
however many faults, checks, visits or events there are."""

from django.db.models import Exists, OuterRef, Prefetch, prefetch_related_objects
from django.shortcuts import get_object_or_404

from faults.models import CONCLUDED_STATUSES, ChargeStatus, Fault, FaultCheck, FaultEvent, VisitCharge, VisitSlot
from orders.selectors import services_in_use, services_in_use_from, services_in_use_rows
from portal.embedded import OUTER, fetch, rows, rows_from, timeline_from, timeline_rows


def fault_list_for_customer(*, customer):
    return Fault.objects.filter(customer=customer).select_related("service__product").order_by("-reported_at", "-id")


def open_faults_on_service(*, customer, service):
    """The customer's faults on `service` that are not yet concluded (the report page warns of them)."""
    return list(
        fault_list_for_customer(customer=customer)
        .filter(service=service)
        .exclude(status__in=CONCLUDED_STATUSES)
        .order_by("reported_at", "id")
    )


def fault_for_customer(*, customer, pk):
    """The customer's own fault with what its page shows; another customer's id is a 404."""
    queryset = fault_list_for_customer(customer=customer).annotate(
        # The timeline and the checks come in the fault's own query; the visit times, with their
        # charges, only for a fault that has any (most never need a visit).
        event_rows=timeline_rows(FaultEvent, "fault", Fault),
        check_rows=rows(FaultCheck, f"fault_id = {OUTER}", outer=Fault),
        has_slots=Exists(VisitSlot.objects.filter(fault=OuterRef("pk"))),
    )
    fault = get_object_or_404(queryset, pk=pk)
    fault.timeline = timeline_from(FaultEvent, fault.event_rows)
    fault.check_list = rows_from(FaultCheck, fault.check_rows, order_by=("position",))
    if fault.has_slots:
        slots = VisitSlot.objects.select_related("charge").order_by("start_at", "id")
        prefetch_related_objects([fault], Prefetch("slots", queryset=slots, to_attr="visit_slots"))
    else:
        fault.visit_slots = []
    return fault


def slot_for_customer(*, customer, fault_pk, slot_pk):
    """An engineer visit time of the customer's own fault; any other slot (another fault's, another
    customer's) is a 404."""
    return get_object_or_404(
        VisitSlot.objects.select_related("fault__customer", "fault__service__product"),
        pk=slot_pk,
        fault_id=fault_pk,
        fault__customer=customer,
    )


def services_for_fault_report(*, customer):
    """The services the customer can report a fault on (not withdrawn ones)."""
    return services_in_use(customer=customer).order_by("product__family", "id")


def fault_list_page(*, customer):
    """The fault list's two lists in one query: the customer's faults, newest first, each with its service
    and product (as fault_list_for_customer), and the services they can report a fault on, with their
    products (as services_for_fault_report)."""
    carried = fetch(
        faults=rows(Fault, "customer_id = %s", customer.pk, related=("service__product",)),
        services=services_in_use_rows(customer=customer),
    )
    faults = rows_from(
        Fault, carried["faults"], order_by=("reported_at", "id"), related=("service__product",), newest_first=True
    )
    return faults, services_in_use_from(carried["services"])


def service_for_fault_report(*, customer, service_id):
    return get_object_or_404(services_for_fault_report(customer=customer), pk=service_id)


def charges_to_invoice(*, customer):
    """Pending abortive-visit charges for billing to add to the customer's next invoice, oldest first.
    Waived and already-invoiced charges are never here."""
    return (
        VisitCharge.objects.filter(customer=customer, status=ChargeStatus.PENDING)
        .select_related("fault", "visit")
        .order_by("created_at", "id")
    )


def customers_with_charges_to_invoice():
    """The ids of customers with a pending abortive-visit charge: a billing run invoices them too."""
    return VisitCharge.objects.filter(status=ChargeStatus.PENDING).values_list("customer_id", flat=True).distinct()
