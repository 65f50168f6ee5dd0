"""Helpers of the complaints tests: complaints made and moved along their workflow through the services,
their messages and letters, and a receipt time whose acknowledgement falls due at a chosen moment (the
alert job reads the real clock, so the tests build around it). What every app's tests share is in
tests/helpers.py."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from complaints import services
from complaints.models import Status
from portal import outbox
from portal.models import OutboxMessage
from portal.office_hours import TZ, add_office_hours, is_working_day, london, office_hours_between
from tests.helpers import pdf_text

WHAT_HAPPENED = "My broadband has dropped every evening since the 3rd and nobody has called me back."


def long_date(moment):
    """How pages and letters print a date: '8 April 2026' (London)."""
    local = london(moment)
    return f"{local.day} {local:%B %Y}"


def open_complaint(customer, **kwargs):
    """A complaint made through the services, as the portal form or staff would make it."""
    kwargs.setdefault("category", "service")
    kwargs.setdefault("what_happened", WHAT_HAPPENED)
    return services.complaint_open(customer=customer, **kwargs)


def advance(complaint, to, *, by, note=""):
    """Move a complaint on through the allowed statuses up to `to` (staff doing their work)."""
    path = [Status.ACKNOWLEDGED, Status.INVESTIGATING, to]
    for step in path:
        complaint.refresh_from_db()
        if complaint.status == to:
            break
        if step == Status.ACKNOWLEDGED and complaint.status == Status.RECEIVED:
            services.complaint_acknowledge_by_hand(complaint=complaint, by=by)
        elif step == Status.INVESTIGATING and complaint.status == Status.ACKNOWLEDGED:
            services.complaint_set_status(complaint=complaint, to=Status.INVESTIGATING, by=by)
        elif step == to == Status.DEADLOCKED:
            services.complaint_issue_deadlock(complaint=complaint, by=by, final_position="We stand by our bill.")
        elif step == to == Status.CLOSED:
            services.complaint_set_status(complaint=complaint, to=Status.RESOLVED, by=by, note=note)
            services.complaint_set_status(complaint=complaint, to=Status.CLOSED, by=by, note=note)
        elif step == to:
            services.complaint_set_status(complaint=complaint, to=to, by=by, note=note)
    complaint.refresh_from_db()
    assert complaint.status == to, complaint.status
    return complaint


def office_hours_before(end, hours):
    """The instant `hours` office hours before `end`: the receipt time whose deadline is `end`.

    The inverse of add_office_hours, walked back day by day; the tests check it against the real
    calendar (office_hours_between) rather than trusting it.
    """
    remaining = timedelta(hours=hours)
    day = london(end).date()
    while True:
        if is_working_day(day):
            opens = datetime.combine(day, time(9, 0), tzinfo=TZ)
            closes = datetime.combine(day, time(17, 30), tzinfo=TZ)
            upto = min(closes, end)
            if upto > opens:
                if remaining <= upto - opens:
                    return upto - remaining
                remaining -= upto - opens
        day -= timedelta(days=1)


def at_risk_complaint(customer, **kwargs):
    """A complaint received long enough ago that its acknowledgement is due in about one office hour.

    The alert job and the admin's filter read the real clock, so the receipt time is worked back from now.
    """
    due = add_office_hours(timezone.now(), 1)
    received = office_hours_before(due, 24)
    assert office_hours_between(received, due) == timedelta(hours=24)
    complaint = open_complaint(customer, received_at=received, **kwargs)
    assert timezone.now() < complaint.ack_due_at <= add_office_hours(timezone.now(), 2)
    return complaint


def overdue_complaint(customer, **kwargs):
    """A complaint received a month ago and still not acknowledged."""
    return open_complaint(customer, received_at=timezone.now() - timedelta(days=30), **kwargs)


def messages_for(complaint):
    return outbox.messages_concerning(complaint).order_by("id")


def reload(obj):
    return type(obj).objects.get(pk=obj.pk)


def letter_pdf_text(message):
    message = OutboxMessage.objects.get(pk=message.pk)
    pdf = outbox.letter_pdf(message)
    assert pdf is not None, f"no PDF rendered for {message}"
    return pdf_text(pdf)
