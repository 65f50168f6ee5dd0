"""One function per message the orders app sends: its kind, subject and context.

The kind is the template's name: kind "order_received" is templates/emails/orders/order_received.txt and
.html, and for a customer who takes letters only templates/letters/orders/order_received.html. Every
function is called inside the transaction of the change it reports, so the message is saved with it or
not at all.
"""

from accounts.groups import CUSTOMER_SERVICES
from portal import customer_messages, outbox, policy, throttle
from portal.sla import LABELS

# The kinds of this module's messages in words, for the outbox and the print queue.
outbox.name_kinds(
    {
        "order_received": "Order confirmation",
        "order_status": "Order: status update",
        "cancellation_received": "Cancellation: withdrawal date",
        "cancellation_withdrawn": "Cancellation withdrawn",
        "service_ceased": "Service withdrawn",
        "quote_received": "Quote request received",
        "quote_request": "Quote request for staff",
        "order_confirmation_alert": "Alert: order confirmation due",
        "price_list": "Price list",
        "order_customer_message": "Order: customer's message received",
    }
)


def _to_customer(customer, kind, *, subject, context, concerning, due_at=None, now):
    """The orders app's rule for a customer's message: by email, or by letter for a customer who takes
    letters only (portal.outbox.send_to_customer decides, from the customer's details)."""
    return outbox.send_to_customer(
        customer,
        kind=kind,
        template=f"orders/{kind}",
        subject=subject,
        context=context,
        concerning=concerning,
        due_at=due_at,
        now=now,
    )


def _to_customer_services(kind, *, subject, context, concerning, now):
    return outbox.email_staff(
        group=CUSTOMER_SERVICES,
        kind=kind,
        template=f"orders/{kind}",
        subject=subject,
        context=context,
        concerning=concerning,
        now=now,
    )


def order_received(order, *, now):
    """Code (Order processing): "We will aim to confirm all new orders by email within 4 hours"."""
    return _to_customer(
        order.customer,
        "order_received",
        subject=f"We have your order {order.reference}: {order.product.name}",
        context={"order": order, "product": order.product},
        concerning=order,
        due_at=order.confirmation_due_at,
        now=now,
    )


def order_status(order, *, text, service=None, now):
    return _to_customer(
        order.customer,
        "order_status",
        subject=f"Your order {order.reference} is {order.get_status_display().lower()}",
        context={"order": order, "product": order.product, "text": text, "service": service},
        concerning=order,
        now=now,
    )


def cancellation_received(cancellation, *, now):
    """Code (Account Cancellations): we advise the period to withdrawal; the customer stays liable until then."""
    service = cancellation.service
    return _to_customer(
        service.customer,
        "cancellation_received",
        subject=f"Your cancellation of {service.product.name}: withdrawal date",
        context={"cancellation": cancellation, "service": service},
        concerning=cancellation,
        now=now,
    )


def cancellation_withdrawn(cancellation, *, now):
    service = cancellation.service
    return _to_customer(
        service.customer,
        "cancellation_withdrawn",
        subject=f"Your {service.product.name} service continues",
        context={"service": service},
        concerning=cancellation,
        now=now,
    )


def service_ceased(service, *, now):
    return _to_customer(
        service.customer,
        "service_ceased",
        subject=f"Your {service.product.name} service has been withdrawn",
        context={"service": service},
        concerning=service,
        now=now,
    )


def quote_received(quote, *, now):
    return _to_customer(
        quote.customer,
        "quote_received",
        subject=f"Your request for a {quote.product.name} quote",
        context={"quote": quote},
        concerning=quote,
        now=now,
    )


def quote_request(quote, *, now):
    """Customer services are told of a quote to prepare."""
    return _to_customer_services(
        "quote_request",
        subject=f"Quote requested: {quote.product.name} for {quote.customer.username}",
        context={"quote": quote},
        concerning=quote,
        now=now,
    )


def order_confirmation_alert(order, *, state, now):
    """Customer services are told an order's confirmation is at risk or overdue (portal/sla.py)."""
    label = LABELS[state].lower()
    return _to_customer_services(
        "order_confirmation_alert",
        subject=f"Order {order.reference}: confirmation {label}",
        context={
            "order": order,
            "state": label,
            "at_risk_hours": policy.value("ORDER_AT_RISK_OFFICE_HOURS"),
            "message": order.confirmation_message,
        },
        concerning=order,
        now=now,
    )


def price_list(request, *, products, now):
    """Code (Pricing): "Up-to-date prices ... are always available via email request"."""
    # To the address typed on the public form, whoever asks; the name typed there stays out of the email
    # (portal/throttle.py says why).
    return outbox.email(
        kind="price_list",
        to_email=request.email,
        to_name=throttle.email_addressee(customer=request.customer, email=request.email),
        template="orders/price_list",
        subject="121 Communications price list",
        context={"products": products},
        customer=request.customer,
        concerning=request,
        now=now,
    )


def order_customer_message(order, event, *, now):
    """The customer wrote about their order (an email matched to it, or filed on it from triage): customer
    services are told, through portal/customer_messages.py's rule (orders have no owner: the group)."""
    return customer_messages.alert(
        case=order,
        owner=None,
        group=CUSTOMER_SERVICES,
        kind="order_customer_message",
        template="orders/order_customer_message",
        subject=f"Customer wrote about order {order.reference}: {order.customer.full_name} ({order.customer.username})",
        context={"order": order, "event": event},
        now=now,
    )
