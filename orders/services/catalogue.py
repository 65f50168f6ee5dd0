"""Prices on request: the emailed price list and quotes for products priced per site.

Code (Pricing): "Up-to-date prices for our products and services are always available via email request".
"""

from django.db import transaction

from orders import emails
from orders.models import PriceListRequest, QuoteRequest
from portal import clock
from portal.workflow import Refused


@transaction.atomic
def price_list_request(*, name, email, customer=None, now=None):
    """The form is public and sends an email to the address typed in: the view limits how often, per visitor
    and per recipient, with the Code's copy form (portal/throttle.py)."""
    from orders.selectors import price_list_products

    now = now or clock.now()
    email = email.strip()
    request = PriceListRequest.objects.create(name=name.strip(), email=email, customer=customer, received_at=now)
    emails.price_list(request, products=list(price_list_products()), now=now)
    return request


@transaction.atomic
def quote_request_create(*, customer, product, address, postcode, requirements, contact_phone="", now=None):
    """A customer asks for a price for a product priced on request; customer services are told at once."""
    now = now or clock.now()
    if not product.price_on_request:
        raise Refused(f"{product.name} has a listed price: you can order it directly.", field="product")
    quote = QuoteRequest.objects.create(
        customer=customer,
        product=product,
        address=address,
        postcode=postcode,
        requirements=requirements,
        contact_phone=contact_phone,
        received_at=now,
    )
    emails.quote_request(quote, now=now)
    emails.quote_received(quote, now=now)
    return quote


@transaction.atomic
def quote_request_mark_answered(*, quote, by, now=None):
    """Staff have sent the quote. Returns False if it was already marked."""
    now = now or clock.now()
    return (
        QuoteRequest.objects.filter(pk=quote.pk, answered_at__isnull=True).update(answered_at=now, answered_by=by) == 1
    )
