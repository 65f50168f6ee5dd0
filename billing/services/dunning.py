"""The reminder ladder: reminders, a final notice naming the suspension date, suspension, restoration.

Code (Disconnections): "We reserve the right to suspend or cancel your service ... if you do not pay your
bill". Ofcom asks that measures to obtain payment be proportionate, with due warning, so every step is a
setting (settings.BILLING, shown to staff on /staff/policy/) and each comes in its turn:

1. reminders at REMINDER_DAYS days after the due date (7 and 14), by email or letter;
2. a final notice at FINAL_NOTICE_DAYS (21), naming the date: services are suspended only after
   the notice's date + SUSPEND_AFTER_DAYS, never on or before it;
3. after that date a suspension is proposed (a Suspension row) and Accounts staff confirm it in the
   admin (or it is confirmed at once when AUTO_SUSPEND is on); confirming suspends the customer's active
   services through the orders app (orders.services.service_suspend, which writes each service's event);
4. a payment that leaves nothing overdue restores them and tells the customer (a hook run inside the
   payment's transaction: billing.services.payments.on_payment).

A hold on the account (billing/services/holds.py) pauses all of it.

Each step happens at most once per invoice: the InvoiceEvent of the step is written first, under the
unique index billing_ladder_step_once, with the invoice row locked, so two workers racing send one
message. When the job has not run for a while (or an invoice is found late), only the latest step that is
due is sent: a customer 21 days late gets the final notice, not three letters in one morning.
"""

import logging
import re
from collections import Counter
from datetime import datetime, timedelta
from itertools import pairwise

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q

from billing import emails
from billing.models import (
    LADDER_KINDS,
    Invoice,
    InvoiceEvent,
    InvoiceEventKind,
    InvoiceStatus,
    Suspension,
    SuspensionStatus,
)
from billing.selectors import overdue_invoices
from billing.services.holds import current_holds, is_on_hold
from billing.services.payments import on_payment
from orders import services as order_services
from orders.models import ServiceStatus
from orders.selectors import services_in_use
from portal import clock
from portal.formats import day_text, gbp
from portal.models import Channel
from portal.office_hours import london
from portal.pages import page_context
from portal.workflow import Refused

logger = logging.getLogger(__name__)

REMINDER_KINDS = ("reminder_1", "reminder_2")
FINAL_NOTICE = "final_notice"
assert set(REMINDER_KINDS) | {FINAL_NOTICE} == set(LADDER_KINDS)
ORDINALS = {"reminder_1": "first", "reminder_2": "second"}


def ladder_steps():
    """[(kind, days after the due date)] in ladder order, from settings.BILLING. Fails loudly on a ladder
    that does not climb: a final notice before a reminder would give no due warning."""
    reminder_days = tuple(settings.BILLING["REMINDER_DAYS"])
    if len(reminder_days) > len(REMINDER_KINDS):
        raise ImproperlyConfigured(f"BILLING_REMINDER_DAYS: at most {len(REMINDER_KINDS)} reminders.")
    steps = [*zip(REMINDER_KINDS, reminder_days, strict=False), (FINAL_NOTICE, settings.BILLING["FINAL_NOTICE_DAYS"])]
    days = [d for _, d in steps]
    if days[0] < 1 or any(later <= earlier for earlier, later in pairwise(days)):
        raise ImproperlyConfigured(
            "The reminder ladder must climb: BILLING_REMINDER_DAYS, then BILLING_FINAL_NOTICE_DAYS, each "
            f"later than the one before and at least 1 day after the due date (now {days})."
        )
    return steps


def step_due(*, due_date, done, today):
    """The ladder step to send today for an invoice due on `due_date` whose steps `done` were sent, or None:
    the latest step whose day has come, unless it or a later one was already sent."""
    late_by = (today - due_date).days
    steps = ladder_steps()
    reached = [i for i, (_, days) in enumerate(steps) if late_by >= days]
    if not reached:
        return None
    index = reached[-1]
    if any(kind in done for kind, _ in steps[index:]):
        return None
    return steps[index][0]


def _today(now):
    return london(now).date()


def _by_what(message):
    return "letter" if message.channel == Channel.LETTER else "email"


# --- selections (the periodic job's rules) ----------------------------------------------------------


def invoices_for_reminders(*, now):
    """Open invoices with a step of the ladder to send today (step_due, in SQL): the latest step whose day
    has come, with no event of it or of a later step; of accounts not on hold. Read on the partial index
    of open invoices' due dates, one range of due dates per step; an invoice whose step was sent is not
    selected again before its next step's day, so a pass costs what it sends, not what is overdue."""
    today = _today(now)
    steps = ladder_steps()
    step_to_send = Q()
    for index, (_kind, days) in enumerate(steps):
        reached = Q(due_date__lte=today - timedelta(days=days))
        if index + 1 < len(steps):  # and not yet the next step's day
            reached &= Q(due_date__gt=today - timedelta(days=steps[index + 1][1]))
        sent = InvoiceEvent.objects.filter(invoice=OuterRef("pk"), kind__in=[kind for kind, _ in steps[index:]])
        step_to_send |= reached & ~Exists(sent)
    return (
        overdue_invoices(today=today)
        .filter(step_to_send)
        .exclude(customer__in=current_holds(now=now).values("customer"))
    )


def invoices_for_suspension(*, now):
    """Open, overdue invoices whose final notice's named date has passed, with no suspension yet (one per
    invoice, ever), of accounts with an active service to suspend, not on hold and with no suspension
    proposed or in force. An invoice left unpaid on an account with nothing to suspend is not looked at
    again every hour for ever."""
    today = _today(now)
    live = Suspension.objects.filter(status__in=[SuspensionStatus.PROPOSED, SuspensionStatus.SUSPENDED])
    date_passed = InvoiceEvent.objects.filter(invoice=OuterRef("pk"), kind=FINAL_NOTICE, named_date__lt=today)
    services = services_in_use(customer=OuterRef("customer")).filter(status=ServiceStatus.ACTIVE)
    return (
        overdue_invoices(today=today)
        .filter(Exists(date_passed), Exists(services))
        .exclude(suspensions__isnull=False)
        .exclude(customer__in=current_holds(now=now).values("customer"))
        .exclude(customer__in=live.values("customer"))
    )


def active_services(customer):
    """What a suspension would suspend: the account's services that are active (not already suspended, not
    being cancelled, which the orders app keeps on its way to withdrawal)."""
    return services_in_use(customer=customer).filter(status=ServiceStatus.ACTIVE).order_by("id")


# --- the steps --------------------------------------------------------------------------------------

_NAMED_DATE = re.compile(r"suspended after (\w+ \d{1,2} \w+ \d{4})")


def suspend_after_date(notice):
    """The date the final notice named (its event's text says it in words), so a later change of
    SUSPEND_AFTER_DAYS never brings forward a date a customer was given."""
    if notice.named_date is not None:
        return notice.named_date
    found = _NAMED_DATE.search(notice.text)
    if found:
        return datetime.strptime(found.group(1), "%A %d %B %Y").date()
    return _today(notice.at) + timedelta(days=settings.BILLING["SUSPEND_AFTER_DAYS"])


@transaction.atomic
def ladder_advance(*, invoice_id, now=None):
    """Send the step of the ladder due today for one invoice, if any. Returns the step's kind or None."""
    now = now or clock.now()
    today = _today(now)
    # Locked: a payment, a second worker or staff on the same invoice wait for this to finish.
    invoice = Invoice.objects.select_for_update(of=("self",)).select_related("customer").get(pk=invoice_id)
    if invoice.status != InvoiceStatus.OPEN or invoice.due_date is None or invoice.due_date >= today:
        return None
    if is_on_hold(invoice.customer, now=now):
        return None
    done = set(invoice.events.filter(kind__in=LADDER_KINDS).values_list("kind", flat=True))
    kind = step_due(due_date=invoice.due_date, done=done, today=today)
    if kind is None:
        return None
    return _send_step(invoice, kind, now)


@transaction.atomic
def send_step(*, invoice, kind, now=None):
    """Send one step of the ladder for an invoice now, whatever its days (the demo's overdue invoice): once
    only, like every step. Returns the kind, or None when it was sent before."""
    now = now or clock.now()
    locked = Invoice.objects.select_for_update(of=("self",)).select_related("customer").get(pk=invoice.pk)
    return _send_step(locked, kind, now)


def _send_step(invoice, kind, now):
    """Record the step's event (first, under billing_ladder_step_once), then queue its message."""
    today = _today(now)
    try:
        with transaction.atomic():
            event = InvoiceEvent.objects.create(invoice=invoice, kind=kind, at=now)
    except IntegrityError:  # another worker sent this step (billing_ladder_step_once)
        return None
    if kind == FINAL_NOTICE:
        suspend_after = today + timedelta(days=settings.BILLING["SUSPEND_AFTER_DAYS"])
        message = emails.final_notice(invoice, suspend_after=suspend_after, now=now)
        event.named_date = suspend_after
        event.text = (
            f"Final notice sent by {_by_what(message)} for {gbp(invoice.outstanding)}: services to be "
            f"suspended after {day_text(suspend_after)} if still unpaid."
        )
    else:
        message = emails.payment_reminder(invoice, ordinal=ORDINALS[kind], now=now)
        event.text = (
            f"{ORDINALS[kind].capitalize()} reminder sent by {_by_what(message)} for {gbp(invoice.outstanding)}."
        )
    event.message = message
    event.save(update_fields=["text", "message", "named_date"])
    return kind


@transaction.atomic
def suspension_propose(*, invoice_id, now=None):
    """Propose suspending the account once the date its final notice named has passed; confirm it at once
    when AUTO_SUSPEND is on. Returns the Suspension, or None when it is not (yet) time."""
    now = now or clock.now()
    today = _today(now)
    invoice = Invoice.objects.select_for_update(of=("self",)).select_related("customer").get(pk=invoice_id)
    if invoice.status != InvoiceStatus.OPEN or invoice.due_date >= today or is_on_hold(invoice.customer, now=now):
        return None
    notice = invoice.events.filter(kind=FINAL_NOTICE).first()
    if notice is None:
        return None
    suspend_after = suspend_after_date(notice)
    if today <= suspend_after:  # Ofcom: due warning; the customer has the whole day the notice named
        return None
    if invoice.suspensions.exists() or not active_services(invoice.customer).exists():
        return None
    try:
        with transaction.atomic():
            suspension = Suspension.objects.create(
                customer=invoice.customer, invoice=invoice, suspend_on=suspend_after, created_at=now
            )
    except IntegrityError:  # the account already has one proposed or in force
        return None
    InvoiceEvent.objects.create(
        invoice=invoice,
        kind=InvoiceEventKind.NOTE,
        text=f"Suspension proposed: {gbp(invoice.outstanding)} unpaid after {day_text(suspend_after)}.",
        internal=True,
        at=now,
    )
    if settings.BILLING["AUTO_SUSPEND"]:
        suspension_confirm(suspension=suspension, by=None, now=now)
    return suspension


def _lock(suspension):
    return (
        Suspension.objects.select_for_update(of=("self",)).select_related("customer", "invoice").get(pk=suspension.pk)
    )


def _refresh(suspension, locked):
    suspension.status, suspension.suspended_at, suspension.restored_at = (
        locked.status,
        locked.suspended_at,
        locked.restored_at,
    )


@transaction.atomic
def suspension_confirm(*, suspension, by, now=None):
    """Staff confirm a proposed suspension (or the ladder does, with AUTO_SUSPEND): the account's active
    services are suspended, each with its event, the invoice records it, and the customer is told."""
    now = now or clock.now()
    today = _today(now)
    locked = _lock(suspension)
    customer = locked.customer
    if locked.status != SuspensionStatus.PROPOSED:
        raise Refused(f"This suspension is {locked.get_status_display().lower()}: there is nothing to confirm.")
    if is_on_hold(customer, now=now):
        raise Refused(f"{customer.username} is on hold: nothing is suspended while a hold lasts.")
    if today <= locked.suspend_on:
        raise Refused(f"The final notice gave {customer.username} until the end of {day_text(locked.suspend_on)}.")
    if not overdue_invoices(today=today).filter(customer=customer).exists():
        raise Refused(f"Nothing is overdue on {customer.username}'s account any more: cancel this suspension.")
    services = list(active_services(customer).select_related("product"))
    if not services:
        raise Refused(f"{customer.username} has no active service to suspend.")
    invoice = locked.invoice
    for service in services:
        order_services.service_suspend(
            service=service, by=by, reason=f"invoice {invoice.number} unpaid after its final notice.", now=now
        )
    locked.services.set(services)
    locked.status, locked.suspended_at, locked.suspended_by = SuspensionStatus.SUSPENDED, now, by
    locked.save(update_fields=["status", "suspended_at", "suspended_by"])
    message = emails.services_suspended(locked, services=services, now=now)
    InvoiceEvent.objects.create(
        invoice=invoice,
        kind=InvoiceEventKind.SUSPENDED,
        text=f"Services suspended for non-payment: {', '.join(s.label for s in services)}. "
        f"The customer was told by {_by_what(message)}.",
        by=by,
        at=now,
        message=message,
    )
    _refresh(suspension, locked)
    return locked


@transaction.atomic
def suspension_cancel(*, suspension, by, reason, now=None):
    """Staff decide not to suspend: a proposed suspension is cancelled (the ladder proposes none again for
    this invoice)."""
    now = now or clock.now()
    locked = _lock(suspension)
    if locked.status != SuspensionStatus.PROPOSED:
        raise Refused(
            f"This suspension is {locked.get_status_display().lower()}: only a proposed one can be cancelled."
        )
    reason = (reason or "").strip()
    if not reason:
        raise Refused("Say why the account is not to be suspended.", field="reason")
    locked.status = SuspensionStatus.CANCELLED
    locked.save(update_fields=["status"])
    InvoiceEvent.objects.create(
        invoice=locked.invoice,
        kind=InvoiceEventKind.NOTE,
        text=f"Proposed suspension cancelled: {reason}",
        internal=True,
        by=by,
        at=now,
    )
    _refresh(suspension, locked)
    return locked


@transaction.atomic
def suspension_restore(*, suspension, by, reason, paid=False, now=None):
    """Restore the services a suspension suspended (paid, or staff decide), each with its event, and tell
    the customer. A service cancelled since stays on its way to withdrawal."""
    now = now or clock.now()
    locked = _lock(suspension)
    if locked.status != SuspensionStatus.SUSPENDED:
        raise Refused(f"This suspension is {locked.get_status_display().lower()}: nothing to restore.")
    restored = []
    for service in locked.services.select_related("product").order_by("id"):
        if service.status == ServiceStatus.SUSPENDED:
            order_services.service_resume(service=service, by=by, reason=reason, now=now)
            restored.append(service)
    locked.status, locked.restored_at = SuspensionStatus.RESTORED, now
    locked.save(update_fields=["status", "restored_at"])
    message = emails.services_restored(locked, services=restored, reason=reason, paid=paid, now=now)
    InvoiceEvent.objects.create(
        invoice=locked.invoice,
        kind=InvoiceEventKind.RESTORED,
        text=f"Services restored: {reason} The customer was told by {_by_what(message)}.",
        by=by,
        at=now,
        message=message,
    )
    _refresh(suspension, locked)
    return locked


@on_payment
def restore_when_paid(customer, now):
    """Run inside every payment's (and credit's) transaction: once nothing is overdue on the account, a
    suspension in force is lifted and a proposed one cancelled. A part payment that leaves an invoice
    overdue changes nothing. Almost every payment is on an account with no suspension: that is looked up first
    (one row at most, by the index that keeps it one), and the overdue invoices only for an account with one."""
    live = list(
        Suspension.objects.filter(customer=customer, status__in=[SuspensionStatus.PROPOSED, SuspensionStatus.SUSPENDED])
    )
    if not live or overdue_invoices(today=_today(now)).filter(customer=customer).exists():
        return
    for suspension in live:
        if suspension.status == SuspensionStatus.SUSPENDED:
            suspension_restore(suspension=suspension, by=None, reason="the account is paid.", paid=True, now=now)
        else:
            suspension_cancel(suspension=suspension, by=None, reason="the account was paid.", now=now)


# --- the periodic job -------------------------------------------------------------------------------


def ladder_run(*, now=None):
    """One pass of the ladder (billing.tasks_dunning): reminders and final notices, then suspensions.
    Returns counts by what happened. A customer who can be reached neither way is counted and logged,
    and tried again next pass; the others go on."""
    now = now or clock.now()
    counts = Counter()
    for invoice_id in list(invoices_for_reminders(now=now).values_list("pk", flat=True)):
        try:
            kind = ladder_advance(invoice_id=invoice_id, now=now)
        except Refused as refused:
            counts["unreachable"] += 1
            logger.warning("Reminder ladder: invoice %s: %s", invoice_id, refused)
            continue
        if kind:
            counts[kind] += 1
    for invoice_id in list(invoices_for_suspension(now=now).values_list("pk", flat=True)):
        try:
            suspension = suspension_propose(invoice_id=invoice_id, now=now)
        except Refused as refused:
            counts["unreachable"] += 1
            logger.warning("Reminder ladder: suspension for invoice %s: %s", invoice_id, refused)
            continue
        if suspension is not None:
            counts["proposed"] += 1
            counts["suspended"] += suspension.status == SuspensionStatus.SUSPENDED
    return dict(counts)


# --- what staff see of it ---------------------------------------------------------------------------


@page_context("policy")
def ladder_policy():
    """The ladder's settings, for the billing section of /staff/policy/."""
    billing = settings.BILLING
    steps = ladder_steps()
    rows = [
        (f"{ORDINALS[kind].capitalize()} reminder", f"{days} days after the due date", "BILLING_REMINDER_DAYS")
        for kind, days in steps[:-1]
    ]
    rows += [
        (
            "Final notice, naming the suspension date",
            f"{steps[-1][1]} days after the due date",
            "BILLING_FINAL_NOTICE_DAYS",
        ),
        (
            "Services suspended no sooner than",
            f"{billing['SUSPEND_AFTER_DAYS']} days after the final notice (the day after the date it names)",
            "BILLING_SUSPEND_AFTER_DAYS",
        ),
        (
            "Suspension confirmed",
            "automatically" if billing["AUTO_SUSPEND"] else "by Accounts staff, in the admin",
            "BILLING_AUTO_SUSPEND",
        ),
    ]
    return {"billing_ladder": rows, "billing_payment_days": billing["PAYMENT_DAYS"]}
