"""A real Celery worker process on Redis and PostgreSQL, for tests that cross process boundaries.

The fixtures are made available to the whole suite by tests/conftest.py.

The worker reads the test database (so tests here use `transactional_db`: their rows are committed
and visible to it) and writes each email as a file, which the test reads back.
"""

import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from portal.celery import app


class Worker:
    def __init__(self, name, mail_dir, process):
        self.name = name
        self.mail_dir = mail_dir
        self.process = process

    def emails(self):
        """Every email the worker handed to the mail backend, parsed."""
        found = []
        for path in sorted(self.mail_dir.glob("*.log")):
            # The file backend writes messages one after another, separated by a line of dashes.
            for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
                if chunk.strip():
                    found.append(message_from_bytes(chunk.strip(b"\n"), policy=default_policy))
        return found

    def wait_for_emails(self, count, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            emails = self.emails()
            if len(emails) >= count:
                return emails
            assert self.process.poll() is None, "the worker process died"
            time.sleep(0.05)
        raise AssertionError(f"expected {count} email(s) from the worker within {timeout}s, got {len(self.emails())}")

    def wait_until(self, condition, timeout=30, what="the worker to finish"):
        """Wait for condition() to hold: the worker writes the email file before it records the message as
        sent, so a test that has the file may still see the row a moment before that."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            assert self.process.poll() is None, "the worker process died"
            time.sleep(0.05)
        raise AssertionError(f"waited {timeout}s for {what}")

    def tasks_done(self, task_name):
        stats = app.control.inspect(destination=[self.name], timeout=2).stats() or {}
        return stats.get(self.name, {}).get("total", {}).get(task_name, 0)

    def wait_for_tasks(self, task_name, count, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.tasks_done(task_name) >= count:
                return
            time.sleep(0.1)
        raise AssertionError(f"the worker ran {self.tasks_done(task_name)} {task_name} task(s), expected {count}")


@pytest.fixture(scope="module")
def celery_worker(django_db_setup, django_db_blocker, tmp_path_factory):
    """Start `celery -A portal worker` against the test database and the test Redis."""
    mail_dir = tmp_path_factory.mktemp("worker-mail")
    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("EMAIL_", "CELERY_"))},
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,  # this run's own queue
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "PORTAL_VAR_DIR": str(tmp_path_factory.mktemp("worker-var")),
        "DB_CONN_MAX_AGE": "0",  # hold no connection open, so the test database can be flushed and dropped
    }
    name = f"portal-test-{uuid.uuid4().hex[:8]}@localhost"
    app.control.purge()  # nothing left over from an earlier run may reach this worker
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "-n",
            name,
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    log_path = Path(mail_dir.parent) / f"{name.split('@')[0]}.log"
    # Drain the worker's output to a file, so a full pipe never blocks it and a failure can show it.
    drain = subprocess.Popen(["tee", str(log_path)], stdin=process.stdout, stdout=subprocess.DEVNULL)
    worker = Worker(name, mail_dir, process)
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(destination=[name], timeout=0.5):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("The Celery worker did not start:\n" + log_path.read_text()[-3000:])
        yield worker
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        drain.wait(timeout=5)


@pytest.fixture
def real_broker():
    """Tasks go to Redis for the worker instead of running inline."""
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = True


@contextmanager
def broker_unreachable():
    """The web side loses Redis: publishing a task fails as it would with the server down.

    Celery caches its connection and producer pools per broker URL; pointing the app at a port where
    nothing listens and dropping the cached pools makes the next publish really try, and fail.
    """
    saved = app.conf.broker_url

    def switch(url):
        app.conf.broker_url = url
        app._pool = None
        app.amqp._producer_pool = None

    switch("redis://127.0.0.1:1/0")  # nothing listens on port 1: connection refused
    try:
        yield
    finally:
        switch(saved)
