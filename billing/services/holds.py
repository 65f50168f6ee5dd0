"""Holds on an account: a payment plan, a customer in vulnerable circumstances, a disputed invoice.

Ofcom's guide on treating vulnerable customers fairly asks providers to agree payment plans and take care
before restricting a service; its rules on debt ask that measures be proportionate, with due warning. A hold
pauses the whole reminder ladder for the account (billing/services/dunning.py): no reminder, no final
notice, no suspension proposed or confirmed while it holds. Starting a hold cancels a suspension that is
only proposed (staff asked for care: nothing is cut off while they give it). Services already suspended
stay so until the account is paid or staff restore them on the suspension's page: a hold pauses what is
to come, it does not undo what staff decided.

A hold ends when staff end it, or by itself at the end of its `until` date; the ladder then goes on from
where it was (a step already sent is never sent again: billing_ladder_step_once).
"""

from django.db import transaction
from django.db.models import Q

from billing.models import AccountHold, HoldReason, InvoiceEvent, InvoiceEventKind, Suspension, SuspensionStatus
from portal import clock
from portal.formats import date_text
from portal.office_hours import london
from portal.workflow import Refused


def _today(now):
    return london(now).date()


def current_holds(*, now=None):
    """Holds in force at `now`: started, not ended by staff, and not past their `until` date (London)."""
    now = now or clock.now()
    return AccountHold.objects.filter(starts_at__lte=now, ended_at__isnull=True).filter(
        Q(until__isnull=True) | Q(until__gte=_today(now))
    )


def current_hold(customer, *, now=None):
    """The account's hold in force, or None."""
    return current_holds(now=now).filter(customer=customer).select_related("customer").first()


def is_on_hold(customer, *, now=None):
    return current_holds(now=now).filter(customer=customer).exists()


def _cancel_proposed(customer, *, hold, by, now):
    """A proposed suspension is cancelled when a hold starts (see the module's docstring)."""
    proposed = Suspension.objects.select_for_update().filter(customer=customer, status=SuspensionStatus.PROPOSED)
    for suspension in proposed:
        suspension.status = SuspensionStatus.CANCELLED
        suspension.save(update_fields=["status"])
        InvoiceEvent.objects.create(
            invoice_id=suspension.invoice_id,
            kind=InvoiceEventKind.NOTE,
            text=f"Proposed suspension cancelled: the account was put on hold ({hold.get_reason_display().lower()}).",
            internal=True,
            by=by,
            at=now,
        )


@transaction.atomic
def hold_start(*, customer, reason, note="", until=None, by=None, now=None):
    """Put an account on hold. Refused when it already is, or when `until` has passed."""
    now = now or clock.now()
    if customer.is_staff:
        raise Refused("Holds are for customers' accounts.", field="customer")
    if reason not in HoldReason.values:
        raise Refused("Choose why the account is put on hold.", field="reason")
    if until is not None and until < _today(now):
        raise Refused(f"The hold cannot end in the past: {date_text(until)} has gone.", field="until")
    # One hold at a time: lock the customer's holds so two members of staff do not start two.
    existing = current_holds(now=now).select_for_update().filter(customer=customer).first()
    if existing is not None:
        raise Refused(
            f"{customer.username} is already on hold ({existing.get_reason_display().lower()}) since "
            f"{date_text(existing.starts_at)}: end that hold first.",
            field="customer",
        )
    hold = AccountHold.objects.create(
        customer=customer, reason=reason, note=note.strip(), starts_at=now, until=until, created_by=by
    )
    _cancel_proposed(customer, hold=hold, by=by, now=now)
    return hold


@transaction.atomic
def hold_end(*, hold, by=None, now=None):
    """End a hold now: the ladder goes on from where it was at its next run."""
    now = now or clock.now()
    locked = AccountHold.objects.select_for_update().get(pk=hold.pk)
    if locked.ended_at is not None:
        raise Refused(f"This hold already ended on {date_text(locked.ended_at)}.")
    if locked.until is not None and locked.until < _today(now):
        raise Refused(f"This hold ended by itself after {date_text(locked.until)}.")
    locked.ended_at = now
    locked.save(update_fields=["ended_at"])
    hold.ended_at = now
    return locked
