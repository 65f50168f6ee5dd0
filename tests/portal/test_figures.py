"""portal/figures.py: a customer's figures from several tables in one query, as the same Python values on
PostgreSQL and on SQLite (the embedded default), which returns sums as floats and dates as text."""

from datetime import date
from decimal import Decimal

import pytest

from accounts.models import MarketingConsent
from portal import clock
from portal.figures import CUSTOMER, DATE, FLAG, MONEY, Figure, fetch


@pytest.mark.parametrize(
    ("kind", "raw", "value"),
    [
        (MONEY, 0.1 + 0.2, Decimal("0.30")),  # SQLite's float sum, to the penny
        (MONEY, 1758.0, Decimal("1758.00")),
        (MONEY, Decimal("12.5"), Decimal("12.50")),
        (MONEY, None, Decimal("0.00")),  # nothing to add up
        (DATE, "2027-01-26", date(2027, 1, 26)),
        (DATE, date(2027, 1, 26), date(2027, 1, 26)),
        (DATE, None, None),
        (FLAG, 1, True),
        (FLAG, 0, False),
        (FLAG, None, None),  # no row: the card decides what that means
    ],
)
def test_each_kind_of_figure_reads_the_same_from_either_database(kind, raw, value):
    result = Figure("SELECT 1", (), kind).value(raw)

    assert result == value and type(result) is type(value)


def test_a_count_with_nothing_to_count_is_nought():
    assert Figure.count(MarketingConsent).value(None) == 0


def test_the_figures_come_in_one_query_and_stay_on_their_customer(alice, bob, django_assert_num_queries):
    MarketingConsent.objects.create(customer=bob, opted_in=True, channel="portal", at=clock.now())
    figures = {
        "changes": Figure.count(MarketingConsent),
        "opted_in": Figure(
            "SELECT opted_in FROM accounts_marketingconsent WHERE customer_id = %s ORDER BY at DESC LIMIT 1",
            (CUSTOMER,),
            FLAG,
        ),
        "in_words": Figure(
            "SELECT COUNT(*) FROM accounts_user WHERE id = %s AND full_name = %s", (CUSTOMER, bob.full_name)
        ),
    }

    with django_assert_num_queries(1):
        alices = fetch(alice, figures)
    bobs = fetch(bob, figures)

    assert alices == {"changes": 0, "opted_in": None, "in_words": 0}
    assert bobs == {"changes": 1, "opted_in": True, "in_words": 1}
