"""The querysets that views, tasks, exports and the admin share, and what other apps read of the orders
app (the services a customer holds: complaints and faults are about them). Each fetches, in a fixed
number of queries, what its page shows: lists never cost a query per row."""

from django.db.models import Case, IntegerField, OuterRef, Prefetch, Subquery, Value, When
from django.shortcuts import get_object_or_404

from orders.models import (
    Cancellation,
    CancellationStatus,
    Order,
    OrderEvent,
    Product,
    Service,
    ServiceEvent,
    ServiceStatus,
)
from portal.embedded import OUTER, one_row, row_from, rows, rows_from, timeline_from, timeline_rows
from portal.office_hours import london
from portal.outbox import without_bodies


def services_held(*, customer=None):
    """Every service the customer holds or held, with its product: what a complaint may be about. Every
    customer's when `customer` is None (staff recording a complaint choose the customer on the same form)."""
    services = Service.objects.select_related("product", "customer")
    return services if customer is None else services.filter(customer=customer)


def service_in_use(service):
    """Not withdrawn: a suspended or cancelling service is still provided, and can still go wrong."""
    return service.status != ServiceStatus.CEASED


def services_in_use(*, customer=None, family=None):
    """Services not withdrawn (active, suspended or being cancelled), with their customer and product; of one
    customer and of one family (Family.BROADBAND) when given: what a fault may be reported on."""
    services = Service.objects.exclude(status=ServiceStatus.CEASED).select_related("customer", "product")
    if customer is not None:
        services = services.filter(customer=customer)
    if family is not None:
        services = services.filter(product__family=family)
    return services


def services_in_use_rows(*, customer):
    """The customer's services_in_use, with their products, as a subquery for portal.embedded.fetch (a page
    asking for several lists in one query); services_in_use_from reads them back."""
    return rows(Service, "customer_id = %s AND status <> %s", customer.pk, ServiceStatus.CEASED, related=("product",))


def services_in_use_from(data):
    """The services services_in_use_rows carried, by product family and, within one, oldest first."""
    services = rows_from(Service, data, order_by=("id",), related=("product",))
    return sorted(services, key=lambda service: service.product.family)  # stable: by id within a family


def price_list_products():
    """What is on sale, by family then position: the price list and the catalogue page."""
    return Product.objects.filter(is_active=True).order_by("family", "position", "name")


def order_list_for_customer(*, customer):
    return Order.objects.filter(customer=customer).select_related("product").order_by("-received_at", "-id")


def order_for_customer(*, customer, pk):
    """One of the customer's orders with the service it became and its timeline (`timeline`), in one query;
    another customer's id is a 404."""
    orders = order_list_for_customer(customer=customer).select_related("service", "confirmation_message")
    order = get_object_or_404(
        without_bodies(orders, "confirmation_message").annotate(event_rows=timeline_rows(OrderEvent, "order", Order)),
        pk=pk,
    )
    order.timeline = timeline_from(OrderEvent, order.event_rows)
    return order


def _active_cancellation(field):
    active = Cancellation.objects.filter(service=OuterRef("pk"), status=CancellationStatus.ACTIVE)
    return Subquery(active.values(field)[:1])


def service_list_for_customer(*, customer):
    """The customer's services, each with the withdrawal date of its cancellation in progress, if any;
    withdrawn services last."""
    return (
        Service.objects.filter(customer=customer)
        .select_related("product")
        .annotate(pending_withdrawal_date=_active_cancellation("withdrawal_date"))
        .order_by(
            Case(When(status=ServiceStatus.CEASED, then=Value(1)), default=Value(0), output_field=IntegerField()),
            "-start_date",
            "-id",
        )
    )


def service_for_customer(*, customer, pk):
    """One of the customer's services with what its page shows, in one query: its timeline (`timeline`) and
    the cancellation in progress, if any (`active_cancellation_of`); another customer's id is a 404."""
    active = one_row(
        Cancellation,
        f"service_id = {OUTER} AND status = %s",
        CancellationStatus.ACTIVE,
        outer=Service,
        order_by="received_at DESC, id DESC",
    )
    service = get_object_or_404(
        service_list_for_customer(customer=customer)
        .select_related("order")
        .annotate(event_rows=timeline_rows(ServiceEvent, "service", Service), active_cancellation_row=active),
        pk=pk,
    )
    service.timeline = timeline_from(ServiceEvent, service.event_rows)
    return service


def active_cancellation_of(service):
    """The cancellation in progress on a service read by service_for_customer, or None."""
    return row_from(Cancellation, service.active_cancellation_row)


def cancellations_for_customer(*, customer):
    return Cancellation.objects.filter(service__customer=customer).select_related(
        "service__product", "service__customer"
    )


def cancellations_due(*, now):
    """Active cancellations whose withdrawal date (a London date) is today or past, on a cancelling service."""
    return Cancellation.objects.filter(
        status=CancellationStatus.ACTIVE,
        withdrawal_date__lte=london(now).date(),
        service__status=ServiceStatus.CANCELLING,
    ).order_by("withdrawal_date", "id")


def services_to_bill(*, customer, since):
    """What billing reads of the customer's services: those not withdrawn before `since` (a date), each with
    its product and order (the set-up fee agreed), the withdrawal date of its cancellation in progress
    (`pending_withdrawal_date`) and its suspensions and restorations, oldest first (`suspension_events`).
    A fixed number of queries however many services."""
    from orders.models import ServiceEventKind

    moves = ServiceEvent.objects.filter(kind__in=[ServiceEventKind.SUSPENDED, ServiceEventKind.RESUMED])
    return (
        Service.objects.filter(customer=customer)
        .exclude(ceased_on__lt=since)
        .select_related("product", "order")
        .annotate(pending_withdrawal_date=_active_cancellation("withdrawal_date"))
        .prefetch_related(Prefetch("events", queryset=moves.order_by("at", "id"), to_attr="suspension_events"))
        .order_by("start_date", "id")
    )


def customers_with_services(*, since):
    """The ids of customers holding a service not withdrawn before `since` (a date): who a billing run bills."""
    return Service.objects.exclude(ceased_on__lt=since).values_list("customer_id", flat=True).distinct()
