"""Health checks for load balancers and monitoring (django-health-check), at /health/ and /health/web/.

- /health/web/ (load balancers): can this web machine serve? The database and the file storage.
- /health/ (monitoring): also the broker, and the age of the oldest message still to be sent, which
  grows when workers, the broker or the mail server are in trouble even though every page still works.

Each answers 200 when all its checks pass and 500 when one fails; `?format=json` or `Accept:
application/json` for machines. A failure names what failed in plain words and nothing about where the
servers are: the endpoints are public, as load balancers need them.
"""

import dataclasses
from datetime import timedelta

from django.conf import settings
from django.db import Error as DatabaseError
from django.db import connection
from django.db.models import Min
from health_check.base import HealthCheck
from health_check.checks import Database as _Database
from health_check.checks import Storage
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

from portal import clock
from portal.models import OutboxMessage, Status


@dataclasses.dataclass
class Database(_Database):
    def run(self):
        try:
            super().run()
        except ServiceUnavailable as exc:
            raise ServiceUnavailable("the database does not answer") from exc


@dataclasses.dataclass
class Broker(HealthCheck):
    """The Celery broker takes a connection (Redis; on the embedded default, its folder)."""

    timeout = timedelta(seconds=3)

    def run(self):
        from portal.celery import app

        try:
            with app.connection_for_write() as broker:
                broker.ensure_connection(max_retries=1, interval_start=0, timeout=2)
        except Exception as exc:
            raise ServiceUnavailable("the broker does not answer") from exc


@dataclasses.dataclass
class Outbox(HealthCheck):
    """The oldest message still to be sent (queued, backing off or being sent) is younger than
    OUTBOX_HEALTH_MAX_AGE_SECONDS. Its age is shown in the check's name, so monitoring can graph it."""

    oldest_unsent_seconds: int | None = None

    def run(self):
        try:
            oldest = OutboxMessage.objects.filter(status__in=[Status.QUEUED, Status.SENDING]).aggregate(
                oldest=Min("created_at")
            )["oldest"]
        except DatabaseError as exc:
            raise ServiceUnavailable("the database does not answer") from exc
        finally:
            connection.close()  # this runs in a thread of its own: leave no connection behind
        self.oldest_unsent_seconds = 0 if oldest is None else max(int((clock.now() - oldest).total_seconds()), 0)
        if self.oldest_unsent_seconds > settings.OUTBOX_HEALTH_MAX_AGE_SECONDS:
            raise ServiceUnavailable(f"the oldest unsent message is {self.oldest_unsent_seconds} seconds old")


class HealthView(HealthCheckView):
    template_name = "portal/health.html"


WEB_CHECKS = [Database, Storage]
ALL_CHECKS = [Database, Storage, Broker, Outbox]
