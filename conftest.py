"""Test configuration shared by the whole suite.

The suite runs on real PostgreSQL and Redis (`make test` points DATABASE_URL and REDIS_URL at the local
servers). A missing server stops the run at once with a message saying how to start it; nothing skips.
"""

import os

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls around it are safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _service_problems():
    from django.conf import settings

    problems = []
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        problems.append(
            "DATABASE_URL is not PostgreSQL: run the suite with `make test`, or set "
            "DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal"
        )
    else:
        import psycopg2

        try:
            psycopg2.connect(
                host=db["HOST"] or None,
                port=db["PORT"] or None,
                user=db["USER"],
                password=db["PASSWORD"],
                dbname="postgres",
                connect_timeout=3,
            ).close()
        except psycopg2.Error as exc:
            problems.append(
                f"PostgreSQL is not reachable at {db['HOST']}:{db['PORT']} ({str(exc).strip()}). Start it, e.g. "
                "`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`."
            )
    redis_url = settings.REDIS_URL
    if not redis_url:
        problems.append(
            "REDIS_URL is not set: run the suite with `make test`, or set REDIS_URL=redis://127.0.0.1:6379/0"
        )
    else:
        import redis

        try:
            redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
        except redis.RedisError as exc:
            problems.append(
                f"Redis is not reachable at {redis_url} ({exc}). Start it, e.g. "
                "`redis-server --daemonize yes --port 6379 --save '' --appendonly no`."
            )
    return problems


def pytest_sessionstart(session):
    problems = _service_problems()
    if problems:
        where = "CI" if os.environ.get("CI") == "true" else "this machine"
        pytest.exit("The test suite needs its services on " + where + ":\n  - " + "\n  - ".join(problems), returncode=3)


@pytest.fixture(autouse=True)
def _celery_inline():
    """Unit tests run tasks inline, in the test's process; the integration tests undo this and start
    a real worker (tests/integration/conftest.py)."""
    from portal.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False
