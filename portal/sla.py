"""Where a deadline of the Code stands: met, late, due, at risk or overdue.

Every "due within N office hours" promise (order confirmations, complaint acknowledgements, fault
repairs) is a due time stored on its object plus the time it was done. These helpers turn that pair into
the state staff see, and into querysets for the admin's filters, with the calendar of office_hours.py.
"""

from django.contrib import admin
from django.db.models import F, Q

from portal import clock
from portal.office_hours import add_office_hours

MET, LATE, DUE, AT_RISK, OVERDUE = "met", "late", "due", "at_risk", "overdue"
LABELS = {MET: "Done in time", LATE: "Done late", DUE: "Due", AT_RISK: "At risk", OVERDUE: "Overdue"}


def state(*, due_at, done_at, now=None, at_risk_office_hours):
    """The state of one deadline. at_risk: not done, and due within `at_risk_office_hours` office hours."""
    if due_at is None:
        return None
    if done_at is not None:
        return MET if done_at <= due_at else LATE
    now = now or clock.now()
    if due_at <= now:
        return OVERDUE
    if due_at <= add_office_hours(now, at_risk_office_hours):
        return AT_RISK
    return DUE


def open_q(*, due_field, done_field, which, now=None, at_risk_office_hours):
    """A Q selecting the not-yet-done rows in state `which` (DUE, AT_RISK or OVERDUE)."""
    now = now or clock.now()
    pending = Q(**{f"{done_field}__isnull": True, f"{due_field}__isnull": False})
    risk_edge = add_office_hours(now, at_risk_office_hours)
    if which == OVERDUE:
        return pending & Q(**{f"{due_field}__lte": now})
    if which == AT_RISK:
        return pending & Q(**{f"{due_field}__gt": now, f"{due_field}__lte": risk_edge})
    if which == DUE:
        return pending & Q(**{f"{due_field}__gt": risk_edge})
    if which == LATE:
        return Q(**{f"{done_field}__isnull": False, f"{done_field}__gt": F(due_field)})
    raise ValueError(f"Unknown deadline state {which!r}")


def admin_filter(*, title, parameter_name, due_field, done_field, at_risk_office_hours):
    """A changelist filter for one deadline: Overdue, At risk, Due (not yet done), Done late."""

    class DeadlineFilter(admin.SimpleListFilter):
        def lookups(self, request, model_admin):
            return [(OVERDUE, "Overdue"), (AT_RISK, "At risk"), (DUE, "Due, in hand"), (LATE, "Done late")]

        def queryset(self, request, queryset):
            if self.value() in (OVERDUE, AT_RISK, DUE, LATE):
                hours = at_risk_office_hours() if callable(at_risk_office_hours) else at_risk_office_hours
                return queryset.filter(
                    open_q(due_field=due_field, done_field=done_field, which=self.value(), at_risk_office_hours=hours)
                )
            return queryset

    DeadlineFilter.title = title
    DeadlineFilter.parameter_name = parameter_name
    return DeadlineFilter


def claim_alerts(queryset, *, due_field, done_field, level_field, at_risk_office_hours, now, record):
    """Mark the rows of `queryset` that newly reached "at risk" or "overdue", once per level, and call
    record(row, level) for each (an event on its timeline). Returns {AT_RISK: [...], OVERDUE: [...]}.

    Run inside a transaction. Rows are locked with skip_locked, so two overlapping runs of an alert job
    share the rows between them instead of both alerting for the same one.
    """
    newly = {AT_RISK: [], OVERDUE: []}
    for level in (OVERDUE, AT_RISK):
        rows = (
            queryset.select_for_update(skip_locked=True, of=("self",))
            .filter(
                open_q(
                    due_field=due_field,
                    done_field=done_field,
                    which=level,
                    at_risk_office_hours=at_risk_office_hours,
                    now=now,
                )
            )
            .exclude(**{f"{level_field}__in": [level, OVERDUE]})
            .order_by(due_field, "pk")
        )
        for row in rows:
            setattr(row, level_field, level)
            row.save(update_fields=[level_field])
            record(row, level)
            newly[level].append(row)
    return newly
