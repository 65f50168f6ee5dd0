"""The one clock (portal/clock.py): aware UTC now, and today's date in London."""

from datetime import UTC, date, datetime, timedelta

from django.utils import timezone

from portal import clock


def test_now_is_an_aware_utc_time():
    now = clock.now()

    assert now.utcoffset() == timedelta(0)
    assert abs(now - timezone.now()) < timedelta(seconds=5)


def test_today_is_the_london_date(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 6, 30, 23, 30, tzinfo=UTC))
    assert clock.today() == date(2026, 7, 1)  # 00:30 BST

    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 12, 31, 23, 30, tzinfo=UTC))
    assert clock.today() == date(2026, 12, 31)  # GMT: London is UTC


def test_moving_the_clock_moves_what_the_portal_reads(monkeypatch):
    """Tests move the whole portal in time by patching clock.now: the services' default reads it."""
    from portal import sla

    moment = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    monkeypatch.setattr(clock, "now", lambda: moment)

    assert sla.state(due_at=moment + timedelta(minutes=1), done_at=None, at_risk_office_hours=0) == sla.DUE
    assert sla.state(due_at=moment, done_at=None, at_risk_office_hours=0) == sla.OVERDUE
