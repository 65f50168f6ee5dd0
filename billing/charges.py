"""What a month bills an account: its services in advance, pro rata by day, and its one-off charges and credits.

Monthly in advance (DESIGN, billing): the run for January, on BILLING["RUN_DAY"], bills January. What it
knows then decides the days: the start date, the day before a service's withdrawal (a cease, or the
withdrawal date of a cancellation in hand: "the service is withdrawn on this date; charges stop from it", and
Code (Account Cancellations): "you remain liable for the costs of any services we provide" until then), and,
when BILLING["CHARGE_SUSPENDED_DAYS"] is off, the days a service is suspended for non-payment (a suspension
still going on is taken to last the month). What happens after a run is squared on the next one: last
month's days are worked out again from what is known now and compared with what its lines billed, so a
service that started after last month's run is charged from its start date, one withdrawn or suspended
after it is credited the days it was not provided, and one restored is charged again. Last month is squared
for services this portal has billed before or that started last month; an older service billed by nobody
here is not billed for the past.

Pro rata, the convention a UK invoice reader checks: one line per run of consecutive days, its period printed
(first and last day), the words "14 of 31 days" in its description, the unit price the monthly price
excluding VAT, and the quantity the fraction of the month to 4 decimal places (1.0000 for a whole month).
The net is the monthly price times days billed over days in that month, rounded half up to the penny once,
from the exact fraction, never from the 4-place quantity: so a whole month is exactly the monthly price.

One-off: the set-up fee agreed on the service's order (once: a database constraint on the line), abortive
engineer visits waiting in faults, and charges and credits Accounts staff added (AccountCharge).

VAT (DESIGN, billing; HMRC allows per line or per invoice): per invoice, per rate. The nets of the lines at
one rate are added up, the VAT on that sum is rounded half up to the penny, and the invoice's VAT is the sum
over its rates (vat_by_rate). Credit notes use the same rule.
"""

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

from billing.models import AccountCharge, ChargeStatus, InvoiceLine, LineKind
from faults import selectors as fault_selectors
from orders import selectors as order_selectors
from orders.models import ServiceEventKind
from portal.dates import add_months
from portal.formats import day_text
from portal.money import vat_rate as policy_vat_rate
from portal.office_hours import london

PENNY = Decimal("0.01")
ZERO = Decimal("0.00")
QUANTITY_PLACES = Decimal("0.0001")


def half_up(amount):
    """To the penny, half up (the one rounding of money in billing)."""
    return Decimal(amount).quantize(PENNY, rounding=ROUND_HALF_UP)


def month_of(day):
    return day.replace(day=1)


def last_day(first):
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def days_in_month(first):
    return calendar.monthrange(first.year, first.month)[1]


@dataclass
class Charge:
    """One line an invoice will carry (InvoiceLine's fields, before the invoice exists)."""

    kind: str
    description: str
    net: Decimal
    vat_rate: Decimal
    unit_price: Decimal
    quantity: Decimal = Decimal("1")
    period_start: date | None = None
    period_end: date | None = None
    service: object = None
    visit_charge: object = None
    account_charge: object = None
    position: int = field(default=0)


# --- VAT and totals ---------------------------------------------------------------------------------


def vat_by_rate(lines):
    """{rate: (net at that rate, VAT on it)}: VAT per invoice per rate, rounded half up to the penny."""
    nets = {}
    for line in lines:
        rate = Decimal(line.vat_rate)
        nets[rate] = nets.get(rate, ZERO) + Decimal(line.net)
    return {rate: (net, half_up(net * rate)) for rate, net in sorted(nets.items())}


def totals(lines):
    """(net, VAT, total) of a document's lines by the per-invoice-per-rate rule."""
    by_rate = vat_by_rate(lines)
    net = sum((n for n, _ in by_rate.values()), ZERO)
    vat = sum((v for _, v in by_rate.values()), ZERO)
    return net, vat, net + vat


# --- Days of a service ------------------------------------------------------------------------------


def last_day_charged(service):
    """The last day a service is charged for, or None while it runs on: the day before it was withdrawn, or
    before the withdrawal date of its cancellation in hand."""
    ends = [d for d in (service.ceased_on, getattr(service, "pending_withdrawal_date", None)) if d]
    return min(ends) - timedelta(days=1) if ends else None


def suspended_spans(service):
    """(first, last) London days the service was suspended for non-payment, from its timeline; `last` is None
    for a suspension still going on. The day of suspension is not charged; the day of restoration is."""
    spans, since = [], None
    for event in getattr(service, "suspension_events", None) or []:
        day = london(event.at).date()
        if event.kind == ServiceEventKind.SUSPENDED and since is None:
            since = day
        elif event.kind == ServiceEventKind.RESUMED and since is not None:
            if day > since:
                spans.append((since, day - timedelta(days=1)))
            since = None
    if since is not None:
        spans.append((since, None))
    return spans


def chargeable_days(service, first, *, charge_suspended=None):
    """The days of the month starting `first` that the service is charged for, as far as is known now."""
    charge_suspended = settings.BILLING["CHARGE_SUSPENDED_DAYS"] if charge_suspended is None else charge_suspended
    start = max(service.start_date, first)
    end = last_day(first)
    stop = last_day_charged(service)
    if stop is not None:
        end = min(end, stop)
    days = {start + timedelta(days=n) for n in range((end - start).days + 1)} if start <= end else set()
    if not charge_suspended:
        for since, until in suspended_spans(service):
            until = until or end
            days -= {since + timedelta(days=n) for n in range((until - since).days + 1)}
    return days


def _spans(days):
    """Consecutive runs of the given days, as (first, last) pairs in order."""
    runs = []
    for day in sorted(days):
        if runs and runs[-1][1] + timedelta(days=1) == day:
            runs[-1][1] = day
        else:
            runs.append([day, day])
    return [tuple(r) for r in runs]


def _billed_days(lines, first):
    """The days of the month starting `first` that issued lines of one service have billed (less credited)."""
    billed = set()
    end = last_day(first)
    for line in sorted(lines, key=lambda ln: ln.kind != LineKind.SERVICE):  # charges first, then credits
        if line.kind not in (LineKind.SERVICE, LineKind.CREDIT) or line.period_start is None:
            continue
        if not (first <= line.period_start <= end):
            continue
        days = {line.period_start + timedelta(days=n) for n in range((line.period_end - line.period_start).days + 1)}
        billed = billed - days if line.kind == LineKind.CREDIT else billed | days
    return billed


def _period_words(start, end):
    if start == end:
        return day_text(start)
    if start.month == end.month and start.year == end.year:
        return f"{start.day} to {end.day} {end:%B %Y}"
    return f"{day_text(start)} to {day_text(end)}"


def _service_line(service, first, span, *, credit, rate):
    start, end = span
    days, month_days = (end - start).days + 1, days_in_month(first)
    fraction = Decimal(days) / Decimal(month_days)
    net = half_up(service.monthly_price * fraction)
    quantity = fraction.quantize(QUANTITY_PLACES, rounding=ROUND_HALF_UP)
    what = f"{service.label} ({service.reference})"
    part = "" if days == month_days else f", {days} of {month_days} days"
    if credit:
        return Charge(
            kind=LineKind.CREDIT,
            description=f"Credit: {what} not provided{part or ', the whole month'}",
            net=-net,
            quantity=-quantity,
            unit_price=service.monthly_price,
            vat_rate=rate,
            period_start=start,
            period_end=end,
            service=service,
        )
    return Charge(
        kind=LineKind.SERVICE,
        description=f"{what}{part}",
        net=net,
        quantity=quantity,
        unit_price=service.monthly_price,
        vat_rate=rate,
        period_start=start,
        period_end=end,
        service=service,
    )


def service_charges(service, period, *, issued_lines, rate, charge_suspended=None):
    """The lines that bill (or credit) one service on the invoice for `period`: last month squared, then this
    month in advance. `issued_lines` are the service's lines on issued invoices."""
    previous = add_months(period, -1)
    months = [period]
    billed_before = any(ln.period_start and ln.period_start < period for ln in issued_lines)
    if billed_before or service.start_date >= previous:
        months.insert(0, previous)
    charges = []
    for first in months:
        due = chargeable_days(service, first, charge_suspended=charge_suspended)
        billed = _billed_days(issued_lines, first)
        for span in _spans(due - billed):
            charges.append(_service_line(service, first, span, credit=False, rate=rate))
        for span in _spans(billed - due):
            charges.append(_service_line(service, first, span, credit=True, rate=rate))
    return charges


def _setup_fee(service, period, *, issued_lines, rate):
    """The set-up fee agreed on the service's order, once, on the first invoice after the service starts (a
    service that started before last month was set up before this portal billed it)."""
    order = service.order
    if order is None or not order.setup_fee or service.start_date > last_day(period):
        return None
    if service.start_date < add_months(period, -1):
        return None
    if any(ln.kind == LineKind.SETUP for ln in issued_lines):
        return None
    return Charge(
        kind=LineKind.SETUP,
        description=f"Set-up fee: {service.label} ({service.reference}, order {order.reference})",
        net=half_up(order.setup_fee),
        unit_price=order.setup_fee,
        vat_rate=rate,
        period_start=service.start_date,
        period_end=service.start_date,
        service=service,
    )


def charges_for(customer, period, *, charge_suspended=None):
    """Every line the invoice of `customer` for the month starting `period` carries, in the order printed:
    services (with their squaring of last month), set-up fees, engineer visits, then Accounts' one-off
    charges and credits. Reads only; issuing writes (billing/services/issuing.py)."""
    rate = policy_vat_rate()
    previous = add_months(period, -1)
    services = list(order_selectors.services_to_bill(customer=customer, since=previous))
    issued = {}
    for line in InvoiceLine.objects.filter(
        service__in=services,
        invoice__number__isnull=False,
        kind__in=[LineKind.SERVICE, LineKind.CREDIT, LineKind.SETUP],
    ).only("service_id", "kind", "period_start", "period_end"):
        issued.setdefault(line.service_id, []).append(line)
    lines = []
    for service in services:
        lines += service_charges(
            service, period, issued_lines=issued.get(service.pk, []), rate=rate, charge_suspended=charge_suspended
        )
    for service in services:
        fee = _setup_fee(service, period, issued_lines=issued.get(service.pk, []), rate=rate)
        if fee:
            lines.append(fee)
    for visit in fault_selectors.charges_to_invoice(customer=customer):
        lines.append(
            Charge(
                kind=LineKind.VISIT,
                description=f"{visit.description} ({visit.reference})",
                net=half_up(visit.amount),
                unit_price=visit.amount,
                vat_rate=visit.vat_rate,
                period_start=london(visit.created_at).date(),
                period_end=london(visit.created_at).date(),
                visit_charge=visit,
            )
        )
    for charge in AccountCharge.objects.filter(customer=customer, status=ChargeStatus.PENDING).order_by(
        "created_at", "id"
    ):
        lines.append(
            Charge(
                kind=LineKind.CHARGE if charge.amount >= 0 else LineKind.CREDIT,
                description=charge.description,
                net=half_up(charge.amount),
                unit_price=charge.amount,
                vat_rate=charge.vat_rate,
                service=charge.service,
                account_charge=charge,
            )
        )
    for position, line in enumerate(lines, start=1):
        line.position = position
    return lines
