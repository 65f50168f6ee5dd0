"""What other apps read of the orders app: the services a customer holds (complaints and faults are
about them), through orders.selectors only."""

from datetime import date

from orders import selectors
from orders.models import Family, ServiceStatus
from tests.orders.helpers import hold


def test_a_customers_services_are_hers_only_and_a_withdrawn_one_is_not_in_use(alice, bob, products, sam):
    fttc = hold(alice, products["fttc"], start=date(2026, 6, 15), by=sam)
    hosting = hold(alice, products["shared-hosting"], start=date(2026, 9, 1), by=sam)
    bobs = hold(bob, products["pstn"], start=date(2026, 9, 1), by=sam)
    type(hosting).objects.filter(pk=hosting.pk).update(status=ServiceStatus.CEASED)

    assert set(selectors.services_held(customer=alice)) == {fttc, hosting}
    assert set(selectors.services_in_use(customer=alice)) == {fttc}
    assert set(selectors.services_in_use()) == {fttc, bobs}
    assert list(selectors.services_in_use(customer=alice, family=Family.HOSTING)) == []
    assert list(selectors.services_in_use(family=Family.TELECOMS)) == [bobs]
