import pytest

from faults import clock


@pytest.fixture
def clock_at(monkeypatch):
    """Move the faults app's clock (views, admin, tasks) to a moment in London; services get `now` passed."""
    def move(moment):
        monkeypatch.setattr(clock, "now", lambda: moment)
        return moment
    return move
