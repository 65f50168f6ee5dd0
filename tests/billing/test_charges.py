"""What a month bills: services in advance pro rata by day, last month squared, one-off charges, the VAT rule."""

from datetime import date
from decimal import Decimal

import pytest

from billing import charges
from billing.charges import Charge, charges_for, totals, vat_by_rate
from billing.models import AccountCharge, LineKind
from billing.services.issuing import invoice_issue_for_period
from portal.office_hours import TZ
from tests.billing.run_helpers import cancel, held, suspend

JAN, FEB = date(2027, 1, 1), date(2027, 2, 1)


def service_lines(lines):
    return [
        (ln.kind, ln.period_start, ln.period_end, ln.quantity, ln.net)
        for ln in lines
        if ln.service is not None and ln.kind != LineKind.SETUP
    ]


@pytest.fixture
def issue_now():
    from datetime import datetime

    return lambda day: datetime(day.year, day.month, day.day, 6, 0, tzinfo=TZ)


def test_a_whole_month_in_advance_is_the_monthly_price(alice):
    held(alice, start=date(2026, 6, 1))
    assert service_lines(charges_for(alice, JAN)) == [
        (LineKind.SERVICE, JAN, date(2027, 1, 31), Decimal("1.0000"), Decimal("25.00"))
    ]


def test_a_service_starting_mid_month_is_charged_from_its_start_day(alice):
    service = held(alice, start=date(2027, 1, 18), setup_fee="0")
    [line] = charges_for(alice, JAN)
    assert (line.period_start, line.period_end) == (date(2027, 1, 18), date(2027, 1, 31))
    assert "14 of 31 days" in line.description and service.reference in line.description
    # 25.00 x 14 / 31 = 11.2903...: the net from the exact fraction, half up; the quantity to 4 places.
    assert (line.quantity, line.unit_price, line.net) == (Decimal("0.4516"), Decimal("25.00"), Decimal("11.29"))


def test_a_service_ceased_mid_month_is_charged_until_the_day_before(alice):
    held(alice, start=date(2026, 6, 1), ceased_on=date(2027, 1, 15))
    assert service_lines(charges_for(alice, JAN)) == [
        (LineKind.SERVICE, JAN, date(2027, 1, 14), Decimal("0.4516"), Decimal("11.29"))
    ]


def test_a_cancellation_stops_the_charge_at_its_withdrawal_date_in_february(alice):
    service = held(alice, start=date(2026, 6, 1))
    cancel(service, withdrawal_date=date(2027, 2, 10), received=date(2027, 1, 20))
    # February 2027 has 28 days: 1 to 9 February is 9 of 28 days, 25.00 x 9 / 28 = 8.0357 -> 8.04.
    lines = service_lines(charges_for(alice, FEB))
    assert lines == [(LineKind.SERVICE, FEB, date(2027, 2, 9), Decimal("0.3214"), Decimal("8.04"))]


def test_a_leap_year_february_has_29_days(alice):
    held(alice, start=date(2028, 2, 15), setup_fee="0")
    [line] = charges_for(alice, date(2028, 2, 1))
    assert "15 of 29 days" in line.description
    assert (line.period_end, line.net) == (date(2028, 2, 29), Decimal("12.93"))  # 25 x 15 / 29 = 12.931


def test_suspended_days_are_charged_when_the_setting_says_so(alice, settings):
    settings.BILLING = {**settings.BILLING, "CHARGE_SUSPENDED_DAYS": True}
    service = held(alice, start=date(2026, 6, 1))
    suspend(service, date(2027, 1, 10), resumed_on=date(2027, 1, 20))
    assert [ln[4] for ln in service_lines(charges_for(alice, JAN))] == [Decimal("25.00")]


def test_suspended_days_are_not_charged_when_the_setting_is_off(alice, settings):
    settings.BILLING = {**settings.BILLING, "CHARGE_SUSPENDED_DAYS": False}
    service = held(alice, start=date(2026, 6, 1))
    suspend(service, date(2027, 1, 10), resumed_on=date(2027, 1, 20))
    # Suspended on the 10th, restored on the 20th: 1-9 and 20-31 January are charged, 9 and 12 of 31 days.
    assert service_lines(charges_for(alice, JAN)) == [
        (LineKind.SERVICE, JAN, date(2027, 1, 9), Decimal("0.2903"), Decimal("7.26")),
        (LineKind.SERVICE, date(2027, 1, 20), date(2027, 1, 31), Decimal("0.3871"), Decimal("9.68")),
    ]


def test_a_suspension_still_going_on_is_not_billed_in_advance_with_the_setting_off(alice, settings):
    settings.BILLING = {**settings.BILLING, "CHARGE_SUSPENDED_DAYS": False}
    service = held(alice, start=date(2026, 6, 1))
    suspend(service, date(2026, 12, 28))
    assert service_lines(charges_for(alice, JAN)) == []


def test_next_month_squares_a_service_that_started_after_the_run(alice, issue_now):
    held(alice, start=date(2027, 1, 20), setup_fee="0")
    lines = service_lines(charges_for(alice, FEB))
    assert lines == [
        (LineKind.SERVICE, date(2027, 1, 20), date(2027, 1, 31), Decimal("0.3871"), Decimal("9.68")),
        (LineKind.SERVICE, FEB, date(2027, 2, 28), Decimal("1.0000"), Decimal("25.00")),
    ]


def test_next_month_credits_the_days_after_a_withdrawal_it_did_not_know_of(alice, issue_now):
    service = held(alice, start=date(2026, 6, 1), setup_fee="0")
    assert invoice_issue_for_period(customer=alice, period=JAN, now=issue_now(JAN)).total == Decimal("30.00")
    # Cancelled after January's invoice, withdrawn on 22 January: 22-31 January were billed and not provided.
    cancel(service, withdrawal_date=date(2027, 1, 22), received=date(2027, 1, 12))
    lines = service_lines(charges_for(alice, FEB))
    assert lines == [(LineKind.CREDIT, date(2027, 1, 22), date(2027, 1, 31), Decimal("-0.3226"), Decimal("-8.06"))]


def test_a_month_billed_is_not_billed_again(alice, issue_now):
    held(alice, start=date(2026, 6, 1), setup_fee="0")
    invoice_issue_for_period(customer=alice, period=JAN, now=issue_now(JAN))
    assert [ln[1] for ln in service_lines(charges_for(alice, FEB))] == [FEB]


def test_the_set_up_fee_of_the_order_is_charged_once(alice, issue_now):
    held(alice, start=date(2027, 1, 4), setup_fee="50.00")
    jan = [ln for ln in charges_for(alice, JAN) if ln.kind == LineKind.SETUP]
    assert [(ln.net, ln.description.startswith("Set-up fee")) for ln in jan] == [(Decimal("50.00"), True)]
    invoice_issue_for_period(customer=alice, period=JAN, now=issue_now(JAN))
    assert [ln for ln in charges_for(alice, FEB) if ln.kind == LineKind.SETUP] == []


def test_one_off_charges_and_credits_from_accounts_go_on_the_invoice(alice, ann):
    AccountCharge.objects.create(customer=alice, description="Replacement router", amount="40.00", vat_rate="0.200")
    AccountCharge.objects.create(customer=alice, description="Goodwill credit", amount="-10.00", vat_rate="0.200")
    lines = charges_for(alice, JAN)
    assert [(ln.kind, ln.description, ln.net) for ln in lines] == [
        (LineKind.CHARGE, "Replacement router", Decimal("40.00")),
        (LineKind.CREDIT, "Goodwill credit", Decimal("-10.00")),
    ]


def line(net, rate="0.200"):
    return Charge(
        kind=LineKind.CHARGE, description="x", net=Decimal(net), unit_price=Decimal(net), vat_rate=Decimal(rate)
    )


def test_vat_is_worked_out_per_invoice_per_rate_not_per_line():
    # Per line, 0.03 x 20% = 0.006 would round to 0.01 three times (0.03); on the invoice's 0.09 it is 0.02.
    assert totals([line("0.03")] * 3) == (Decimal("0.09"), Decimal("0.02"), Decimal("0.11"))


def test_vat_rounds_half_up_to_the_penny():
    # 3.00 at 17.5% is 0.525: half up gives 0.53 (rounding half to even would give 0.52).
    assert vat_by_rate([line("3.00", "0.175")]) == {Decimal("0.175"): (Decimal("3.00"), Decimal("0.53"))}
    assert charges.half_up(Decimal("0.125")) == Decimal("0.13")


def test_each_rate_has_its_own_vat():
    by_rate = vat_by_rate([line("10.00"), line("5.00", "0.050"), line("2.50")])
    assert by_rate == {
        Decimal("0.050"): (Decimal("5.00"), Decimal("0.25")),
        Decimal("0.200"): (Decimal("12.50"), Decimal("2.50")),
    }
