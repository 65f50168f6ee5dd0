"""Cancellations: a written request quoting the account username, and the date the service goes.

Code (Account Cancellations): "We will require all cancellation requests to be submitted as a written
request in the form of an email or ... a letter", "quoting your account username". The portal's form is
such a request; staff record those that came by email or letter. "When you cancel your service, we aim
to advise you of the time period from us receiving your cancellation request to the time at which the
service is withdrawn. During this period, you remain liable for the costs of any services we provide."
The customer is told the withdrawal date at once, on the page and by email (or letter).
"""

from django.db import transaction

from orders import emails
from orders.models import (
    CANCELLATION_STAMPS,
    CANCELLATION_TRANSITIONS,
    CANCELLATION_WORDS,
    WITHDRAWAL_RESTORES,
    Cancellation,
    CancellationChannel,
    CancellationStatus,
    ServiceEventKind,
    ServiceStatus,
    WithdrawalReason,
)
from orders.services.held import lock, move_service
from portal import clock, policy, staff_time
from portal.formats import date_text, day_text, time_text
from portal.office_hours import add_working_days, london
from portal.workflow import Refused, check_move

CANCELLABLE = (ServiceStatus.ACTIVE, ServiceStatus.SUSPENDED)


def check_quoted_username(service, quoted_username):
    """The account username the request quotes must be the service's account (usernames are stored
    lower-case; spaces around it and its case are forgiven, nothing else)."""
    if (quoted_username or "").strip().lower() != service.customer.username:
        raise Refused(
            f"“{quoted_username}” is not the account username of {service.customer.full_name}'s account, which "
            "holds this service. The Code asks for the account username: check the request, or ask the customer.",
            field="quoted_username",
        )


def withdrawal_date(
    *, received_at, minimum_term_end, notice_working_days, recorded_at=None, lead_working_days=0, requested_date=None
):
    """When a cancelled service is withdrawn, and which rule set it: (date, WithdrawalReason).

    Code (Account Cancellations): "we aim to advise you of the time period from us receiving your
    cancellation request to the time at which the service is withdrawn". It is the latest of:
    - our notice (CANCELLATION_NOTICE_WORKING_DAYS, at least 1): that many working days after the later of
      the London day the request was received and the day it is recorded, which is the day the customer is
      told the date. Never the same day: the cease job runs hourly and withdraws a service as soon as its
      date comes, and the customer is told they may withdraw the request "at any time before" that date,
      so a same-day date would cease the service at once and make that promise false. Counting from the day
      it is recorded gives a letter keyed in late the same time to change one's mind;
    - the end of the minimum contract period;
    - for services that "require us to work with special industry processes (such as ADSL)", the
      process's lead time in working days after the day received, bank holidays skipped;
    - the date the customer asked for.
    Ties go to the first rule in that list. Working days come from portal/office_hours.py.
    """
    received = london(received_at).date()
    told = max(received, london(recorded_at).date()) if recorded_at else received
    candidates = [
        (add_working_days(told, max(notice_working_days, 1)), WithdrawalReason.NOTICE),
        (minimum_term_end, WithdrawalReason.MINIMUM_TERM),
    ]
    if lead_working_days:
        # "N working days after the request was received": counted from the London date it arrived, so a
        # request sent in the evening costs the customer no extra day (bank holidays and weekends skipped).
        candidates.append((add_working_days(received, lead_working_days), WithdrawalReason.INDUSTRY_PROCESS))
    if requested_date:
        candidates.append((requested_date, WithdrawalReason.REQUESTED))
    latest = max(day for day, _ in candidates)
    return next((day, reason) for day, reason in candidates if day == latest)


def withdrawal_for(service, *, received_at, requested_date=None, now=None):
    """(date, reason) at which `service` would be withdrawn for a request received at `received_at` and
    recorded (the customer told) at `now`."""
    product = service.product
    lead = product.cancellation_lead_working_days if product.cancellation_needs_industry_process else 0
    return withdrawal_date(
        received_at=received_at,
        recorded_at=now or received_at,
        minimum_term_end=service.minimum_term_end,
        notice_working_days=policy.value("CANCELLATION_NOTICE_WORKING_DAYS"),
        lead_working_days=lead,
        requested_date=requested_date,
    )


def validate_cancellation(*, service, channel, received_at, quoted_username, now=None):
    """Refuse a request the rules do not allow. The admin's form calls this too, so staff see the refusal
    on the field it concerns and nothing is saved."""
    now = now or clock.now()
    problem = staff_time.received_problem(received_at, now=now, what="The time the request was received")
    if problem:
        raise Refused(problem, field="received_at")
    if channel not in CancellationChannel.values:
        raise Refused(f"Unknown channel {channel!r}.", field="channel")
    check_quoted_username(service, quoted_username)
    if service.status not in CANCELLABLE:
        raise Refused(
            f"Service {service.reference} is {service.get_status_display().lower()}: it cannot be cancelled now.",
            field="service",
        )
    if service.cancellations.filter(status=CancellationStatus.ACTIVE).exists():
        raise Refused(f"Service {service.reference} already has a cancellation request in hand.", field="service")


@transaction.atomic
def cancellation_request(
    *, service, channel, received_at, quoted_username, requested_date=None, recorded_by, email=None, now=None
):
    """Record a written request to cancel `service`, set its withdrawal date, and tell the customer.

    Refused (and nothing saved) when the quoted account username is not the service's account, when the
    time received is in the future, or when the service is not active or suspended. `email` is the
    stored email that made the request (portal.models.InboundMessage), linked from the service's event.
    """
    now = now or clock.now()
    service = lock(service)  # then check: a concurrent request on the same service waits and is refused
    validate_cancellation(
        service=service, channel=channel, received_at=received_at, quoted_username=quoted_username, now=now
    )
    day, reason = withdrawal_for(service, received_at=received_at, requested_date=requested_date, now=now)
    cancellation = Cancellation.objects.create(
        service=service,
        channel=channel,
        received_at=received_at,
        quoted_username=quoted_username.strip(),
        requested_date=requested_date,
        withdrawal_date=day,
        withdrawal_reason=reason,
        service_status_before=service.status,
        recorded_by=recorded_by,
    )
    how = CancellationChannel(channel).label.lower()
    move_service(
        service=service,
        to=ServiceStatus.CANCELLING,
        by=recorded_by,
        kind=ServiceEventKind.CANCELLATION_REQUESTED,
        now=now,
        email=email,
        text=f"Cancellation requested ({how}, received {date_text(received_at)} {time_text(received_at)}). "
        f"The service will be withdrawn on {day_text(day)}; it is charged until then.",
    )
    emails.cancellation_received(cancellation, now=now)
    return cancellation


def _lock_cancellation(cancellation):
    return Cancellation.objects.select_for_update().get(pk=cancellation.pk)


def _move_cancellation(cancellation, to, *, now):
    """Move a (locked) cancellation along CANCELLATION_TRANSITIONS, stamping the time
    CANCELLATION_STAMPS names, or refuse."""
    check_move(CANCELLATION_TRANSITIONS, cancellation.status, to, what="A cancellation", words=CANCELLATION_WORDS)
    cancellation.status = to
    setattr(cancellation, CANCELLATION_STAMPS[to], now)
    cancellation.save(update_fields=["status", CANCELLATION_STAMPS[to]])


@transaction.atomic
def cancellation_withdraw(*, cancellation, by, now=None):
    """The customer keeps the service after all: allowed until the withdrawal date."""
    now = now or clock.now()
    cancellation = _lock_cancellation(cancellation)
    if cancellation.status == CancellationStatus.ACTIVE and london(now).date() >= cancellation.withdrawal_date:
        raise Refused(
            f"The service was due to be withdrawn on {day_text(cancellation.withdrawal_date)}: "
            "it is too late to withdraw the request. Please order the service again."
        )
    _move_cancellation(cancellation, CancellationStatus.WITHDRAWN, now=now)
    service = lock(cancellation.service)
    move_service(
        service=service,
        to=cancellation.service_status_before,
        by=by,
        kind=ServiceEventKind.CANCELLATION_WITHDRAWN,
        now=now,
        text="Cancellation withdrawn: the service continues.",
        transitions=WITHDRAWAL_RESTORES,
    )
    cancellation.service = service
    emails.cancellation_withdrawn(cancellation, now=now)
    return cancellation


@transaction.atomic
def service_cease(*, cancellation_id, now=None):
    """Withdraw the service of an active cancellation whose date has come. Safe to run twice: returns
    False when there is nothing (more) to do."""
    now = now or clock.now()
    cancellation = Cancellation.objects.select_for_update().filter(pk=cancellation_id).first()
    if (
        cancellation is None
        or cancellation.status != CancellationStatus.ACTIVE
        or cancellation.withdrawal_date > london(now).date()
    ):
        return False
    _move_cancellation(cancellation, CancellationStatus.COMPLETED, now=now)
    service = lock(cancellation.service)
    move_service(
        service=service,
        to=ServiceStatus.CEASED,
        by=None,
        kind=ServiceEventKind.CEASED,
        now=now,
        ceased_on=cancellation.withdrawal_date,
        text=f"Service withdrawn on {day_text(cancellation.withdrawal_date)}, as requested.",
    )
    emails.service_ceased(service, now=now)
    return True
