"""One function per message the orders app sends: its kind, subject and templates.

Customer messages go through portal.outbox.send_to_customer, which emails them or, for customers who
take letters only, writes a letter: each kind has templates/emails/orders/<kind>.txt and .html and
templates/letters/orders/<kind>.html. Every function is called inside the transaction of the change it
reports, so the message is saved with it or not at all.
"""

from accounts.groups import CUSTOMER_SERVICES
from portal import outbox, policy, throttle
from portal.sla import LABELS


def order_received(order, *, now):
    """Code (Order processing): "We will aim to confirm all new orders by email within 4 hours"."""
    return outbox.send_to_customer(
        order.customer, kind="order_received", template="orders/order_received",
        subject=f"We have your order {order.reference}: {order.product.name}",
        context={"order": order, "product": order.product}, concerning=order, due_at=order.confirmation_due_at,
        now=now,
    )


def order_status(order, *, text, service=None, now):
    return outbox.send_to_customer(
        order.customer, kind="order_status", template="orders/order_status",
        subject=f"Your order {order.reference} is {order.get_status_display().lower()}",
        context={"order": order, "product": order.product, "text": text, "service": service},
        concerning=order, now=now,
    )


def cancellation_received(cancellation, *, now):
    """Code (Account Cancellations): we advise the period to withdrawal; the customer stays liable until then."""
    service = cancellation.service
    return outbox.send_to_customer(
        service.customer, kind="cancellation_received", template="orders/cancellation_received",
        subject=f"Your cancellation of {service.product.name}: withdrawal date",
        context={"cancellation": cancellation, "service": service}, concerning=cancellation, now=now,
    )


def cancellation_withdrawn(cancellation, *, now):
    service = cancellation.service
    return outbox.send_to_customer(
        service.customer, kind="cancellation_withdrawn", template="orders/cancellation_withdrawn",
        subject=f"Your {service.product.name} service continues",
        context={"cancellation": cancellation, "service": service}, concerning=cancellation, now=now,
    )


def service_ceased(service, cancellation, *, now):
    return outbox.send_to_customer(
        service.customer, kind="service_ceased", template="orders/service_ceased",
        subject=f"Your {service.product.name} service has been withdrawn",
        context={"cancellation": cancellation, "service": service}, concerning=service, now=now,
    )


def quote_received(quote, *, now):
    return outbox.send_to_customer(
        quote.customer, kind="quote_received", template="orders/quote_received",
        subject=f"Your request for a {quote.product.name} quote", context={"quote": quote}, concerning=quote, now=now,
    )


def staff_quote_request(quote, *, now):
    return outbox.email_staff(
        group=CUSTOMER_SERVICES, kind="quote_request", template="orders/staff_quote_request",
        subject=f"Quote requested: {quote.product.name} for {quote.customer.username}",
        context={"quote": quote}, concerning=quote, now=now,
    )


def staff_confirmation_alert(order, *, state, now):
    label = LABELS[state].lower()
    return outbox.email_staff(
        group=CUSTOMER_SERVICES, kind="order_confirmation_alert", template="orders/staff_confirmation_alert",
        subject=f"Order {order.reference}: confirmation {label}",
        context={"order": order, "state": label, "at_risk_hours": policy.value("ORDER_AT_RISK_OFFICE_HOURS"),
                 "message": order.confirmation_message},
        concerning=order, now=now,
    )


def price_list(request, *, products, now):
    """Code (Pricing): "Up-to-date prices ... are always available via email request"."""
    # The name typed on the public form stays out of the email (portal/throttle.py says why).
    return outbox.email(
        kind="price_list", to_email=request.email,
        to_name=throttle.email_addressee(customer=request.customer, email=request.email), template="orders/price_list",
        subject="121 Communications price list", context={"products": products}, customer=request.customer,
        concerning=request, now=now,
    )
