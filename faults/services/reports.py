"""Reporting a fault, its repair target, and what staff do with it before and after any visit.

Code (Fault Repair): "Faults can be reported around the clock ... However ... engineers only attend to
faults in normal working hours (Monday - Friday 9am to 5:30pm, excluding bank holidays)." So a report
is accepted at any hour, acknowledged at once, and out of hours the customer is told when engineers are
next at work. "Faults can occur on our Network, or another operator's network, as well as your own
equipment": staff record where the fault lies.
"""

from datetime import timedelta

from django.db import IntegrityError, transaction

from faults import emails
from faults.checks import TEXT, YES_NO, checks_for
from faults.models import (
    CONCLUDED_STATUSES,
    Channel,
    EventKind,
    Fault,
    FaultCheck,
    Location,
    SlotStatus,
    Status,
)
from faults.services._common import (
    check_status_move,
    event,
    link,
    lock,
    move,
    staff_wrote,
    sync,
)
from faults.slots import slot_text
from orders.selectors import service_in_use
from portal import clock, customer_messages, policy, sla
from portal.formats import when_text
from portal.office_hours import (
    add_working_days,
    closing_on,
    is_before_opening,
    is_open,
    london,
    next_opening,
)
from portal.workflow import InvalidTransition, Refused, required_text

PHONE_HOURS_REFUSAL = (
    "Our phone lines are open in office hours only (Monday to Friday, 9am to 5:30pm, except bank holidays), "
    "so a call cannot have reached us at that time. The customer can report a fault online at any hour, "
    "or by email."
)


def validate_reported_at(*, channel, reported_at):
    """Code: "To report a fault to one of our representatives please call ... during office hours." A
    phoned fault reached us in office hours; one reported online or by email may come at any hour."""
    if channel == Channel.PHONE and not is_open(reported_at):
        raise Refused(PHONE_HOURS_REFUSAL, field="reported_at")


def repair_due(reported_at):
    """The repair target: 17:30 London at the end of the FAULT_REPAIR_WORKING_DAYS-th full working day
    after the report. A report made before opening time leaves that whole day ahead, so that day counts:
    Monday 08:00 -> Tuesday 17:30; Monday 12:00 or 20:00 -> Wednesday 17:30."""
    counted_from = london(reported_at).date()
    if is_before_opening(reported_at):
        counted_from -= timedelta(days=1)
    return closing_on(add_working_days(counted_from, policy.value("FAULT_REPAIR_WORKING_DAYS")))


def engineers_next_at_work(reported_at):
    """None when the report came in office hours; otherwise when engineers are next at work."""
    if is_open(reported_at):
        return None
    return next_opening(reported_at)


def next_at_work_text(reported_at):
    """'Our engineers are next at work on Monday 30 November at 09:00.', or '' in office hours."""
    when = engineers_next_at_work(reported_at)
    if when is None:
        return ""
    return f"Our engineers are next at work on {when_text(when)}."


def _check_rows(service, answers, *, required):
    """FaultCheck rows (unsaved) from the answers given in the order of the service's checks."""
    checks = checks_for(service)
    if not answers and not required:
        return []
    if len(answers) != len(checks):
        raise Refused("Please answer every check before describing the fault.")
    rows = []
    for position, (check, answer) in enumerate(zip(checks, answers, strict=True), start=1):
        answer = (answer or "").strip()
        if check.kind == YES_NO and answer not in ("Yes", "No"):
            raise Refused(f"Answer yes or no: {check.question}")
        if check.kind == TEXT and not answer:
            raise Refused(f"Please answer: {check.question}")
        rows.append(FaultCheck(position=position, key=check.key, question=check.question, answer=answer))
    return rows


@transaction.atomic
def fault_report(
    *,
    customer,
    service,
    description,
    answers=(),
    channel=Channel.PORTAL,
    reported_at=None,
    recorded_by=None,
    request_key=None,
    email=None,
    now=None,
):
    """Record a fault with the customer's checks and queue its acknowledgement, in one transaction.

    `answers` are in the order of faults.checks for the service's kind; a portal report has them all.
    A `request_key` already used returns the fault it made: the same form sent twice reports one fault.
    `email` is the stored email it came in (portal.models.InboundMessage), linked from its first event.
    """
    existing = _made_with(request_key, customer)
    if existing is not None:
        return existing
    try:
        # A twin request saving the same key at this moment: the key is unique, so this insert waits for
        # the twin's transaction and then fails, and the fault the twin made is handed back.
        with transaction.atomic():
            return _fault_report(
                customer=customer,
                service=service,
                description=description,
                answers=answers,
                channel=channel,
                reported_at=reported_at,
                recorded_by=recorded_by,
                request_key=request_key,
                email=email,
                now=now,
            )
    except IntegrityError:
        existing = _made_with(request_key, customer)
        if existing is None:
            raise
        return existing


def _made_with(request_key, customer):
    if request_key is None:
        return None
    return Fault.objects.filter(request_key=request_key, customer=customer).first()


def _fault_report(
    *, customer, service, description, answers, channel, reported_at, recorded_by, request_key, email, now
):
    now = now or clock.now()
    reported_at = reported_at or now
    description = (description or "").strip()
    if service.customer_id != customer.pk:
        raise Refused("This service is not the customer's.", field="service")
    if not service_in_use(service):  # a ceased service has nothing left to repair
        raise Refused("This service has been withdrawn: there is nothing left to repair.", field="service")
    if reported_at > now + timedelta(minutes=1):
        raise Refused("The time the fault was reported cannot be in the future.", field="reported_at")
    if channel != Channel.PORTAL and (recorded_by is None or not recorded_by.is_staff):
        raise Refused("A fault reported by phone or email is recorded by staff.", field="channel")
    validate_reported_at(channel=channel, reported_at=reported_at)
    if not description:
        raise Refused("Describe the fault, so that our engineers know where to start.", field="description")
    rows = _check_rows(service, list(answers), required=channel == Channel.PORTAL)

    fault = Fault.objects.create(
        customer=customer,
        service=service,
        reported_at=reported_at,
        channel=channel,
        recorded_by=recorded_by,
        description=description,
        request_key=request_key,
        repair_due_at=repair_due(reported_at),
    )
    for row in rows:
        row.fault = fault
    FaultCheck.objects.bulk_create(rows)
    how = {Channel.PORTAL: "online", Channel.PHONE: "by phone", Channel.EMAIL: "by email"}[channel]
    reported = event(
        fault,
        EventKind.REPORTED,
        f"Fault reported {how} on {fault.service.label}.",
        by=recorded_by or customer,
        at=reported_at,
        email=email,
    )
    fault.ack_message = emails.fault_ack(fault, next_at_work=next_at_work_text(reported_at), checks=rows)
    fault.save(update_fields=["ack_message"])
    link(reported, fault.ack_message)
    return fault


def _cancel_visits(fault, to, *, by, at):
    """Leaving "visit booked" cancels the booked visit; concluding the fault withdraws the times offered.
    Returns the cancelled visit, if any."""
    cancelled = None
    if fault.status == Status.VISIT_BOOKED:
        cancelled = fault.slots.filter(status=SlotStatus.ACCEPTED, outcome="").first()
        if cancelled:
            cancelled.status = SlotStatus.WITHDRAWN
            cancelled.save(update_fields=["status"])
            event(
                fault,
                EventKind.VISIT_CANCELLED,
                f"The engineer visit on {slot_text(cancelled.date, cancelled.window)} is cancelled.",
                by=by,
                at=at,
            )
    if to in CONCLUDED_STATUSES:
        fault.slots.filter(status=SlotStatus.OFFERED).update(status=SlotStatus.WITHDRAWN)
    return cancelled


@transaction.atomic
def fault_set_status(*, fault, to, by, note="", now=None):
    """Staff move a fault on. A visit is booked only by the customer accepting a time (visit_slot_accept)."""
    if to == Status.VISIT_BOOKED:
        raise InvalidTransition(
            "A visit is booked only when the customer accepts one of the times offered.", field="to"
        )
    now = now or clock.now()
    locked = lock(fault)
    check_status_move(locked, to)  # before anything changes (move() checks again)
    cancelled = _cancel_visits(locked, to, by=by, at=now)
    status_event = move(locked, to, by=by, at=now, note=note)
    link(
        status_event,
        staff_wrote(locked, emails.fault_status(locked, note=note.strip(), cancelled_visit=cancelled), by=by),
    )
    sync(fault, locked, "status", "resolved_at", "closed_at")
    return locked


@transaction.atomic
def fault_set_location(*, fault, location, by, note="", now=None):
    """Staff record where the fault lies (triage). Code: "If the fault is not on our network then we may
    not be responsible for its repair."""
    if location not in Location.values:
        raise Refused("Choose where the fault lies.", field="location")
    now = now or clock.now()
    locked = lock(fault)
    if locked.status == Status.CLOSED:
        raise Refused("This fault is closed.")
    if locked.location == location:
        raise Refused(f"The fault is already recorded as: {locked.get_location_display().lower()}.", field="location")
    locked.location = location
    locked.save(update_fields=["location"])
    text = f"Where the fault lies: {locked.get_location_display()}." + (f"\n{note.strip()}" if note.strip() else "")
    message = staff_wrote(locked, emails.fault_location(locked, note=note.strip()), by=by)
    event(locked, EventKind.LOCATION, text, by=by, at=now, message=message)
    sync(fault, locked, "location")
    return locked


@transaction.atomic
def fault_reply(*, fault, by, text, now=None):
    """A message from our engineers that the customer sees on the timeline and receives by email or letter."""
    text = required_text(text, "Write the reply first.", field="text")
    now = now or clock.now()
    message = staff_wrote(fault, emails.fault_reply(fault, reply=text), by=by)
    return event(fault, EventKind.REPLY, text, by=by, at=now, message=message)


@transaction.atomic
def fault_set_repair_target(*, fault, due_at, by, reason, now=None):
    """Staff set this fault's own repair target (the default comes from policy: the end of the second
    full working day). The customer is told why; engineers are alerted afresh against the new target."""
    now = now or clock.now()
    reason = (reason or "").strip()
    fault = lock(fault)
    if fault.status in CONCLUDED_STATUSES:
        raise Refused("This fault is finished: its repair target no longer applies.")
    if not reason:
        raise Refused("Say why the repair target changes: the customer is told.", field="reason")
    if due_at <= now:
        raise Refused("A new repair target must be in the future.", field="due_at")
    old = fault.repair_due_at
    fault.repair_due_at, fault.alert_level = due_at, ""
    fault.save(update_fields=["repair_due_at", "alert_level"])
    text = f"Repair target changed from {when_text(old)} to {when_text(due_at)}: {reason}"
    message = staff_wrote(fault, emails.fault_repair_target(fault, old_due_at=old, reason=reason), by=by)
    return event(fault, EventKind.REPAIR_TARGET, text, by=by, at=now, message=message)


@transaction.atomic
def fault_add_note(*, fault, by, text, now=None):
    """Staff only: never shown to the customer, never sent."""
    text = required_text(text, "Write the note first.", field="text")
    return event(fault, EventKind.NOTE, text, by=by, internal=True, at=now or clock.now())


@transaction.atomic
def fault_add_customer_message(
    *, fault, customer, text, received_at, via=customer_messages.Via.PORTAL, email=None, now=None
):
    """The customer adds information to their fault, however it reached us: through the portal, or (for
    the mailbox reader and staff typing in a letter) an email or letter matched to this fault, with
    `received_at` the time it reached us and `via` how.

    It goes on the timeline, the fault waits for our answer, and the engineers are emailed, once per
    message (portal/customer_messages.py). An emailed message links its stored `email` from the event."""
    now = now or clock.now()
    text = (text or "").strip()
    if fault.customer_id != customer.pk:
        raise Refused("This is not your fault report.")
    if not text:
        raise Refused("Write your message first.", field="text")
    try:
        customer_messages.check_arrival(received_at=received_at, via=via, now=now, case_since=fault.reported_at)
    except customer_messages.ArrivalRefused as refusal:
        raise Refused(str(refusal)) from None
    locked = lock(fault)
    if locked.status == Status.CLOSED:
        raise Refused("This fault is closed. If the problem is back, please report a new fault.")
    message_event = event(locked, EventKind.CUSTOMER_MESSAGE, text, by=customer, at=received_at, via=via, email=email)
    customer_messages.received(locked, at=received_at)
    emails.fault_customer_message(locked, message_event, now=now)
    sync(fault, locked, "customer_waiting_since")
    return message_event


@transaction.atomic
def faults_alert_repair_targets(*, now=None):
    """Alert the Engineers group about faults whose repair target is newly at risk (within
    FAULT_AT_RISK_OFFICE_HOURS office hours) or overdue: one email listing them, an internal event on
    each, once per fault and level. Returns {sla.AT_RISK: [...], sla.OVERDUE: [...]}."""
    now = now or clock.now()
    hours = policy.value("FAULT_AT_RISK_OFFICE_HOURS")
    newly = sla.claim_alerts(
        Fault.objects.exclude(status__in=CONCLUDED_STATUSES).select_related("customer", "service__product"),
        due_field="repair_due_at",
        done_field="resolved_at",
        level_field="alert_level",
        at_risk_office_hours=hours,
        now=now,
        record=lambda fault, level: event(
            fault,
            EventKind.ALERT,
            internal=True,
            at=now,
            text=f"Engineers alerted: repair target {sla.LABELS[level].lower()}.",
        ),
    )
    if newly[sla.AT_RISK] or newly[sla.OVERDUE]:
        emails.fault_repair_alert(overdue=newly[sla.OVERDUE], at_risk=newly[sla.AT_RISK], hours=hours)
    return newly
