"""`make run`: demo data, then the web server, worker and scheduler together, with one block on screen that
says where the portal is and how to log in and stop, printed last. Runs the real commands on the embedded
default (SQLite, Celery on the filesystem transport) in a folder of its own."""

import contextlib
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from accounts import demo as account_demo
from portal import demo

REPO = Path(settings.BASE_DIR)
BLOCK_END = "=" * 78


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    """The environment `make run` has on a fresh machine: nothing set, its state in its own folder."""
    tmp_path = tmp_path_factory.mktemp("make-run")
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DATABASE_", "REDIS_", "CELERY_", "EMAIL_", "PORTAL_"))
    }
    env.update(PORTAL_VAR_DIR=str(tmp_path / "var"), PYTHONPATH=str(REPO), PYTHONUNBUFFERED="1")

    def manage(*args, **kwargs):
        return subprocess.run(
            [sys.executable, str(REPO / "manage.py"), *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
            **kwargs,
        )

    manage("migrate", "--noinput", "-v0")
    return env, manage("demo_data").stdout, tmp_path


class Screen:
    """What a process prints, line by line, as a terminal would show it."""

    def __init__(self, process):
        self.lines, self._queue = [], queue.Queue()
        threading.Thread(target=self._read, args=(process.stdout,), daemon=True).start()

    def _read(self, stream):
        for line in stream:
            self._queue.put(line.rstrip("\n"))

    def wait_for(self, text, timeout=90):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                self.lines.append(self._queue.get(timeout=0.5))
            except queue.Empty:
                continue
            if text in self.lines[-1]:
                return
        raise AssertionError(f"{text!r} not printed within {timeout}s:\n" + "\n".join(self.lines))

    def settle(self, seconds):
        """Everything printed in the next few seconds."""
        deadline, more = time.monotonic() + seconds, []
        while time.monotonic() < deadline:
            with contextlib.suppress(queue.Empty):
                more.append(self._queue.get(timeout=0.2))
        self.lines += more
        return more


def test_demo_data_does_not_print_the_logins(embedded):
    _, printed, _ = embedded

    assert "Demo data ready" in printed
    assert "alice" not in printed and demo.PASSWORD not in printed


def test_the_portal_starts_prints_one_block_last_and_stops_on_ctrl_c(embedded):
    env, _, folder = embedded
    port = free_port()
    portal = subprocess.Popen(
        [sys.executable, str(REPO / "manage.py"), "runportal"],
        cwd=folder,
        text=True,
        env={**env, "PORTAL_ADDR": f"127.0.0.1:{port}"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    screen = Screen(portal)
    try:
        screen.wait_for("The portal is running at")
        screen.wait_for(BLOCK_END)  # the block's closing line

        later = screen.settle(4)  # the worker sends the demo data's emails meanwhile: none of it on screen
        text = "\n".join(screen.lines)

        assert later == [] and screen.lines[-1] == BLOCK_END
        assert f"The portal is running at http://127.0.0.1:{port}/" in text
        assert f"Demo logins, password {demo.PASSWORD} for all:" in text
        for username in [spec["username"] for spec in account_demo.CUSTOMERS + account_demo.STAFF] + ["admin"]:
            assert [line for line in screen.lines if line.startswith(f"    {username:<14} ")], username
            assert text.count(f"    {username:<14} ") == 1
        assert "Another address or port: PORTAL_ADDR=127.0.0.1:8080 make run" in text
        assert "To stop the web server, worker and scheduler together, press Ctrl-C." in text
        assert "Worker and scheduler logs: var/log/worker.log and var/log/beat.log" in text
        assert "celery@" not in text and "beat: Starting" not in text  # their logs are in files
        assert " ready." in (folder / "var" / "log" / "worker.log").read_text()
        assert "beat: Starting..." in (folder / "var" / "log" / "beat.log").read_text()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
            assert "121 Communications" in response.read().decode()
        assert f"Health (database, broker, storage, oldest unsent message): http://127.0.0.1:{port}/health/" in text
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/?format=json", timeout=10) as response:
            assert set(json.loads(response.read()).values()) == {"OK"}
        children = Path(f"/proc/{portal.pid}/task/{portal.pid}/children").read_text().split()
        commands = [Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0") for child in children]
        [worker] = [command for command in commands if b"worker" in command]
        assert b"--max-tasks-per-child=200" in worker  # its processes are replaced now and then

        os.killpg(portal.pid, signal.SIGINT)  # Ctrl-C reaches the whole process group
        assert portal.wait(timeout=30) == 0
        screen.settle(1)
        assert screen.lines[-1] == "Stopped."
    finally:
        if portal.poll() is None:
            os.killpg(portal.pid, signal.SIGKILL)


def test_a_port_already_in_use_is_named_and_nothing_starts(embedded):
    env, _, folder = embedded
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        result = subprocess.run(
            [sys.executable, str(REPO / "manage.py"), "runportal"],
            cwd=folder,
            text=True,
            env={**env, "PORTAL_ADDR": f"127.0.0.1:{port}"},
            capture_output=True,
            timeout=60,
        )

    assert result.returncode == 1
    assert f"Something else is already using 127.0.0.1:{port}." in result.stderr
    assert "PORTAL_ADDR=127.0.0.1:8080 make run" in result.stderr
    assert "The portal is running" not in result.stdout
