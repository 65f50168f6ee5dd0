"""Orders: placed (the receipt, with its confirmation message), then staff move them along.

Code (Order processing): "We will aim to confirm all new orders by email within 4 hours during normal
office hours". The confirmation message is written in the same transaction as the order, so exactly one
exists per order; a worker sends it within seconds, and the outbox's claim makes a repeated task send
nothing twice. Its due time is the order's confirmation_due_at; it is met when the message is sent.
"""

from django.db import IntegrityError, transaction

from orders import emails
from orders.models import (
    ORDER_STAMPS,
    ORDER_TRANSITIONS,
    ORDER_WORDS,
    Order,
    OrderChannel,
    OrderEvent,
    OrderEventKind,
    OrderStatus,
    Service,
    ServiceEvent,
    ServiceEventKind,
)
from portal import clock, customer_messages, policy, sla, staff_time
from portal.dates import add_months
from portal.formats import day_text, plural
from portal.office_hours import add_office_hours, london
from portal.workflow import Refused, check_move, required_text


def confirmation_due(received_at):
    """Code: confirmed "within 4 hours during normal office hours" of receipt (portal/office_hours.py)."""
    return add_office_hours(received_at, policy.value("ORDER_CONFIRMATION_OFFICE_HOURS"))


def validate_order(
    *, customer, product, channel, received_at, preferred_start_date=None, monthly_price=None, setup_fee=None, now=None
):
    """Refuse an order the rules do not allow; returns the (monthly price, set-up fee) it is taken at.
    The admin's order form calls this too, so staff see the same refusal on the field it concerns."""
    now = now or clock.now()
    if customer.is_staff:
        raise Refused("Orders are for customers' accounts, not staff.", field="customer")
    problem = staff_time.received_problem(received_at, now=now, what="The time the order was received")
    if problem:
        raise Refused(problem, field="received_at")
    if preferred_start_date and preferred_start_date < london(received_at).date():
        raise Refused("The preferred start date cannot be before the order was received.", field="preferred_start_date")
    if channel == OrderChannel.PORTAL:
        if not product.is_active:
            raise Refused(f"{product.name} is no longer on sale.", field="product")
        if product.price_on_request:
            raise Refused(f"{product.name} is priced on request: ask us for a quote.", field="product")
    monthly_price = product.monthly_price if monthly_price is None else monthly_price
    setup_fee = product.setup_fee if setup_fee is None else setup_fee
    if monthly_price is None or setup_fee is None:
        raise Refused(
            f"{product.name} is priced on request: enter the quoted monthly price and set-up fee.",
            field="monthly_price",
        )
    return monthly_price, setup_fee


@transaction.atomic
def order_place(
    *,
    customer,
    product,
    address,
    postcode,
    contact_name,
    contact_phone="",
    contact_email="",
    preferred_start_date=None,
    notes="",
    channel=OrderChannel.PORTAL,
    received_at=None,
    entered_by=None,
    monthly_price=None,
    setup_fee=None,
    request_key=None,
    now=None,
):
    """Save an order and its confirmation message together. Staff give `received_at`, the real time they
    took a phoned or emailed order; the portal's orders are received now.

    With `request_key` (the portal form's), a repeated submission returns the order already placed.
    """
    now = now or clock.now()
    received_at = received_at or now
    if request_key is not None:
        earlier = _order_with_key(customer, request_key)
        if earlier is not None:
            return earlier
    monthly_price, setup_fee = validate_order(
        customer=customer,
        product=product,
        channel=channel,
        received_at=received_at,
        preferred_start_date=preferred_start_date,
        monthly_price=monthly_price,
        setup_fee=setup_fee,
        now=now,
    )

    order = Order(
        customer=customer,
        product=product,
        channel=channel,
        address=address,
        postcode=postcode,
        preferred_start_date=preferred_start_date,
        contact_name=contact_name,
        contact_phone=contact_phone,
        contact_email=contact_email,
        notes=notes,
        monthly_price=monthly_price,
        setup_fee=setup_fee,
        minimum_term_months=product.minimum_term_months,
        received_at=received_at,
        confirmation_due_at=confirmation_due(received_at),
        entered_by=entered_by,
        request_key=request_key,
    )
    try:
        with transaction.atomic():
            order.save()
    except IntegrityError:
        # Two identical submissions at the same instant: the other one won, and its order stands.
        if request_key is None:
            raise
        return _order_with_key(customer, request_key)
    how = "in the portal" if channel == OrderChannel.PORTAL else f"by {OrderChannel(channel).label.lower()}"
    OrderEvent.objects.create(
        order=order,
        kind=OrderEventKind.PLACED,
        text=f"Order received {how}.",
        by=entered_by or customer,
        at=received_at,
    )
    order.confirmation_message = emails.order_received(order, now=now)
    order.save(update_fields=["confirmation_message"])
    return order


def _order_with_key(customer, request_key):
    """The order a portal form's key already made, or None. The key is unique across all customers (it is
    a random UUID the form was given), so one that belongs to another customer's order is a form that
    was tampered with or copied: refused, and nothing of either order is shown or changed."""
    earlier = Order.objects.filter(request_key=request_key).first()
    if earlier is not None and earlier.customer_id != customer.pk:
        raise Refused(
            "This order form cannot be sent again. Please open the order page afresh and place your order from there."
        )
    return earlier


def _lock(order):
    return Order.objects.select_for_update().select_related("customer", "product").get(pk=order.pk)


def _check(order, to):
    check_move(ORDER_TRANSITIONS, order.status, to, what="An order", words=ORDER_WORDS)


def _move(*, order, to, by, text, now, service=None, **fields):
    """Move an order along ORDER_TRANSITIONS (stamping the time ORDER_STAMPS names), with its event and
    the customer's email, or refuse."""
    locked = _lock(order)
    _check(locked, to)
    locked.status = to
    if to in ORDER_STAMPS:
        fields[ORDER_STAMPS[to]] = now
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save(update_fields=["status", *fields])
    OrderEvent.objects.create(order=locked, kind=OrderEventKind(to), text=text, by=by, at=now)
    emails.order_status(locked, text=text, service=service, now=now)
    return locked


@transaction.atomic
def order_confirm(*, order, by, now=None):
    """Staff have checked the order and accept it."""
    now = now or clock.now()
    days = order.product.setup_working_days
    return _move(
        order=order,
        to=OrderStatus.CONFIRMED,
        by=by,
        now=now,
        text=f"Order accepted. Set-up usually takes {plural(days, 'working day')}.",
    )


@transaction.atomic
def order_start(*, order, by, now=None):
    now = now or clock.now()
    return _move(order=order, to=OrderStatus.IN_PROGRESS, by=by, now=now, text="Work on your order has started.")


@transaction.atomic
def order_complete(*, order, by, start_date=None, now=None):
    """The order is done: the customer now holds the service, from `start_date` (default: today)."""
    now = now or clock.now()
    locked = _lock(order)
    _check(locked, OrderStatus.COMPLETED)  # before the service is made
    start = start_date or london(now).date()
    term_end = add_months(start, locked.minimum_term_months)
    service = Service.objects.create(
        customer=locked.customer,
        product=locked.product,
        order=locked,
        address=locked.address,
        postcode=locked.postcode,
        start_date=start,
        minimum_term_end=term_end,
        monthly_price=locked.monthly_price,
        fault_contact_name=locked.contact_name,
        fault_contact_phone=locked.contact_phone,
        alert_email=(locked.contact_email or locked.customer.email) if locked.product.is_hosting else "",
        created_at=now,
    )
    term = (
        f"Its minimum contract period ends on {day_text(term_end)}."
        if term_end > start
        else "It has no minimum contract period."
    )
    ServiceEvent.objects.create(
        service=service,
        kind=ServiceEventKind.STARTED,
        by=by,
        at=now,
        text=f"Service started on {day_text(start)}. {term}",
    )
    return _move(
        order=locked,
        to=OrderStatus.COMPLETED,
        by=by,
        now=now,
        service=service,
        text=f"Order completed: your {locked.product.name} service started on {day_text(start)}. {term}",
    )


def _reason(reason):
    return required_text(reason, "Give the reason: the customer is told it.", field="reason")


@transaction.atomic
def order_cancel(*, order, by, reason, now=None):
    """Cancelled before completion, for instance at the customer's request."""
    now = now or clock.now()
    reason = _reason(reason)
    return _move(
        order=order, to=OrderStatus.CANCELLED, by=by, now=now, closed_reason=reason, text=f"Order cancelled: {reason}"
    )


@transaction.atomic
def order_reject(*, order, by, reason, now=None):
    """We cannot provide what was ordered (for instance, no FTTC at that address)."""
    now = now or clock.now()
    reason = _reason(reason)
    return _move(
        order=order,
        to=OrderStatus.REJECTED,
        by=by,
        now=now,
        closed_reason=reason,
        text=f"We cannot go ahead with this order: {reason}",
    )


def confirmation_state(order, *, now=None):
    """Due, at risk, overdue, done in time or done late (portal/sla.py), from the message's sent time."""
    message = order.confirmation_message
    return sla.state(
        due_at=order.confirmation_due_at,
        done_at=message.sent_at if message else None,
        now=now,
        at_risk_office_hours=policy.value("ORDER_AT_RISK_OFFICE_HOURS"),
    )


def order_confirmation_sent(*, message):
    """The after-send step of an order's confirmation: the order keeps the time it went. Safe to run twice."""
    return Order.objects.filter(confirmation_message=message, confirmation_sent_at__isnull=True).update(
        confirmation_sent_at=message.sent_at
    )


@transaction.atomic
def orders_alert_confirmations(*, now=None):
    """Warn customer services about orders whose confirmation message has not gone and is newly at risk
    (due within ORDER_AT_RISK_OFFICE_HOURS office hours) or overdue: one email per order and level, so an
    order alerted at risk is alerted again when it becomes overdue, as complaints and faults are
    (portal/sla.py claim_alerts, whose row locks keep two overlapping runs from alerting twice).
    Returns {sla.AT_RISK: [...], sla.OVERDUE: [...]}."""
    now = now or clock.now()

    def record(order, level):
        order.alerted_at = now
        order.save(update_fields=["alerted_at"])
        emails.order_confirmation_alert(order, state=level, now=now)

    # confirmation_sent_at narrows the selection to the indexed few (orders_order_alert_pending); the message's
    # own sent_at stays the rule, in case an after-send step has not run yet.
    return sla.claim_alerts(
        Order.objects.filter(confirmation_sent_at__isnull=True).select_related(
            "customer", "product", "confirmation_message"
        ),
        due_field="confirmation_due_at",
        done_field="confirmation_message__sent_at",
        level_field="alert_level",
        at_risk_office_hours=policy.value("ORDER_AT_RISK_OFFICE_HOURS"),
        now=now,
        record=record,
    )


@transaction.atomic
def order_add_customer_message(
    *, order, customer, text, received_at, via=customer_messages.Via.EMAIL, email=None, now=None
):
    """A customer's message about their order (today only by email: a reply to one of our emails about
    it, or an email customer services file on it from the triage list), on the order's timeline with the
    time it reached us, and customer services told, once per message (orders have no owner; Code: orders
    by "emailing"). An emailed message links its stored `email` from the event."""
    now = now or clock.now()
    if order.customer_id != customer.pk:
        raise Refused("This order is not the customer's.")
    text = (text or "").strip()
    if not text:
        raise Refused("Write the message first.", field="text")
    try:
        customer_messages.check_arrival(received_at=received_at, via=via, now=now, case_since=order.received_at)
    except customer_messages.ArrivalRefused as refusal:
        raise Refused(str(refusal), field="received_at") from None
    locked = Order.objects.select_for_update(of=("self",)).select_related("customer", "product").get(pk=order.pk)
    message = OrderEvent.objects.create(
        order=locked, kind=OrderEventKind.CUSTOMER_MESSAGE, text=text, by=customer, at=received_at, via=via, email=email
    )
    emails.order_customer_message(locked, message, now=now)
    return message
