"""The staff report on complaint handling: what the Code promises, measured."""

import statistics
from collections import Counter, defaultdict
from datetime import timedelta

from django.db.models import Count
from django.db.models.functions import TruncMonth

from complaints.models import OPEN_STATUSES, Complaint, ComplaintEvent, EventKind, Status
from portal import clock
from portal.office_hours import TZ, office_hours_between

AGE_BUCKETS = [
    (timedelta(days=7), "Under a week"),
    (timedelta(days=28), "1 to 4 weeks"),
    (timedelta(weeks=8), "4 to 8 weeks"),
    (None, "Over 8 weeks"),
]


def _percentile(values, fraction):
    ordered = sorted(values)
    if not ordered:
        return None
    index = max(0, min(len(ordered) - 1, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def build(*, now=None):
    now = now or clock.now()
    by_month = defaultdict(Counter)
    for row in (
        Complaint.objects.annotate(month=TruncMonth("received_at", tzinfo=TZ))
        .values("month", "status")
        .annotate(n=Count("pk"))
        .order_by("month")
    ):
        by_month[row["month"].date()][row["status"]] += row["n"]
    months = [
        {"month": month, "counts": [counts.get(s, 0) for s in Status.values], "total": sum(counts.values())}
        for month, counts in sorted(by_month.items(), reverse=True)
    ]

    acknowledged = Complaint.objects.filter(acknowledged_at__isnull=False).values_list(
        "received_at", "acknowledged_at", "ack_due_at"
    )
    hours = [office_hours_between(r, a).total_seconds() / 3600 for r, a, _ in acknowledged]
    late = sum(1 for _, a, due in acknowledged if a > due)

    letters = Counter(
        ComplaintEvent.objects.filter(kind__in=[EventKind.DEADLOCK, EventKind.ADR_LETTER]).values_list(
            "kind", flat=True
        )
    )
    ages = Counter()
    for received in Complaint.objects.filter(status__in=OPEN_STATUSES).values_list("received_at", flat=True):
        age = now - received
        for limit, label in AGE_BUCKETS:
            if limit is None or age < limit:
                ages[label] += 1
                break
    unacknowledged_overdue = Complaint.objects.filter(status=Status.RECEIVED, ack_due_at__lt=now).count()
    return {
        "statuses": Status.labels,
        "months": months,
        "ack_count": len(hours),
        "ack_median_hours": statistics.median(hours) if hours else None,
        "ack_p95_hours": _percentile(hours, 0.95),
        "ack_late": late,
        "unacknowledged_overdue": unacknowledged_overdue,
        "deadlock_letters": letters[EventKind.DEADLOCK],
        "adr_letters": letters[EventKind.ADR_LETTER],
        "open_by_age": [(label, ages[label]) for _, label in AGE_BUCKETS],
        "now": now,
    }
