"""A customer writing to us about a case we handle (a complaint, a fault; later an order).

Whatever brought the message (the portal's form today; an emailed reply matched to its case, or a letter
typed in by staff, later), it takes one path, in the transaction that records it on the case's timeline:

1. the case is "waiting for us" from the first message we have not yet answered (`customer_waiting_since`
   on the case: the admin lists show it and filter by it);
2. the staff who handle the case are told, by the outbox: the member of staff who owns it when it has an
   owner who can receive email, else the whole group that handles such cases. One alert per message.

Each app keeps its own refusals, timeline event and words (its services call `received` and `alert`
here); portal imports no app.

Decision: a case stops waiting when a member of staff writes to the customer about it (a reply, or any
staff action that sends them an email or letter: a status change they are told of, visit times offered,
a deadlock letter...), or when the case is closed. An internal note, a change of owner or a letter the
portal sends by itself (an acknowledgement, the ADR letter) leaves it waiting: the customer still has no
answer from a person.
"""

from datetime import timedelta

from django.contrib import admin
from django.db import models
from django.db.models import Value
from django.db.models.functions import Coalesce, Least
from django.utils import timezone
from django.utils.html import format_html

from portal import outbox
from portal.models import Via
from portal.office_hours import london

__all__ = ["Via", "WaitingFilter", "alert", "answered", "check_arrival", "customer_replied", "received", "waiting_text"]

FIELD = "customer_waiting_since"


class ArrivalRefused(ValueError):
    """A message time that cannot be right; the text is for the user."""


def check_arrival(*, received_at, via, now, case_since):
    """Refuse a message said to reach us in the future, or before the case itself (a typo in a time staff
    typed, a wrong clock): every time on the timeline must be one that could be true."""
    if received_at is None or timezone.is_naive(received_at):
        raise ArrivalRefused("Give the time the message reached us.")
    if received_at > now + timedelta(minutes=1):
        raise ArrivalRefused("The time the message reached us cannot be in the future.")
    if received_at < case_since:
        raise ArrivalRefused("The message cannot have reached us before the case it is about.")
    if via not in Via.values:
        raise ArrivalRefused(f"Unknown way for a message to reach us: {via!r}.")


def received(case, *, at):
    """The customer has written: the case waits for us from `at`, unless it already waits since earlier
    (an emailed reply read late may have reached us before the last portal message). One UPDATE, so two
    messages arriving together keep the earliest time."""
    model = type(case)
    at_value = Value(at, output_field=models.DateTimeField())
    model.objects.filter(pk=case.pk).update(**{FIELD: Least(Coalesce(FIELD, at_value), at_value)})
    setattr(case, FIELD, model.objects.values_list(FIELD, flat=True).get(pk=case.pk))


def answered(case):
    """Staff have written to the customer about the case, or closed it: nothing is waiting any more."""
    type(case).objects.filter(pk=case.pk).exclude(**{f"{FIELD}__isnull": True}).update(**{FIELD: None})
    setattr(case, FIELD, None)


def _can_receive(owner):
    return owner is not None and owner.is_active and owner.is_staff and bool(owner.email)


def alert(*, case, owner, group, kind, template, subject, context, now=None):
    """Tell the case's owner (when they can receive email), else every member of `group`, that the
    customer has written. Returns the outbox messages queued."""
    context = {**context, "case": case}
    if _can_receive(owner):
        return [
            outbox.email(
                kind=kind,
                to_email=owner.email,
                to_name=owner.full_name or owner.username,
                template=template,
                subject=subject,
                context={**context, "group": ""},
                concerning=case,
                now=now,
            )
        ]
    return outbox.email_staff(
        group=group, kind=kind, template=template, subject=subject, context=context, concerning=case, now=now
    )


def waiting_text(case):
    """'Waiting for us since Tue 3 Mar 14:05' (London), or '' when nothing waits."""
    since = getattr(case, FIELD)
    if since is None:
        return ""
    local = london(since)
    return f"Waiting for us since {local:%a} {local.day} {local:%b %H:%M}"


class WaitingFilter(admin.SimpleListFilter):
    """The admin's "Customer replied" filter: cases whose customer wrote and is waiting for our answer."""

    title = "customer replied"
    parameter_name = "replied"

    def lookups(self, request, model_admin):
        return [("waiting", "Yes: waiting for us"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() == "waiting":
            return queryset.filter(**{f"{FIELD}__isnull": False})
        if self.value() == "no":
            return queryset.filter(**{f"{FIELD}__isnull": True})
        return queryset


@admin.display(description="Customer replied", ordering=FIELD)
def customer_replied(case):
    """The admin lists' "Customer replied" column: bold while the customer waits for us."""
    text = waiting_text(case)
    return format_html("<strong>{}</strong>", text) if text else ""
