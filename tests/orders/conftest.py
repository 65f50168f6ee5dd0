"""Fixtures of the orders tests: the catalogue, and services the personas already hold."""

import importlib
from datetime import date

import pytest
from django.apps import apps

from orders.models import Product
from portal.clock import today
from portal.dates import add_months
from tests.orders.helpers import hold


@pytest.fixture
def products(db):
    """The catalogue of the data migration. Put back here because a transactional test (the browser
    journey, the worker test, other apps' tests) empties every table when it ends."""
    importlib.import_module("orders.migrations.0002_catalogue").add_products(apps, None)
    return {p.code: p for p in Product.objects.all()}


@pytest.fixture
def fttc(products):
    return products["fttc"]


@pytest.fixture
def alices_fttc(alice, fttc, sam):
    """Alice's FTTC line, started three months ago: nine months of its 12-month minimum term are left."""
    return hold(alice, fttc, start=add_months(today(), -3), by=sam)


@pytest.fixture
def june_fttc(alice, fttc, sam):
    """Alice's FTTC line, started on 15 June 2026: its 12-month minimum term ends on 15 June 2027."""
    return hold(alice, fttc, start=date(2026, 6, 15), by=sam)
