"""Every change in the orders app goes through these functions (`<entity>_<action>(*, ...)`).

Split by topic; import from here: `from orders import services; services.order_place(...)`.
"""

from orders.services.cancellations import (
    cancellation_request,
    cancellation_withdraw,
    service_cease,
    validate_cancellation,
    withdrawal_for,
)
from orders.services.catalogue import price_list_request, quote_request_create, quote_request_mark_answered
from orders.services.held import CONTROL_PANEL_FIELDS, service_resume, service_suspend, service_update_settings
from orders.services.orders import (
    confirmation_state,
    order_add_customer_message,
    order_cancel,
    order_complete,
    order_confirm,
    order_confirmation_sent,
    order_place,
    order_reject,
    order_start,
    orders_alert_confirmations,
    validate_order,
)

__all__ = [
    "CONTROL_PANEL_FIELDS",
    "cancellation_request",
    "cancellation_withdraw",
    "confirmation_state",
    "order_add_customer_message",
    "order_cancel",
    "order_complete",
    "order_confirm",
    "order_confirmation_sent",
    "order_place",
    "order_reject",
    "order_start",
    "orders_alert_confirmations",
    "price_list_request",
    "quote_request_create",
    "quote_request_mark_answered",
    "service_cease",
    "service_resume",
    "service_suspend",
    "service_update_settings",
    "validate_cancellation",
    "validate_order",
    "withdrawal_for",
]
