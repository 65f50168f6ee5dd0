"""Pages and periodic jobs at real size, on the dataset of bench/dataset.py.

    .venv/bin/python bench/pages.py [--database bench_scale] [--seconds 5] [--rounds 3] [--only customer|staff|jobs]
        [--page "complaint detail" ...]

Starts gunicorn as production runs it (2 sync workers, DEBUG off, the cached template loader, whitenoise and
collected static files) on the dataset, then:
- with wrk (Debian's, a Lua script sending the session cookie) at 16 connections: the anchor page (a bare
  page: logged in, one indexed query for 25 of the customer's rows, in the portal's base template), every
  customer page and the staff pages; req/s, p50, p99 and the ratio of req/s to the anchor's: the anchor and
  each customer page take turns three times (--rounds) and the median ratio is printed, since the machine's
  speed drifts over minutes;
- one request at a time (the median of 5, after one to warm up): the admin's index, every changelist,
  the searches staff make, and the change pages of a complaint, a fault, an order and a customer;
- the periodic jobs, each run in a transaction that is rolled back (so the dataset stays as it was and no
  task is queued), timed, with EXPLAIN of every query it made and any sequential scan of a big table named.
The load average is printed before and after each part: colleagues share the machine.
"""

import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

BIG_TABLES = {
    "accounts_user",
    "accounts_marketingconsent",
    "orders_order",
    "orders_service",
    "orders_orderevent",
    "complaints_complaint",
    "complaints_complaintevent",
    "faults_fault",
    "faults_faultevent",
    "portal_outboxmessage",
    "billing_invoice",
    "billing_invoiceline",
}
# The staff pages also measured under load: the front page and the lists of the big tables.
UNDER_LOAD = {"admin index", "users", "outbox messages", "complaints", "faults", "orders", "services"}


def loadavg():
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(database):
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal")
    var = tempfile.mkdtemp(prefix="bench-pages-")
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": f"{base.rsplit('/', 1)[0]}/{database}",
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "CELERY_QUEUE": f"bench-pages-{os.getpid()}",
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFG",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "SECURE_SSL_REDIRECT": "false",
        "PORTAL_VAR_DIR": var,
        "LOG_LEVEL": "WARNING",
    }


def sessions(env):
    """Session cookies for the bench customer, the administrator and a member of Customer services."""
    os.environ.update(env)
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.models import User

    cookies = {}
    for username in ("bench-customer", "bench-admin", "bench-sam"):
        user = User.objects.get(username=username)
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "accounts.backends.UsernameOrEmailBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        cookies[username] = store.session_key
    return cookies


def customer_pages():
    from complaints.models import Complaint
    from faults.models import Fault
    from orders.models import Order, Service

    c = 1
    service = Service.objects.filter(customer_id=c).order_by("pk").first()
    order = Order.objects.filter(customer_id=c).order_by("pk").first()
    fault = Fault.objects.filter(customer_id=c).order_by("pk").first()
    complaint = Complaint.objects.filter(customer_id=c).order_by("pk").first()
    return [
        ("dashboard", "/account/"),
        ("services", "/orders/services/"),
        ("service detail", f"/orders/services/{service.pk}/"),
        ("orders", "/orders/"),
        ("order detail", f"/orders/{order.pk}/"),
        ("faults", "/faults/"),
        ("fault detail", f"/faults/{fault.pk}/"),
        ("complaints", "/complaints/"),
        ("complaint detail", f"/complaints/{complaint.pk}/"),
        ("catalogue", "/orders/catalogue/"),
        ("details", "/account/details/"),
    ]


def staff_pages():
    """Every changelist, the searches staff make, the index and four change pages."""
    from django.contrib import admin
    from django.urls import reverse

    from accounts.models import User

    pages = [("admin index", "/admin/")]
    for model in admin.site._registry:
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        pages.append((f"{opts.verbose_name_plural} changelist", url))
    someone = User.objects.get(pk=4321)
    searches = [
        ("outbox", "portal_outboxmessage", someone.full_name.split()[1]),
        ("outbox", "portal_outboxmessage", someone.email),
        ("complaints", "complaints_complaint", "CMP-004321"),
        ("complaints", "complaints_complaint", someone.full_name.split()[1]),
        ("complaints", "complaints_complaint", someone.postcode),
        ("faults", "faults_fault", "FLT-004321"),
        ("faults", "faults_fault", someone.postcode),
        ("orders", "orders_order", "ORD-004321"),
        ("orders", "orders_order", someone.full_name),
        ("services", "orders_service", someone.postcode),
        ("customers", "accounts_user", someone.email),
        ("customers", "accounts_user", someone.full_name.split()[1]),
        ("customers", "accounts_user", someone.postcode),
        ("print queue", "portal_printqueueletter", "Smith"),
        ("invoices", "billing_invoice", "INV-004321"),
        ("invoices", "billing_invoice", someone.full_name.split()[1]),
        ("payments", "billing_payment", "inv 4321"),
        ("payments", "billing_payment", "CHQ 1004"),
        ("payments", "billing_payment", someone.full_name.split()[1]),
        ("suspensions", "billing_suspension", someone.full_name.split()[1]),
    ]
    for label, name, term in searches:
        app, model = name.split("_", 1)
        url = reverse(f"admin:{app}_{model}_changelist") + "?q=" + urllib.request.quote(term)
        pages.append((f"{label} search '{term}'", url))
    pages += [
        ("outbox failed filter", reverse("admin:portal_outboxmessage_changelist") + "?attention=failed"),
    ]
    deadline_filters = [
        ("orders", "orders_order", "confirmation"),
        ("complaints", "complaints_complaint", "ack"),
        ("faults", "faults_fault", "repair"),
    ]
    for label, name, parameter in deadline_filters:
        app, model = name.split("_", 1)
        for state in ("overdue", "at_risk", "due", "late"):
            url = reverse(f"admin:{app}_{model}_changelist") + f"?{parameter}={state}"
            pages.append((f"{label} {state} filter", url))
    pages += [
        ("complaint change", reverse("admin:complaints_complaint_change", args=[4321])),
        ("fault change", reverse("admin:faults_fault_change", args=[4321])),
        ("order change", reverse("admin:orders_order_change", args=[4321])),
        ("customer change", reverse("admin:accounts_user_change", args=[4321])),
    ]
    return pages


class Gunicorn:
    def __init__(self, env):
        self.env = env
        self.port = free_port()

    def __enter__(self):
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=self.env, check=True
        )
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "portal.wsgi",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=self.env,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=2)
                return self
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise SystemExit("gunicorn did not start") from None
                time.sleep(0.2)

    def __exit__(self, *exc):
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)

    def get(self, path, cookie):
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            headers={"Cookie": f"sessionid={cookie}", "X-Forwarded-Proto": "https"},
        )
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=120) as response:
            body = response.read()
            status = response.status
        return time.perf_counter() - started, status, body


def _ms(text):
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def wrk(server, path, cookie, *, seconds, connections=16):
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(f'wrk.headers["Cookie"] = "sessionid={cookie}"\n')
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "--timeout",
            "30s",
            "-s",
            str(script),
            f"http://127.0.0.1:{server.port}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    script.unlink()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, p50, p99, int(errors.group(1)) if errors else 0


def under_load(server, pages, cookie, *, seconds, anchor_rps, anchor_cookie=None, rounds=1):
    """Each page under wrk. With `anchor_cookie`, the anchor and the page take turns `rounds` times and the page's
    ratio is the median of its ratios to the anchor run just before it: on this shared machine the anchor alone
    swung from 235 to 366 req/s within one run. The page's req/s, p50 and p99 are the medians of its rounds."""
    for label, path in pages:
        server.get(path, cookie)  # warm the workers' caches
        results, ratios, anchors = [], [], []
        for _ in range(rounds):
            if anchor_cookie:
                anchor_rps = wrk(server, "/bench/anchor/", anchor_cookie, seconds=seconds)[0]
            results.append(wrk(server, path, cookie, seconds=seconds))
            ratios.append(results[-1][0] / anchor_rps)
            anchors.append(anchor_rps)
        rps, p50, p99 = (statistics.median(r[i] for r in results) for i in range(3))
        errors = sum(r[3] for r in results)
        flag = f"  {errors} errors" if errors else ""
        print(
            f"  {label:<34} {rps:8.0f} req/s  p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  {statistics.median(ratios):5.2f}x"
            f"  (anchor {min(anchors):.0f}-{max(anchors):.0f} req/s){flag}"
        )


def one_request(server, pages, cookie):
    for label, path in pages:
        seconds, status, _body = server.get(path, cookie)
        times = []
        for _ in range(5):
            seconds, status, _body = server.get(path, cookie)
            times.append(seconds * 1000)
        print(f"  {label:<60} {statistics.median(times):7.1f} ms  (status {status})")


def jobs():
    """Each periodic job inside a transaction rolled back afterwards: timed, and every query it ran explained."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from accounts.tasks import registrations_expire
    from billing.tasks import billing_documents_missing, billing_run_due
    from billing.tasks_dunning import reminder_ladder
    from complaints.tasks import (
        complaints_alert_unacknowledged,
        complaints_close_resolved,
        complaints_raise_adr_letters,
    )
    from faults.tasks import faults_alert_repair_targets
    from orders.tasks import cease_due_services, order_confirmation_alerts
    from portal.tasks import outbox_requeue

    tasks = [
        order_confirmation_alerts,
        cease_due_services,
        complaints_alert_unacknowledged,
        complaints_raise_adr_letters,
        complaints_close_resolved,
        faults_alert_repair_targets,
        outbox_requeue,
        registrations_expire,
        billing_documents_missing,
        reminder_ladder,
        billing_run_due,
    ]
    for task in tasks:
        times, steady, result, plans = [], [], None, []
        for attempt in range(3):
            connection.queries_log.clear()  # a full log would leave the capture empty
            with transaction.atomic():
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    result = task.run()
                    times.append((time.perf_counter() - started) * 1000)
                # Run again at once: what each later run costs when nothing new is due (its selection alone).
                started = time.perf_counter()
                task.run()
                steady.append((time.perf_counter() - started) * 1000)
                if attempt == 0:
                    with connection.cursor() as cursor:
                        for query in captured.captured_queries:
                            sql = re.split(r" FOR (?:NO KEY )?UPDATE", query["sql"])[0]
                            if sql.lstrip().upper().startswith("SELECT"):
                                cursor.execute("EXPLAIN " + sql)
                                plans.append((sql, "\n".join(row[0] for row in cursor.fetchall())))
                transaction.set_rollback(True)
        scans = sorted({t for _sql, plan in plans for t in re.findall(r"Seq Scan on (\w+)", plan) if t in BIG_TABLES})
        verdict = f"SEQ SCAN on {', '.join(scans)}" if scans else "no sequential scan of a big table"
        print(
            f"  {task.name:<48} {min(times):8.1f} ms with its work, {min(steady):6.1f} ms when nothing is new; "
            f"{len(plans)} selects, {verdict}; result={result}"
        )
        for sql, plan in plans:
            if set(re.findall(r"Seq Scan on (\w+)", plan)) & BIG_TABLES or os.environ.get("BENCH_SHOW_PLANS"):
                print("      " + sql[:300])
                print("      " + plan.replace("\n", "\n      "))
    each_cease()


def each_cease():
    """The cease job queues one task per service due: five of those, each rolled back, timed."""
    from django.db import transaction

    from orders.selectors import cancellations_due
    from orders.tasks import cease_service
    from portal import clock

    times = []
    for cancellation_id in cancellations_due(now=clock.now()).values_list("pk", flat=True)[:5]:
        with transaction.atomic():
            started = time.perf_counter()
            assert cease_service.run(cancellation_id)
            times.append((time.perf_counter() - started) * 1000)
            transaction.set_rollback(True)
    if times:
        print(f"  {cease_service.name + ' (one service, of those due)':<48} {statistics.median(times):8.1f} ms")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="bench_scale")
    parser.add_argument("--seconds", type=int, default=5, help="wrk's run per page")
    parser.add_argument("--only", choices=["customer", "staff", "jobs"])
    parser.add_argument("--rounds", type=int, default=3, help="turns of anchor and page for each customer page")
    parser.add_argument("--page", action="append", help="only this customer page (its name; may be repeated)")
    args = parser.parse_args()
    env = environment(args.database)
    cookies = sessions(env)
    started = time.monotonic()
    print(f"pages on {args.database}, gunicorn 2 sync workers, DEBUG off; load average {loadavg()}")
    if args.only in (None, "customer", "staff"):
        with Gunicorn(env) as server:
            anchor = wrk(server, "/bench/anchor/", cookies["bench-customer"], seconds=args.seconds)
            if args.only in (None, "customer"):
                print(f"customer pages, wrk 16 connections {args.seconds} s each (load average {loadavg()})")
                print(
                    f"  {'anchor':<34} {anchor[0]:8.0f} req/s  p50 {anchor[1]:7.1f} ms  p99 {anchor[2]:7.1f} ms   1.00x"
                )
                under_load(
                    server,
                    [p for p in customer_pages() if not args.page or p[0] in args.page],
                    cookies["bench-customer"],
                    seconds=args.seconds,
                    anchor_rps=anchor[0],
                    anchor_cookie=cookies["bench-customer"],
                    rounds=args.rounds,
                )
                print(f"  (load average {loadavg()})")
            if args.only in (None, "staff"):
                print(f"staff pages as an administrator, one request at a time, median of 5 (load average {loadavg()})")
                one_request(server, staff_pages(), cookies["bench-admin"])
                print(f"staff pages as Customer services (load average {loadavg()})")
                one_request(
                    server,
                    [p for p in staff_pages() if "outbox" in p[0] or "print" in p[0] or "index" in p[0]],
                    cookies["bench-sam"],
                )
                print(f"staff pages under load, wrk 16 connections {max(2, args.seconds // 2)} s each")
                under_load(
                    server,
                    [p for p in staff_pages() if p[0].split(" changelist")[0] in UNDER_LOAD],
                    cookies["bench-admin"],
                    seconds=max(2, args.seconds // 2),
                    anchor_rps=anchor[0],
                )
                print(f"  (load average {loadavg()})")
    if args.only in (None, "jobs"):
        print(f"periodic jobs, each rolled back (load average {loadavg()})")
        try:
            jobs()
        finally:
            from portal.celery import app

            # The jobs queued tasks (renderings, messages) that no worker of this run will take: gone with it.
            app.control.purge()
    print(f"done in {time.monotonic() - started:.0f} s; load average {loadavg()}")


if __name__ == "__main__":
    main()
