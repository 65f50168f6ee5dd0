"""The orders app's part of the customer's data export (Data Protection: everything we hold about them)."""

from django.db.models import Prefetch

from orders.models import Cancellation, OrderEvent, PriceListRequest, ServiceEvent
from portal.data_export import exporter


def _events(events):
    return [{"at": e.at, "what": e.text} for e in events]


@exporter("orders")
def orders(customer):
    rows = (
        customer.orders.select_related("product", "confirmation_message")
        .prefetch_related(Prefetch("events", queryset=OrderEvent.objects.order_by("at", "id")))
        .order_by("received_at", "id")
    )
    return [
        {
            "reference": o.reference,
            "product": o.product.name,
            "status": o.get_status_display(),
            "received_by": o.get_channel_display(),
            "received_at": o.received_at,
            "address": o.address,
            "postcode": o.postcode,
            "preferred_start_date": o.preferred_start_date,
            "contact_name": o.contact_name,
            "contact_phone": o.contact_phone,
            "contact_email": o.contact_email,
            "notes": o.notes,
            "monthly_price_excluding_vat": o.monthly_price,
            "setup_fee_excluding_vat": o.setup_fee,
            "minimum_term_months": o.minimum_term_months,
            "confirmation_due_at": o.confirmation_due_at,
            "confirmation_sent_at": o.confirmation_message.sent_at if o.confirmation_message else None,
            "reason": o.closed_reason,
            "events": _events(o.events.all()),
        }
        for o in rows
    ]


@exporter("services")
def services(customer):
    rows = (
        customer.services.select_related("product")
        .prefetch_related(
            Prefetch("events", queryset=ServiceEvent.objects.order_by("at", "id")),
            Prefetch("cancellations", queryset=Cancellation.objects.order_by("received_at", "id")),
        )
        .order_by("start_date", "id")
    )
    return [
        {
            "reference": s.reference,
            "product": s.product.name,
            "status": s.get_status_display(),
            "address": s.address,
            "postcode": s.postcode,
            "start_date": s.start_date,
            "minimum_term_end": s.minimum_term_end,
            "monthly_price_excluding_vat": s.monthly_price,
            "ceased_on": s.ceased_on,
            "nickname": s.nickname,
            "fault_contact_name": s.fault_contact_name,
            "fault_contact_phone": s.fault_contact_phone,
            "alert_email": s.alert_email,
            "events": _events(s.events.all()),
            "cancellations": [
                {
                    "reference": c.reference,
                    "received_by": c.get_channel_display(),
                    "received_at": c.received_at,
                    "account_username_quoted": c.quoted_username,
                    "requested_date": c.requested_date,
                    "withdrawal_date": c.withdrawal_date,
                    "status": c.get_status_display(),
                    "withdrawn_at": c.withdrawn_at,
                }
                for c in s.cancellations.all()
            ],
        }
        for s in rows
    ]


@exporter("quote_requests")
def quote_requests(customer):
    return [
        {
            "product": q.product.name,
            "site_address": q.address,
            "postcode": q.postcode,
            "requirements": q.requirements,
            "contact_phone": q.contact_phone,
            "received_at": q.received_at,
            "answered_at": q.answered_at,
        }
        for q in customer.quote_requests.select_related("product").order_by("received_at", "id")
    ]


@exporter("price_list_requests")
def price_list_requests(customer):
    return [
        {"name": r.name, "email": r.email, "received_at": r.received_at}
        for r in PriceListRequest.objects.filter(customer=customer).order_by("received_at", "id")
    ]
