"""Two machines' worth of the portal on one PostgreSQL and one Redis: nothing local is shared.

    .venv/bin/pip install -r bench/requirements.txt     # moto's S3-compatible server
    .venv/bin/python bench/scale_out.py

Clones this repository's committed HEAD twice into temporary folders (machine A and machine B: each its own
code, var/ folder, mail folder and maildir), starts an S3-compatible object store (moto's server, standing in
for the company's object storage), a fresh database `bench_scaleout`, and on each checkout a gunicorn (DEBUG
off) and a Celery worker on the same queue. Then, through HTTP only:
- a customer logs in on A; the same session cookie is their session on B (sessions are in the database);
- they make complaints alternately through A and B; both workers take the acknowledgements from the one
  queue, and each email is in the mail folder of the worker that sent it;
- an email reaches the company's mailbox on A and is stored there (the original, through the storage API);
  a member of staff on B downloads it byte for byte: the file is in the object store, not in A's var/;
- an invoice is issued on A; a worker renders its PDF into the object store; its customer downloads it
  through B, the same bytes, and its text (read back with pdftotext) names the invoice.
Prints what each step found and exits non-zero on the first step that fails.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3
import psycopg2
import requests

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "bench_scaleout"
BUCKET = "portal-files"
PASSWORD = "scale-out-pass-121"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url, process, what):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{what} stopped at start")
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.3)
    raise SystemExit(f"{what} did not start")


class Browser:
    """A visitor at one address: cookies kept by hand (they are Secure, and the servers are behind our
    pretend TLS proxy), CSRF tokens read from each form."""

    def __init__(self):
        self.cookies = {}

    def _headers(self, base):
        return {
            "X-Forwarded-Proto": "https",
            "Origin": base.replace("http://", "https://"),
            "Referer": base.replace("http://", "https://") + "/",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }

    def request(self, method, base, path, data=None):
        response = requests.request(
            method, base + path, data=data, headers=self._headers(base), allow_redirects=False, timeout=30
        )
        self.cookies.update(response.cookies.get_dict())
        return response

    def form_post(self, base, path, fields):
        page = self.request("GET", base, path)
        token = page.text.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
        return self.request("POST", base, path, {"csrfmiddlewaretoken": token, **fields})


def main():
    processes = []
    base_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal").rsplit("/", 1)[0]
    admin = psycopg2.connect(f"{base_url}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{DATABASE}"')
    admin.close()
    work = Path(tempfile.mkdtemp(prefix="scale-out-"))
    try:
        s3_port = free_port()
        s3 = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(s3_port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        processes.append(s3)
        endpoint = f"http://127.0.0.1:{s3_port}"
        wait_for(endpoint, s3, "the object store")
        store = boto3.client(
            "s3",
            endpoint_url=endpoint,
            aws_access_key_id="portal",
            aws_secret_access_key="portal-secret",
            region_name="eu-west-2",
        )
        store.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})

        machines = {}
        for name in ("A", "B"):
            checkout = work / name
            subprocess.run(["git", "clone", "--quiet", str(ROOT), str(checkout)], check=True)
            var = checkout / "var"
            env = {
                **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PORTAL_", "CELERY_"))},
                "DEBUG": "false",
                "SECRET_KEY": "scale-out-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEF",
                "ALLOWED_HOSTS": "127.0.0.1",
                "BEHIND_TLS_PROXY": "true",
                "SECURE_SSL_REDIRECT": "false",
                "DATABASE_URL": f"{base_url}/{DATABASE}",
                "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
                "CELERY_QUEUE": f"scale-out-{os.getpid()}",
                "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "EMAIL_FILE_PATH": str(var / "mail" / "sent"),
                "PORTAL_VAR_DIR": str(var),
                "STORAGE_S3_BUCKET": BUCKET,
                "STORAGE_S3_ENDPOINT_URL": endpoint,
                "STORAGE_S3_REGION": "eu-west-2",
                "STORAGE_S3_ACCESS_KEY_ID": "portal",
                "STORAGE_S3_SECRET_ACCESS_KEY": "portal-secret",
                "LOG_LEVEL": "WARNING",
            }
            machines[name] = {"checkout": checkout, "env": env, "var": var, "port": free_port()}

        def manage(name, *args):
            m = machines[name]
            return subprocess.run(
                [sys.executable, "manage.py", *args],
                cwd=m["checkout"],
                env=m["env"],
                check=True,
                capture_output=True,
                text=True,
            ).stdout

        manage("A", "migrate", "--noinput", "-v0")
        manage(
            "A",
            "shell",
            "-c",
            "from accounts.models import User\n"
            f"User.objects.create_user('dora', 'dora@example.co.uk', '{PASSWORD}', full_name='Dora Dale', "
            "address='1 Mill Lane\\nLeeds', postcode='LS1 1AA')\n"
            f"User.objects.create_superuser('root', 'root@121com.co.uk', '{PASSWORD}', full_name='Rita Root')",
        )
        for name, m in machines.items():
            manage(name, "collectstatic", "--noinput", "-v0")
            web = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "portal.wsgi",
                    "--workers",
                    "2",
                    "--bind",
                    f"127.0.0.1:{m['port']}",
                    "--log-level",
                    "warning",
                ],
                cwd=m["checkout"],
                env=m["env"],
                start_new_session=True,
            )
            log = open(m["checkout"] / "worker.log", "w")  # noqa: SIM115 - open while the worker runs
            worker = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "portal",
                    "worker",
                    "--concurrency=1",
                    "--loglevel=WARNING",
                    "-n",
                    f"machine-{name}@%h",
                    "--without-mingle",
                    "--without-gossip",
                ],
                cwd=m["checkout"],
                env=m["env"],
                start_new_session=True,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            processes += [web, worker]
            m["base"] = f"http://127.0.0.1:{m['port']}"
            wait_for(m["base"] + "/", web, f"web {name}")
        a, b = machines["A"]["base"], machines["B"]["base"]
        print(f"machine A: {machines['A']['checkout']} at {a}; machine B: {machines['B']['checkout']} at {b}")
        print(f"object store {endpoint} bucket {BUCKET}; database {DATABASE}; one Redis queue")

        # 1. One session, both machines.
        dora = Browser()
        login = dora.form_post(a, "/account/login/", {"username": "dora", "password": PASSWORD})
        assert login.status_code == 302, f"login on A answered {login.status_code}"
        on_b = dora.request("GET", b, "/account/")
        assert on_b.status_code == 200 and "Dora Dale" in on_b.text, "the session from A is not known on B"
        print("1. logged in on A; the same session cookie is Dora's session on B (sessions in the database): ok")

        # 2. Complaints through both, acknowledgements from both workers.
        made = []
        for n in range(12):
            base = (a, b)[n % 2]
            answer = dora.form_post(
                base,
                "/complaints/new/",
                {
                    "category": "service",
                    "what_happened": f"Complaint {n}: the line drops every evening.",
                    "desired_outcome": "",
                    "reply_by": "email",
                    "service": "",
                },
            )
            assert answer.status_code == 302, f"complaint {n} answered {answer.status_code}"
            made.append(answer.headers["Location"])
        deadline = time.monotonic() + 90
        conn = psycopg2.connect(f"{base_url}/{DATABASE}")
        conn.autocommit = True
        while time.monotonic() < deadline:
            with conn.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM portal_outboxmessage WHERE kind='complaint_ack' AND status='sent'")
                sent = cursor.fetchone()[0]
            if sent >= 12:
                break
            time.sleep(0.5)
        assert sent >= 12, f"only {sent} of 12 acknowledgements went"
        by_worker = {
            name: sum(
                "complaint" in p.read_text(errors="replace").lower() for p in (m["var"] / "mail" / "sent").glob("*.log")
            )
            for name, m in machines.items()
        }
        print(
            f"2. 12 complaints made through A and B; acknowledgements sent by worker A: {by_worker['A']}, "
            f"worker B: {by_worker['B']} (one queue): ok"
        )
        detail = dora.request("GET", b, made[0])
        assert detail.status_code == 200, "a complaint made on A is not on B"

        # 3. A file written on A, downloaded through B.
        maildir = machines["A"]["var"] / "mail" / "inbound"
        for folder in ("new", "cur", "tmp"):
            (maildir / folder).mkdir(parents=True, exist_ok=True)
        raw = (
            b"From: Dora Dale <dora@example.co.uk>\r\nTo: Brian@121com.co.uk\r\nSubject: My bill\r\n"
            b"Message-ID: <scale-out-1@example.co.uk>\r\nDate: Tue, 1 Dec 2026 10:00:00 +0000\r\n\r\n"
            b"Why was I charged twice this month?\r\n"
        )
        (maildir / "new" / "1.scale-out").write_bytes(raw)
        print("3. " + manage("A", "fetch_mail").strip())
        with conn.cursor() as cursor:
            cursor.execute("SELECT id, raw FROM portal_inboundmessage ORDER BY id DESC LIMIT 1")
            email_id, name = cursor.fetchone()
        conn.close()
        kept = [o["Key"] for o in store.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
        assert name in kept, f"{name} is not in the object store ({kept})"
        local = list((machines["A"]["var"] / "media").rglob("*")) if (machines["A"]["var"] / "media").exists() else []
        assert not [p for p in local if p.is_file()], f"A kept a local copy: {local}"
        staff = Browser()
        assert (
            staff.form_post(b, "/admin/login/?next=/admin/", {"username": "root", "password": PASSWORD}).status_code
            == 302
        )
        original = staff.request("GET", b, f"/admin/portal/inboundmessage/{email_id}/original/")
        assert original.status_code == 200, f"the original answered {original.status_code} on B"
        assert original.content == raw, "B served other bytes than A stored"
        print(
            f"   stored on A as {name} in the object store (nothing in A's var/media); downloaded through B by "
            f"staff, {len(original.content)} bytes, identical: ok"
        )

        # 4. An invoice rendered by a worker into the object store, downloaded by its customer through B.
        period = time.strftime("%Y-%m")
        manage(
            "A",
            "shell",
            "-c",
            "from accounts.models import User\nfrom billing.services.account_charges import account_charge_add\n"
            "account_charge_add(customer=User.objects.get(username='dora'), description='Engineer visit', "
            "amount='45.00', by=None)",
        )
        print("4. " + manage("A", "billing_run", "--period", period, "--customer", "dora").strip().splitlines()[0])
        conn = psycopg2.connect(f"{base_url}/{DATABASE}")
        conn.autocommit = True
        deadline, row = time.monotonic() + 90, None
        while time.monotonic() < deadline:
            with conn.cursor() as cursor:
                cursor.execute("SELECT id, number, pdf FROM billing_invoice WHERE pdf <> '' ORDER BY id DESC LIMIT 1")
                row = cursor.fetchone()
            if row:
                break
            time.sleep(0.5)
        conn.close()
        assert row, "no worker rendered the invoice's PDF within 90 s"
        invoice_id, number, pdf_name = row
        stored = store.get_object(Bucket=BUCKET, Key=pdf_name)["Body"].read()
        local = list((machines["A"]["var"] / "media").rglob("*.pdf")) + list(
            (machines["B"]["var"] / "media").rglob("*.pdf")
        )
        assert not local, f"a machine kept a local copy of the PDF: {local}"
        download = dora.request("GET", b, f"/invoices/{invoice_id}/pdf/")
        assert download.status_code == 200, f"the invoice's PDF answered {download.status_code} on B"
        assert download.content == stored and stored.startswith(b"%PDF"), "B served other bytes than the store holds"
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=download.content, capture_output=True, check=True
        ).stdout.decode()
        assert number in text and "45.00" in text, f"the PDF does not read as invoice {number}"
        print(
            f"   invoice {number} rendered by a worker into the object store as {pdf_name} (no machine kept it "
            f"locally); Dora downloaded it through B, {len(download.content):,} bytes, identical, reads {number}: ok"
        )
        print("scale-out: every step passed")
    finally:
        for process in reversed(processes):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


if __name__ == "__main__":
    main()
