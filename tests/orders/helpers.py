"""Helpers of the orders tests: London times, held services, and reading what customers receive."""

import html
import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core import mail
from django.utils import timezone

from orders import services
from orders.models import OrderChannel

LONDON = ZoneInfo("Europe/London")


def today():
    """Today's date in London."""
    return timezone.now().astimezone(LONDON).date()


def london(year, month, day, hour=12, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


def place(customer, product, *, received_at=None, now=None, **extra):
    """An order as the portal places it (or, with received_at, as staff enter it)."""
    fields = dict(customer=customer, product=product, address="12 Orchard Way\nMaidstone", postcode="ME17 4AA",
                  contact_name=customer.full_name, contact_phone="01622 000101", received_at=received_at,
                  now=now or received_at)
    if received_at is not None:
        fields["channel"] = OrderChannel.PHONE
    fields.update(extra)
    return services.order_place(**fields)


def hold(customer, product, *, start, by):
    """A service the customer holds from `start`: ordered by phone a fortnight before, then completed."""
    started_at = datetime.combine(start, time(10, 0), tzinfo=LONDON)
    order = place(customer, product, received_at=started_at - timedelta(days=14))
    services.order_confirm(order=order, by=by, now=started_at - timedelta(days=13))
    services.order_start(order=order, by=by, now=started_at - timedelta(days=12))
    return services.order_complete(order=order, by=by, start_date=start, now=started_at).service


def page_text(response):
    """The words a reader sees on the page: no tags, entities decoded, whitespace collapsed."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def shows(response, text):
    """Whether the page shows `text` to the reader, whatever markup sits around its words."""
    return " ".join(text.split()) in page_text(response)


def emails_to(address):
    return [m for m in mail.outbox if any(address in to for to in m.to)]
