"""The health endpoints for load balancers (/health/web/) and monitoring (/health/): the database, the
file storage, the broker and the age of the oldest message still to be sent (portal/health.py).

The checks run in threads of their own, so these tests commit what they write (transactional_db)."""

import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from portal import outbox
from portal.models import OutboxMessage
from tests.worker import broker_unreachable

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _storage(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def get(client, url, **kwargs):
    """The health view is async. Asked from a thread of its own, as a web server's thread would: in the
    whole suite, Playwright keeps an event loop running in the tests' own thread."""
    answer = {}
    thread = threading.Thread(target=lambda: answer.update(response=client.get(url, **kwargs)))
    thread.start()
    thread.join(timeout=30)
    return answer["response"]


def health(client, url="/health/"):
    response = get(client, url, data={"format": "json"})
    return response.status_code, {name.split("(")[0]: (name, state) for name, state in response.json().items()}


def test_all_is_well_with_every_part_up_and_nothing_waiting(client):
    status, checks = health(client)

    assert status == 200
    assert sorted(checks) == ["Broker", "Database", "Outbox", "Storage"]
    assert all(state == "OK" for _, state in checks.values())
    assert checks["Outbox"][0] == "Outbox(oldest_unsent_seconds=0)"


def test_a_person_reads_it_as_a_page(client):
    response = get(client, "/health/", HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert "Everything is working" in response.content.decode()


def test_an_old_unsent_message_fails_monitoring_but_not_the_load_balancer(client, alice, settings):
    settings.OUTBOX_HEALTH_MAX_AGE_SECONDS = 600
    long_ago = timezone.now() - timedelta(minutes=20)
    message = outbox.email(
        kind="welcome", to_email=alice.email, to_name=alice.full_name, template="accounts/welcome", subject="Hi",
        context={"customer": alice}, now=long_ago,
    )  # fmt: skip
    OutboxMessage.objects.filter(pk=message.pk).update(status="queued", sent_at=None)

    status, checks = health(client)
    web_status, web_checks = health(client, "/health/web/")

    assert status == 500
    name, state = checks["Outbox"]
    assert 1195 <= int(name.split("=")[1].rstrip(")")) <= 1260
    assert "the oldest unsent message is" in state and "seconds old" in state
    assert web_status == 200
    assert sorted(web_checks) == ["Database", "Storage"]


def test_with_the_broker_down_monitoring_says_so_and_the_web_machines_stay_in_service(client):
    with broker_unreachable():
        status, checks = health(client)
        web_status, _ = health(client, "/health/web/")

    assert status == 500
    assert checks["Broker"][1] == "Unavailable: the broker does not answer"
    assert "redis" not in str(checks).lower()  # public: it names what failed, not where it runs
    assert web_status == 200
