"""The whole portal as it runs in production, on servers these tests own, for the fault-injection tests
(tests/integration/test_faults.py).

- PostgreSQL and Redis instances of their own (own ports, own data folders in a temporary folder),
  started and stopped by the tests: never the machine's servers on 5432 and 6379.
- A real SMTP server (tests/integration/smtp_sink.py) that records every message it accepts.
- gunicorn with 2 workers, 2 Celery workers (one pool process each) and Celery beat, with DEBUG off:
  the settings production has, the intervals and leases shortened so that a scenario fits in a minute.
- Customers who use the portal over HTTP as a browser does: log in, fill in forms, and when a page says
  "nothing was saved", send it again.
"""

import contextlib
import glob
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from html import unescape
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path

import psycopg2

REPO = Path(__file__).resolve().parents[2]
SINK = Path(__file__).resolve().parent / "smtp_sink.py"
NOTHING_SAVED = "nothing was saved"
TRY_AGAIN = "Please try again in a minute"  # the title of the portal's 503 page
PASSWORD = "a-Strong-pass-99"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"waited {timeout}s for {what}")


def listening(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except OSError:
        return False
    return True


def _as_postgres(command):
    """initdb and pg_ctl refuse to run as root: run them as the postgres user when we are root."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class Postgres:
    """A PostgreSQL instance of the tests' own, in `folder`, on its own port."""

    def __init__(self, folder):
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not found:
            raise RuntimeError("PostgreSQL's server programs are missing: `apt-get install postgresql` (.ci/run does).")
        self.bin = Path(found[-1]).parent
        self.folder, self.port = Path(folder), free_port()
        self.data = self.folder / "data"

    def _ctl(self, *args):
        subprocess.run(
            _as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.data), *args]), check=True, capture_output=True
        )

    def init(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
        subprocess.run(
            _as_postgres([str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "-N"]),
            check=True,
            capture_output=True,
        )
        self.start()
        admin = psycopg2.connect(self.url("postgres"))
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute('CREATE DATABASE "portal"')
        admin.close()

    def start(self):
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60"
        self._ctl("-o", options, "-l", str(self.folder / "log"), "-w", "start")

    def stop(self):
        self._ctl("-m", "fast", "-w", "stop")

    def url(self, name="portal"):
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def query(self, sql, *params):
        with contextlib.closing(psycopg2.connect(self.url())) as db, db.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()


class Redis:
    def __init__(self, folder):
        self.folder, self.port = Path(folder), free_port()
        self.folder.mkdir(parents=True, exist_ok=True)
        self.pidfile = self.folder / "redis.pid"

    def start(self):
        subprocess.run(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
            + ["--daemonize", "yes", "--pidfile", str(self.pidfile), "--dir", str(self.folder)]
            + ["--logfile", str(self.folder / "redis.log")],
            check=True,
        )
        wait_for(lambda: listening(self.port), 10, "Redis to start")

    def stop(self):
        """Stopped hard, as a crash would: everything queued in it is lost (it keeps nothing on disk)."""
        pid = int(self.pidfile.read_text())
        os.kill(pid, signal.SIGKILL)
        wait_for(lambda: not listening(self.port), 10, "Redis to stop")
        self.pidfile.unlink(missing_ok=True)

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"


class SmtpSink:
    """The mail server: every message it accepted, with its time of acceptance."""

    def __init__(self, folder):
        self.folder, self.port = Path(folder), free_port()
        self.log, self.orders = self.folder / "accepted.jsonl", self.folder / "orders"
        self.orders.mkdir(parents=True, exist_ok=True)
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [sys.executable, str(SINK), "--port", str(self.port), "--log", str(self.log), "--orders", str(self.orders)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout.readline().strip() == "ready"

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)

    def order(self, what):
        """kill-before or kill-after: the next message to arrive has its sender killed."""
        (self.orders / what).touch()

    def pending_orders(self):
        return [p.name for p in self.orders.iterdir()]

    def accepted(self):
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines() if line.strip()]


class Portal:
    """gunicorn (2 workers), 2 Celery workers and beat, on the tests' own servers."""

    def __init__(self, folder, postgres, redis, sink):
        self.folder = Path(folder)
        self.port = free_port()
        self.processes = {}
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "CELERY_", "EMAIL_"))},
            "DJANGO_SETTINGS_MODULE": "tests.integration.rig_settings",
            "PYTHONPATH": str(REPO),
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",  # plain HTTP on the loopback; cookies stay Secure
            "DATABASE_URL": postgres.url(),
            "REDIS_URL": redis.url,
            "CELERY_QUEUE": f"faults-{os.getpid()}",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(sink.port),
            "EMAIL_USE_TLS": "false",
            "EMAIL_TIMEOUT": "10",
            "PORTAL_VAR_DIR": str(self.folder / "var"),
            "LOG_LEVEL": "INFO",
            # Shortened so that a scenario fits in a minute; production's are in portal/settings.py.
            "OUTBOX_REQUEUE_EVERY_SECONDS": "3",
            "OUTBOX_REQUEUE_AFTER_SECONDS": "5",
            "OUTBOX_CLAIM_SECONDS": "10",
            "OUTBOX_RETRY_FIRST_SECONDS": "2",
            "OUTBOX_RETRY_MAX_SECONDS": "10",
            "OUTBOX_MAX_ATTEMPTS": "30",
            "CELERY_MAX_TASKS_PER_CHILD": "100",
        }

    def manage(self, *args, **kwargs):
        return subprocess.run(
            [sys.executable, str(REPO / "manage.py"), *args],
            env=self.env,
            cwd=self.folder,
            check=True,
            capture_output=True,
            text=True,
            **kwargs,
        )

    def _spawn(self, name, command):
        log = (self.folder / f"{name}.log").open("w")
        self.processes[name] = subprocess.Popen(
            command, env=self.env, cwd=self.folder, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def start(self):
        python = sys.executable
        self._spawn(
            "web",
            [python, "-m", "gunicorn", "portal.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{self.port}"]
            + ["--timeout", "60", "--chdir", str(REPO)],
        )
        for number in (1, 2):
            self._spawn(
                f"worker{number}",
                [python, "-m", "celery", "-A", "portal", "worker", "--loglevel=INFO", "--concurrency=1"]
                + ["--max-tasks-per-child=100", "-n", f"faults{number}@%h", "--without-mingle", "--without-gossip"],
            )
        self._spawn(
            "beat",
            [python, "-m", "celery", "-A", "portal", "beat", "--loglevel=INFO"]
            + ["--schedule", str(self.folder / "celerybeat-schedule")],
        )
        wait_for(lambda: listening(self.port), 60, "gunicorn to start")
        for number in (1, 2):
            wait_for(lambda n=number: " ready." in self.log(f"worker{n}"), 60, f"worker {number} to start")
        self.check_running()

    def log(self, name):
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def check_running(self):
        stopped = [name for name, process in self.processes.items() if process.poll() is not None]
        assert not stopped, f"{stopped} stopped:\n" + "\n".join(self.log(name)[-3000:] for name in stopped)

    def pool_processes(self):
        """The pids of the Celery workers' pool processes (the children of each worker's main process)."""
        pids = []
        for number in (1, 2):
            main = self.processes[f"worker{number}"].pid
            with contextlib.suppress(OSError):
                pids += [int(p) for p in Path(f"/proc/{main}/task/{main}/children").read_text().split()]
        return pids

    def stop(self):
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


class _SecureOverLoopback(DefaultCookiePolicy):
    """The portal's cookies are Secure (production settings); these tests speak plain HTTP on 127.0.0.1."""

    def return_ok_secure(self, cookie, request):
        return True


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Page:
    def __init__(self, status, headers, body, url):
        self.status, self.headers, self.text, self.url = status, headers, body, url

    @property
    def nothing_saved(self):
        return self.status == 503 and NOTHING_SAVED in self.text

    def hidden(self, name):
        found = re.search(rf'name="{name}" value="([^"]*)"', self.text)
        return unescape(found.group(1)) if found else None

    def send_again_form(self):
        """The fields of the 503 page's "Send it again" form."""
        form = re.search(r'<form method="post" action="([^"]*)"[^>]*id="send-again">(.*?)</form>', self.text, re.S)
        fields = re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)">', form.group(2))
        return unescape(form.group(1)), [(name, unescape(value)) for name, value in fields]


class Customer:
    """A customer in a browser: cookies, forms with their CSRF token, and patience when told to try again."""

    def __init__(self, base, username, email):
        self.base, self.username, self.email = base, username, email
        self.jar = CookieJar(policy=_SecureOverLoopback())
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirects())
        self.shown_nothing_saved = 0  # the portal's 503 pages: "nothing was saved" / "try again in a minute"
        self.other_errors = []  # anything else that was not a proper page: must stay empty

    def _csrf(self):
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def request(self, path, data=None):
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)
        try:
            with self.opener.open(request, timeout=60) as response:
                return Page(response.status, response.headers, response.read().decode(errors="replace"), path)
        except urllib.error.HTTPError as error:
            return Page(error.code, error.headers, error.read().decode(errors="replace"), path)

    def patiently(self, path, data=None, *, deadline):
        """GET or POST; on "nothing was saved", wait a moment and send the page's form again (a GET: again)."""
        while True:
            page = self.request(path, data)
            if page.status < 500:
                return page
            if page.status == 503 and TRY_AGAIN in page.text:
                self.shown_nothing_saved += 1
                if page.nothing_saved:  # a form: send it again from the page, as it was typed
                    path, data = page.send_again_form()
            else:
                self.other_errors.append(f"{page.status} on {path}: {page.text[:300]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.username}: {path} still failing at the deadline ({page.status})")
            time.sleep(1)

    def post(self, path, fields, *, deadline):
        return self.patiently(path, [*fields.items(), ("csrfmiddlewaretoken", self._csrf())], deadline=deadline)

    def log_in(self, deadline):
        self.patiently("/account/login/", deadline=deadline)
        page = self.post("/account/login/", {"username": self.username, "password": PASSWORD}, deadline=deadline)
        assert page.status == 302, page.text[:500]

    # What the load is made of: each returns when the portal has said "done".

    def complain(self, marker, *, deadline):
        page = self.post(
            "/complaints/new/",
            {
                "category": "service",
                "service": "",
                "what_happened": f"{marker}: the line drops every evening and nobody has called back.",
                "desired_outcome": "A working line.",
                "reply_by": "email",
            },
            deadline=deadline,
        )
        assert page.status == 302 and "/complaints/" in page.headers["Location"], (page.status, page.text[:500])

    def order(self, marker, product_id, *, deadline):
        page = self.post(
            f"/orders/new/{product_id}/",
            {
                "address": "1 Test Street\nMaidstone",
                "postcode": "ME14 1AA",
                "preferred_start_date": "",
                "contact_name": "Test Customer",
                "contact_phone": "01622 000000",
                "contact_email": self.email,
                "notes": marker,
                "request_key": str(uuid.uuid4()),  # the form's own, shown with it
            },
            deadline=deadline,
        )
        assert page.status == 302 and "/orders/" in page.headers["Location"], (page.status, page.text[:500])

    def report_fault(self, marker, service_id, *, deadline):
        """The checks one step at a time, then the description: each form carries the answers so far."""
        url = f"/faults/report/{service_id}/"
        page = self.patiently(url, deadline=deadline)
        while "Describe the fault" not in page.text:
            step, trip = page.hidden("step"), page.hidden("trip")
            answered = self.post(url, {"step": step, "answer": "yes", "trip": trip}, deadline=deadline)
            assert answered.status == 302, (answered.status, answered.text[:500])
            page = self.patiently(url, deadline=deadline)
        fields = {"step": page.hidden("step"), "trip": page.hidden("trip")}
        fields["description"] = f"{marker}: no broadband since this morning; the router light is red."
        done = self.post(url, fields, deadline=deadline)
        assert done.status == 302 and "/faults/" in done.headers["Location"], (done.status, done.text[:500])


class Load:
    """Customers submitting complaints, orders and fault reports over HTTP, in threads, for `seconds`."""

    def __init__(self, customers, *, scenario, submissions, seconds, product_id, services):
        self.customers, self.scenario = customers, scenario
        self.submissions, self.seconds = submissions, seconds
        self.product_id, self.services = product_id, services
        self.done, self.failures, self.threads = [], [], []

    def _run(self, index, customer):
        per_customer = self.submissions // len(self.customers) + 1
        pause = self.seconds / per_customer
        started = time.monotonic()
        for number in range(per_customer):
            what = ("complaint", "order", "fault")[(index + number) % 3]
            marker = f"{self.scenario}-{customer.username}-{number}-{what}"
            deadline = time.monotonic() + 120
            try:
                if what == "complaint":
                    customer.complain(marker, deadline=deadline)
                elif what == "order":
                    customer.order(marker, self.product_id, deadline=deadline)
                else:
                    customer.report_fault(marker, self.services[customer.username], deadline=deadline)
            except Exception as exc:  # recorded: the test fails on it, after the load
                self.failures.append(f"{marker}: {exc}")
            self.done.append((what, marker))
            time.sleep(max(0.0, started + (number + 1) * pause - time.monotonic()))

    def start(self):
        for index, customer in enumerate(self.customers):
            thread = threading.Thread(target=self._run, args=(index, customer), daemon=True)
            thread.start()
            self.threads.append(thread)

    def join(self, timeout):
        deadline = time.monotonic() + timeout
        for thread in self.threads:
            thread.join(max(0.1, deadline - time.monotonic()))
        assert not any(t.is_alive() for t in self.threads), "the load did not finish"
