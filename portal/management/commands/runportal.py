"""Run the whole portal on one machine: web server, Celery worker and Celery beat together.

`make run` calls this after migrating and loading demo data. Ctrl-C stops all three.

The worker and the scheduler write their logs to files under var/log/ rather than to the terminal:
they log every task, so on screen they would scroll the address and the demo logins away within a
minute. The terminal shows one block (where the portal is, the demo logins, where the logs and emails
go, how to stop), printed once all three have started so that it is the last thing there, followed only
by the web server's log of requests.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal import demo

# What each process logs once it is ready for work (Celery's own words).
READY = {"worker": " ready.", "beat": "beat: Starting..."}


class Command(BaseCommand):
    help = "Start the web server, a Celery worker and the Celery beat scheduler; Ctrl-C stops them all."

    def add_arguments(self, parser):
        parser.add_argument(
            "--addr",
            default=os.environ.get("PORTAL_ADDR", "127.0.0.1:8000"),
            help="Address and port of the web server (default: PORTAL_ADDR or 127.0.0.1:8000).",
        )

    def handle(self, *args, addr, **options):
        # Ctrl-C, a closed terminal or a plain `kill` all stop the three processes together.
        def stop(signum, frame):
            raise KeyboardInterrupt

        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, stop)
        python = sys.executable
        host, port = addr.rsplit(":", 1) if ":" in addr else ("127.0.0.1", addr)
        log_dir = Path(settings.VAR_DIR) / "log"
        log_dir.mkdir(parents=True, exist_ok=True)
        logs = {name: log_dir / f"{name}.log" for name in READY}
        commands = {
            "worker": [
                python,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "--loglevel=INFO",
                "--concurrency=2",
                # Each worker process is replaced after this many tasks, so memory cannot creep (PDFs).
                f"--max-tasks-per-child={settings.CELERY_WORKER_MAX_TASKS_PER_CHILD}",
            ],
            "beat": [
                python,
                "-m",
                "celery",
                "-A",
                "portal",
                "beat",
                "--loglevel=INFO",
                "--schedule",
                settings.CELERY_BEAT_SCHEDULE_FILENAME,
            ],
            "web": [python, str(Path(settings.BASE_DIR) / "manage.py"), "runserver", "--noreload", addr],
        }
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}  # each line reaches its log or the screen as written
        children, log_files = {}, {}
        if self._listening(host, int(port)):
            raise CommandError(
                f"Something else is already using {host}:{port}. Choose another address or port, "
                "for example: PORTAL_ADDR=127.0.0.1:8080 make run"
            )
        try:
            for name, command in commands.items():
                output = {}
                if name in logs:
                    # A fresh file each run, so an old "ready" line is never taken for this run's (closed below).
                    log_files[name] = output["stdout"] = open(logs[name], "w")  # noqa: SIM115 (closed on stop)
                    output["stderr"] = subprocess.STDOUT
                children[name] = subprocess.Popen(command, start_new_session=True, env=env, **output)
            self._wait_until_ready(children, logs, host, int(port))
            self._check_running(children, logs)
            self.stdout.write(self.style.SUCCESS(self._banner(host, port, logs)))
            self.stdout.flush()
            while all(child.poll() is None for child in children.values()):
                time.sleep(0.5)
            stopped = [name for name, child in children.items() if child.poll() is not None]
            self.stderr.write(f"{', '.join(stopped)} stopped; stopping the rest.{self._see_logs(stopped, logs)}")
        except KeyboardInterrupt:
            self.stdout.write("\nStopping the portal...")
        finally:
            for child in children.values():
                if child.poll() is None:
                    child.terminate()  # the worker's main process shuts its pool down warmly itself
            deadline = time.monotonic() + 15
            for child in children.values():
                try:
                    child.wait(timeout=max(deadline - time.monotonic(), 0.1))
                except subprocess.TimeoutExpired:
                    os.killpg(child.pid, signal.SIGKILL)
            for log in log_files.values():
                log.close()
            self.stdout.write("Stopped.")

    @staticmethod
    def _shown(path):
        """A path as the person at the terminal can type it: relative to where they are, when inside."""
        try:
            return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
        except ValueError:
            return str(path)

    def _banner(self, host, port, logs):
        everywhere = host in ("0.0.0.0", "[::]", "::")
        shown = "127.0.0.1" if everywhere else host
        url = f"http://{shown}:{port}/"
        logins = "\n".join(f"    {username:<14} {who}" for username, who in demo.logins())
        emails = getattr(settings, "EMAIL_FILE_PATH", None)
        emails = f"files in {self._shown(emails)}" if emails else f"the mail backend {settings.EMAIL_BACKEND}"
        lines = [
            "",
            "=" * 78,
            f"The portal is running at {url}" + ("  (and on this machine's other addresses)" if everywhere else ""),
            f"Staff admin: {url}admin/",
            f"Health (database, broker, storage, oldest unsent message): {url}health/",
            "",
            *(
                [f"Demo logins, password {demo.PASSWORD} for all:", logins]
                if logins
                else ["No demo logins yet: run manage.py demo_data."]
            ),
            "",
            f"Emails go to {emails}; letters wait in the staff print queue.",
            *self._demo_statement(),
            f"Worker and scheduler logs: {self._shown(logs['worker'])} and {self._shown(logs['beat'])}",
            "Another address or port: PORTAL_ADDR=127.0.0.1:8080 make run",
            "To stop the web server, worker and scheduler together, press Ctrl-C.",
            "=" * 78,
            "",
        ]
        return "\n".join(lines)

    def _demo_statement(self):
        """The demo's bank statement, for the accounts team to import (billing's demo step writes it)."""
        path = Path(settings.VAR_DIR) / "demo" / "statement-lloyds.csv"
        if not path.exists():
            return []
        return [f"A bank statement to import as ann (Billing > Statement imports > Add): {self._shown(str(path))}"]

    def _see_logs(self, names, logs):
        named = [self._shown(logs[name]) for name in names if name in logs]
        return f" See {' and '.join(named)}." if named else ""

    @staticmethod
    def _listening(host, port):
        """Whether something takes connections at host:port. A bare connection, not a request: the web
        server's log stays empty until a visitor comes."""
        connect_to = "127.0.0.1" if host in ("0.0.0.0", "[::]", "::") else host.strip("[]")
        try:
            socket.create_connection((connect_to, port), timeout=1).close()
        except OSError:
            return False
        return True

    def _check_running(self, children, logs):
        for name, child in children.items():
            if child.poll() is not None:
                raise CommandError(f"The {name} stopped while starting.{self._see_logs([name], logs)}")

    def _wait_until_ready(self, children, logs, host, port, timeout=90):
        """Until the web server takes connections and the worker and scheduler say they are ready."""
        waiting = {"web", *logs}
        deadline = time.monotonic() + timeout
        while waiting and time.monotonic() < deadline:
            self._check_running(children, logs)
            if "web" in waiting and self._listening(host, port):
                waiting.discard("web")
            for name in [n for n in waiting if n in logs]:
                if READY[name] in logs[name].read_text(errors="replace"):
                    waiting.discard(name)
            time.sleep(0.3)
        if waiting:
            raise CommandError(
                f"Not ready after {timeout} seconds: {', '.join(sorted(waiting))}."
                f"{self._see_logs(sorted(waiting), logs)}"
            )
