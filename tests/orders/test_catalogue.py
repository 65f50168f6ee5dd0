"""The catalogue: current prices with VAT for logged-in customers, the price list by email for anyone,
and quotes for products priced on request.

Code (Pricing): "Up-to-date prices for our products and services are always available via email request".
"""

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from orders.models import PriceListRequest, QuoteRequest
from portal.formats import price_text
from portal.money import with_vat
from tests.helpers import emails_to, shows

CATALOGUE = reverse("orders:catalogue")
PRICE_LIST = reverse("orders:price_list")


def test_the_catalogue_holds_the_codes_contract_periods(products):
    terms = {code: p.minimum_term_months for code, p in products.items()}

    # Code: "ADSL Internet: 1 Month, FTTC Internet: 12 Months, PSTN Line Rental: 1 Month,
    # ISDN 2 Line Rental: 12 Months, ISDN 30 Line Rental: 12 Months"; hosting has none.
    assert {k: terms[k] for k in ["adsl", "fttc", "pstn", "isdn2", "isdn30", "shared-hosting", "dedicated-server"]} == {
        "adsl": 1,
        "fttc": 12,
        "pstn": 1,
        "isdn2": 12,
        "isdn30": 12,
        "shared-hosting": 0,
        "dedicated-server": 0,
    }
    assert [c for c, p in products.items() if p.cancellation_needs_industry_process] == ["adsl"]
    assert [c for c, p in products.items() if p.price_on_request] == ["leased-line"]
    assert {p.family for p in products.values()} == {"broadband", "telecoms", "hosting"}


def test_a_logged_in_customer_sees_current_prices_with_vat(client, alice, products):
    client.force_login(alice)

    response = client.get(CATALOGUE)

    assert shows(response, "FTTC fibre broadband")
    assert shows(
        response, "£25.00 a month + VAT (£30.00 inc. VAT) £50.00 + VAT (£60.00 inc. VAT) 12 months 10 working days"
    )
    assert shows(response, "Shared web hosting")
    assert shows(response, "£6.00 a month + VAT (£7.20 inc. VAT) No set-up fee No minimum term 1 working day")
    assert shows(response, "Leased line")
    assert shows(response, "Price on request")
    assert shows(response, "Cancelling takes 10 working days, as it needs an industry process.")
    assert shows(response, "Order FTTC fibre broadband")
    assert shows(response, "Ask for a quote for Leased line")


def test_a_price_changed_by_staff_is_what_customers_see_next(client, alice, products):
    fttc = products["fttc"]
    fttc.monthly_price = Decimal("27.49")
    fttc.save()
    client.force_login(alice)

    assert shows(client.get(CATALOGUE), "£27.49 a month + VAT (£32.99 inc. VAT)")


def test_visitors_must_log_in_to_see_prices(client, products):
    response = client.get(CATALOGUE)

    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_vat_is_added_at_the_policy_rate_rounded_half_up_to_the_penny(settings):
    assert with_vat(Decimal("25.00")) == Decimal("30.00")
    assert with_vat(Decimal("17.49")) == Decimal("20.99")  # 20.988
    assert with_vat(Decimal("0.10"), rate=Decimal("0.25")) == Decimal("0.13")  # 0.125: half-up, not to even
    settings.PORTAL_POLICY = {**settings.PORTAL_POLICY, "VAT_RATE": Decimal("0.175")}
    assert price_text(Decimal("1000.00"), "a month") == "£1,000.00 a month + VAT (£1,175.00 inc. VAT)"


def test_anyone_can_have_the_price_list_emailed(client, products, on_commit):
    with on_commit():
        response = client.post(PRICE_LIST, {"name": "Dan Dawes", "email": "dan@example.org"}, follow=True)

    assert shows(response, "Thank you. We are emailing our price list to dan@example.org.")
    [email] = mail.outbox
    assert email.to == ["dan@example.org"]  # a name typed by a visitor stays out of our email
    assert email.body.startswith("Hello,\n") and "Dan Dawes" not in email.body
    assert email.subject == "121 Communications price list"
    assert "FTTC fibre broadband: Fibre to the cabinet" in email.body
    assert "Monthly: £25.00 a month + VAT (£30.00 inc. VAT)" in email.body
    assert "Leased line" in email.body and "Price on request" in email.body
    assert PriceListRequest.objects.get().email == "dan@example.org"


def test_a_second_price_list_to_the_same_address_within_the_hour_is_refused(client, products, on_commit):
    with on_commit():
        client.post(PRICE_LIST, {"name": "Dan Dawes", "email": "dan@example.org"})
        response = client.post(PRICE_LIST, {"name": "Dan Dawes", "email": "DAN@example.org"})

    assert shows(response, "We sent our price list to that address less than an hour ago")
    assert len(mail.outbox) == 1
    assert PriceListRequest.objects.count() == 1


def test_a_leased_line_is_quoted_not_ordered(client, alice, sam, products, on_commit):
    leased = products["leased-line"]
    client.force_login(alice)

    assert client.get(reverse("orders:order_create", args=[leased.pk]))["Location"] == reverse(
        "orders:quote_request", args=[leased.pk]
    )
    with on_commit():
        response = client.post(
            reverse("orders:quote_request", args=[leased.pk]),
            {
                "address": "Unit 4, Parkwood Estate\nMaidstone",
                "postcode": "me15 9yy",
                "requirements": "100 Mbps symmetric, from March.",
                "contact_phone": "01622 000101",
            },
            follow=True,
        )

    assert shows(response, "Thank you: we have your request for a Leased line quote.")
    quote = QuoteRequest.objects.get()
    assert (quote.customer, quote.postcode) == (alice, "ME15 9YY")
    staff_email = emails_to("sam@121com.co.uk")[0]
    assert staff_email.subject == "Quote requested: Leased line for alice"
    assert "100 Mbps symmetric, from March." in staff_email.body
    customer_email = emails_to("alice@example.co.uk")[0]
    assert customer_email.subject == "Your request for a Leased line quote"


@pytest.mark.parametrize("code", ["fttc", "shared-hosting"])
def test_a_listed_product_is_ordered_not_quoted(client, alice, products, code):
    client.force_login(alice)
    product = products[code]

    assert client.get(reverse("orders:quote_request", args=[product.pk]))["Location"] == reverse(
        "orders:order_create", args=[product.pk]
    )


def test_the_public_price_list_form_is_limited_per_visitor(client, products, settings):
    from orders.models import PriceListRequest

    settings.PUBLIC_FORM_LIMITS = {**settings.PUBLIC_FORM_LIMITS, "per_address_per_hour": 2}
    url = reverse("orders:price_list")
    for n in range(2):
        client.post(url, {"name": "Someone", "email": f"p{n}@example.com"})

    response = client.post(url, {"name": "Someone", "email": "victim@example.com"})

    assert response.status_code == 429
    assert "many requests from here" in response.content.decode()
    assert PriceListRequest.objects.count() == 2
