import pytest

from portal import clock


@pytest.fixture
def clock_at(monkeypatch):
    """Move the portal's clock (what views, the admin and tasks read) to a moment in London; services
    get `now` passed."""

    def move(moment):
        monkeypatch.setattr(clock, "now", lambda: moment)
        return moment

    return move
