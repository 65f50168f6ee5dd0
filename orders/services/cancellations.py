"""Cancellations: a written request quoting the account username, and the date the service goes.

Code (Account Cancellations): "We will require all cancellation requests to be submitted as a written
request in the form of an email or ... a letter", "quoting your account username". The portal's form is
such a request; staff record those that came by email or letter. "When you cancel your service, we aim
to advise you of the time period from us receiving your cancellation request to the time at which the
service is withdrawn. During this period, you remain liable for the costs of any services we provide."
The customer is told the withdrawal date at once, on the page and by email (or letter).
"""

from django.db import transaction
from django.utils import timezone

from orders import messages
from orders.dates import withdrawal_date
from orders.models import (
    CANCELLATION_TRANSITIONS,
    WITHDRAWAL_RESTORES,
    Cancellation,
    CancellationChannel,
    CancellationStatus,
    ServiceStatus,
)
from orders.services._common import Refused, check_move, day_text
from orders.services.held import lock, move_service
from portal import policy, staff_time
from portal.office_hours import london

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


def withdrawal_for(service, *, received_at, requested_date=None, now=None):
    """(date, reason) at which `service` would be withdrawn for a request received at `received_at` and
    recorded (the customer told) at `now`."""
    product = service.product
    lead = product.cancellation_lead_working_days if product.cancellation_needs_industry_process else 0
    return withdrawal_date(received_at=received_at, recorded_at=now or received_at,
                           minimum_term_end=service.minimum_term_end,
                           notice_working_days=policy.value("CANCELLATION_NOTICE_WORKING_DAYS"),
                           lead_working_days=lead, requested_date=requested_date)


def validate_cancellation(*, service, channel, received_at, quoted_username, now=None):
    """Refuse a request the rules do not allow. The admin's form calls this too, so staff see the refusal
    on the field it concerns and nothing is saved."""
    now = now or timezone.now()
    problem = staff_time.received_problem(received_at, now=now, what="The time the request was received")
    if problem:
        raise Refused(problem, field="received_at")
    if channel not in CancellationChannel.values:
        raise Refused(f"Unknown channel {channel!r}.", field="channel")
    check_quoted_username(service, quoted_username)
    if service.status not in CANCELLABLE:
        raise Refused(f"Service {service.reference} is {service.get_status_display().lower()}: "
                      "it cannot be cancelled now.", field="service")
    if service.cancellations.filter(status=CancellationStatus.ACTIVE).exists():
        raise Refused(f"Service {service.reference} already has a cancellation request in hand.", field="service")


@transaction.atomic
def cancellation_request(*, service, channel, received_at, quoted_username, requested_date=None, recorded_by,
                         now=None):
    """Record a written request to cancel `service`, set its withdrawal date, and tell the customer.

    Refused (and nothing saved) when the quoted account username is not the service's account, when the
    time received is in the future, or when the service is not active or suspended.
    """
    now = now or timezone.now()
    service = lock(service)  # then check: a concurrent request on the same service waits and is refused
    validate_cancellation(service=service, channel=channel, received_at=received_at,
                          quoted_username=quoted_username, now=now)
    day, reason = withdrawal_for(service, received_at=received_at, requested_date=requested_date, now=now)
    cancellation = Cancellation.objects.create(
        service=service, channel=channel, received_at=received_at, quoted_username=quoted_username.strip(),
        requested_date=requested_date, withdrawal_date=day, withdrawal_reason=reason,
        service_status_before=service.status, recorded_by=recorded_by,
    )
    how = CancellationChannel(channel).label.lower()
    move_service(service=service, to=ServiceStatus.CANCELLING, by=recorded_by, kind="cancellation", now=now,
                 text=f"Cancellation requested ({how}, received {london(received_at):%-d %B %Y %H:%M}). "
                      f"The service will be withdrawn on {day_text(day)}; it is charged until then.")
    messages.cancellation_received(cancellation, now=now)
    return cancellation


def _lock_cancellation(cancellation):
    return Cancellation.objects.select_for_update().get(pk=cancellation.pk)


@transaction.atomic
def cancellation_withdraw(*, cancellation, by, now=None):
    """The customer keeps the service after all: allowed until the withdrawal date."""
    now = now or timezone.now()
    cancellation = _lock_cancellation(cancellation)
    check_move(CANCELLATION_TRANSITIONS, CancellationStatus, cancellation.status, CancellationStatus.WITHDRAWN,
               what=f"Cancellation {cancellation.reference}")
    if london(now).date() >= cancellation.withdrawal_date:
        raise Refused(f"The service was due to be withdrawn on {day_text(cancellation.withdrawal_date)}: "
                      "it is too late to withdraw the request. Please order the service again.")
    service = lock(cancellation.service)
    cancellation.status = CancellationStatus.WITHDRAWN
    cancellation.withdrawn_at = now
    cancellation.save(update_fields=["status", "withdrawn_at"])
    move_service(service=service, to=cancellation.service_status_before, by=by, kind="cancellation_withdrawn",
                 now=now, text="Cancellation withdrawn: the service continues.", transitions=WITHDRAWAL_RESTORES)
    cancellation.service = service
    messages.cancellation_withdrawn(cancellation, now=now)
    return cancellation


@transaction.atomic
def service_cease(*, cancellation_id, now=None):
    """Withdraw the service of an active cancellation whose date has come. Safe to run twice: returns
    False when there is nothing (more) to do."""
    now = now or timezone.now()
    cancellation = Cancellation.objects.select_for_update().filter(pk=cancellation_id).first()
    if (cancellation is None or cancellation.status != CancellationStatus.ACTIVE
            or cancellation.withdrawal_date > london(now).date()):
        return False
    service = lock(cancellation.service)
    cancellation.status = CancellationStatus.COMPLETED
    cancellation.completed_at = now
    cancellation.save(update_fields=["status", "completed_at"])
    move_service(service=service, to=ServiceStatus.CEASED, by=None, kind="ceased", now=now,
                 ceased_on=cancellation.withdrawal_date,
                 text=f"Service withdrawn on {day_text(cancellation.withdrawal_date)}, as requested.")
    messages.service_ceased(service, cancellation, now=now)
    return True
