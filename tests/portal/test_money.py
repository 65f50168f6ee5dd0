"""Money arithmetic (portal/money.py): Decimal, VAT at the policy rate, half up to the penny."""

from decimal import Decimal

from portal.money import PENNY, vat_rate, with_vat


def test_vat_is_the_policy_rate(settings):
    assert vat_rate() == Decimal("0.20")
    settings.PORTAL_POLICY = {**settings.PORTAL_POLICY, "VAT_RATE": Decimal("0.175")}
    assert vat_rate() == Decimal("0.175")


def test_vat_is_added_and_rounded_half_up_to_the_penny():
    assert with_vat(Decimal("25.00")) == Decimal("30.00")
    assert with_vat(Decimal("17.49")) == Decimal("20.99")  # 20.988
    assert with_vat(Decimal("0.10"), rate=Decimal("0.25")) == Decimal("0.13")  # 0.125: half up, not to even
    assert with_vat("10", rate="0") == Decimal("10.00")


def test_amounts_are_pence_exact():
    assert with_vat(Decimal("1")).as_tuple().exponent == PENNY.as_tuple().exponent == -2
