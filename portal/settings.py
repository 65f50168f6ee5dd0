"""Settings for the 121 Communications customer portal.

Everything comes from the environment through the typed helpers in portal/env.py. With nothing set
you get the embedded default: SQLite, Celery on kombu's filesystem transport (a real worker and
scheduler, no Redis server), emails written to files under var/mail, DEBUG on. Production turns on
by setting variables (DEBUG=false, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, REDIS_URL, EMAIL_*),
never by editing this file.
"""

from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from portal.env import (
    env_bool,
    env_decimal,
    env_int,
    env_list,
    env_secret,
    env_str,
    env_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("PORTAL_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", True)
PRODUCTION = not DEBUG

# Code: no default secret in production; the development key is only for the embedded default.
SECRET_KEY = env_secret("SECRET_KEY", required=PRODUCTION) or (
    "embedded-default-development-key-not-for-production-use-0123456789"
)
if PRODUCTION and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 random characters in production.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]"])
if PRODUCTION:
    # Production never falls back to the embedded default: emails written to files would be marked sent
    # and never reach a customer.
    _missing = [name for name in ("ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL") if not env_str(name)]
    if not (env_str("EMAIL_HOST") or env_str("EMAIL_BACKEND")):
        _missing.append("EMAIL_HOST")
    if _missing:
        raise ImproperlyConfigured(f"{', '.join(_missing)} must be set when DEBUG is off (production).")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "health_check",  # its view and `manage.py health_check`; the portal's checks are in portal/health.py
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",  # Bootstrap 5's CSS and JS, served from our own static files.
    "axes",
    "sequences",  # django-sequences: gapless invoice and credit note numbers
    "accounts",
    "portal",
    "orders",
    "complaints",
    "faults",
    "billing",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outermost but one, so that every response has the policy, the 400 page of the next one included.
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before the session is looked up: a NUL byte anywhere in a request gets a clear 400 page.
    "portal.middleware.RefuseNulBytesMiddleware",
    # A view that fails because the database went away gets a 503 page that says nothing was saved.
    "portal.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout into the page that explains it.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.company",
            ],
        },
    },
]

# Database: PostgreSQL in production and in the tests; SQLite for the embedded default.
DATABASE_URL = env_url(
    "DATABASE_URL",
    f"sqlite:///{VAR_DIR / 'portal.sqlite3'}",
    schemes=("postgres", "postgresql", "sqlite"),
)
# Persistent connections, checked before each request (or task) reuses one: after a database restart the
# first request reconnects instead of failing on a dead connection.
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0), conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Web, worker and scheduler share one SQLite file: wait for a lock rather than fail at once. A transaction
    # takes the write lock when it begins (IMMEDIATE): one that began by reading and then wrote while another
    # process was writing failed at once with "database is locked", whatever the timeout (a bank statement's
    # import in the worker, while the worker's other process sent an email).
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    # No JIT compiling: the portal's queries are short and indexed, and a plan the planner overestimates (an
    # outer join to a million invoice lines from a table with no rows yet) spent 0.8 s compiling a query
    # that ran in 3 ms (the account charges list, bench/pages.py).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.UsernameOrEmailBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:dashboard"
LOGOUT_REDIRECT_URL = "portal:home"
# A registration with an email address waits this many days for its link to be opened, then goes.
REGISTRATION_LINK_DAYS = env_int("REGISTRATION_LINK_DAYS", 3, minimum=1)
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # a day: long enough for a customer who reads email once a day

# Behind a proxy that terminates HTTPS, the visitor's address is the last one the proxy appended to
# X-Forwarded-For (portal/throttle.py client_ip); without one it is REMOTE_ADDR.
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)

# Repeated failed logins: locked for a while, with a page that says so (django-axes).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]  # that account, from that address
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.backends.axes_username"  # every spelling of one account counts together
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "portal.throttle.client_ip"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"  # display only: every stored time is aware UTC
# UK dates on the 24-hour clock wherever Django formats a date by itself (the admin): portal/locale_formats.
FORMAT_MODULE_PATH = ["portal.locale_formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # collectstatic fills it; whitenoise wants it to exist
# Files the portal keeps (the emails customers send as they arrived, invoice PDFs; the health check writes and
# deletes one) go through Django's storage API: the file system under MEDIA_ROOT here; every web and worker
# machine must see the same one (a shared volume, or an object store configured in STORAGES).
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "media/"  # never served: staff and customers download through views that check who asks
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Several web and worker machines: kept files in an S3-compatible object store (django-storages), so every
# machine reads what any other wrote. STORAGE_S3_BUCKET turns it on; the endpoint is for a store that is not
# Amazon's own; keys come from the environment (or the machine's role when unset).
STORAGE_S3_BUCKET = env_str("STORAGE_S3_BUCKET")
if STORAGE_S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": STORAGE_S3_BUCKET,
            "endpoint_url": env_str("STORAGE_S3_ENDPOINT_URL") or None,
            "region_name": env_str("STORAGE_S3_REGION") or None,
            "access_key": env_str("STORAGE_S3_ACCESS_KEY_ID") or None,
            "secret_key": env_secret("STORAGE_S3_SECRET_ACCESS_KEY", required=False) or None,
            "default_acl": None,
            "querystring_auth": True,  # files are only ever served through views that check who asks
            "file_overwrite": False,
        },
    }
STATICFILES_DIRS = [BASE_DIR / "portal" / "assets"]

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email. The embedded default writes each message to a file under var/mail so a newcomer can read it.
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    # Django's SMTP backend, marking each outbox message sent the moment the server accepts it (portal/smtp.py).
    EMAIL_BACKEND = "portal.smtp.OutboxSMTPBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1, maximum=65535)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
    if EMAIL_USE_TLS and EMAIL_USE_SSL:
        raise ImproperlyConfigured(
            "EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be true: choose one (SSL for port 465, TLS for 587)."
        )
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30, minimum=1)
else:
    EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "121 Communications <customerservices@121com.co.uk>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Replies come to the mailbox the portal reads (the inbound poller): every email we send carries it as
# Reply-To, while the From stays DEFAULT_FROM_EMAIL. Message-IDs are made in our own domain.
REPLY_TO_EMAIL = env_str("REPLY_TO_EMAIL", "Brian@121com.co.uk")
MESSAGE_ID_DOMAIN = env_str("MESSAGE_ID_DOMAIN", DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "121com.co.uk")
# Where staff alerts go (customer services' shared mailbox).
STAFF_ALERT_EMAIL = env_str("STAFF_ALERT_EMAIL", "Brian@121com.co.uk")

# The outbox (portal/outbox.py, portal/delivery.py).
# The periodic job runs every OUTBOX_REQUEUE_EVERY_SECONDS; it queues again a message that waited
# OUTBOX_REQUEUE_AFTER_SECONDS past its time (its task was lost, or the broker was down).
OUTBOX_REQUEUE_EVERY_SECONDS = env_int("OUTBOX_REQUEUE_EVERY_SECONDS", 60, minimum=1)
OUTBOX_REQUEUE_AFTER_SECONDS = env_int("OUTBOX_REQUEUE_AFTER_SECONDS", 120, minimum=0)
# A worker's claim on a message holds this long: longer than any real send (EMAIL_TIMEOUT per step, PDF
# attachments), short enough that a message whose worker died is taken again soon.
OUTBOX_CLAIM_SECONDS = env_int("OUTBOX_CLAIM_SECONDS", 120, minimum=5)
# Retries: from OUTBOX_RETRY_FIRST_SECONDS when the mail server could not be reached, from
# OUTBOX_RETRY_REFUSED_FIRST_SECONDS after any other failure, doubling (with jitter) up to
# OUTBOX_RETRY_MAX_SECONDS; after OUTBOX_MAX_ATTEMPTS attempts the message is flagged for staff.
OUTBOX_RETRY_FIRST_SECONDS = env_int("OUTBOX_RETRY_FIRST_SECONDS", 5, minimum=1)
OUTBOX_RETRY_REFUSED_FIRST_SECONDS = env_int("OUTBOX_RETRY_REFUSED_FIRST_SECONDS", 120, minimum=1)
OUTBOX_RETRY_MAX_SECONDS = env_int("OUTBOX_RETRY_MAX_SECONDS", 3600, minimum=1)
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 8, minimum=1)
# /health/ fails when the oldest message still to be sent is older than this (portal/health.py).
OUTBOX_HEALTH_MAX_AGE_SECONDS = env_int("OUTBOX_HEALTH_MAX_AGE_SECONDS", 900, minimum=1)

# Celery. REDIS_URL set: Redis. Not set: kombu's filesystem transport, so the embedded default
# still runs a real worker and the periodic scheduler without a Redis server.
REDIS_URL = env_url("REDIS_URL", None, schemes=("redis", "rediss"))
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 3600,
        # Publishing from a web request retries briefly, not for seconds: the outbox row is saved and
        # the periodic job will queue it once Redis is back.
        "max_retries": 2,
        "interval_start": 0.1,
        "interval_step": 0.2,
        "interval_max": 0.5,
    }
else:
    _queue_dir = VAR_DIR / "celery"
    for _folder in ("queue", "processed", "control"):
        (_queue_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir / "queue"),
        "data_folder_out": str(_queue_dir / "queue"),
        "processed_folder": str(_queue_dir / "processed"),
        "store_processed": False,
        # The exchange tables (and remote control's pidbox): without this kombu writes them to ./control,
        # wherever the process happens to start.
        "control_folder": str(_queue_dir / "control"),
    }
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
# One queue name per installation; test runs and benchmarks set their own so that two runs sharing a
# Redis server never take each other's tasks.
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "portal")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True  # a worker that dies mid-task leaves it for another; claims stop doubles
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Each worker process is replaced after this many tasks, so that memory cannot creep (PDF rendering).
CELERY_WORKER_MAX_TASKS_PER_CHILD = env_int("CELERY_MAX_TASKS_PER_CHILD", 200, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300, minimum=10)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Sending a task must not hang a customer's request when the broker is down: give up quickly,
# the outbox row is already saved and the periodic job will queue it again.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "outbox-requeue": {"task": "portal.tasks.outbox_requeue", "schedule": float(OUTBOX_REQUEUE_EVERY_SECONDS)},
    "accounts-registrations-expire": {"task": "accounts.tasks.registrations_expire", "schedule": 3600.0},
    "complaints-alert-unacknowledged": {"task": "complaints.tasks.complaints_alert_unacknowledged", "schedule": 300.0},
    "complaints-raise-adr-letters": {"task": "complaints.tasks.complaints_raise_adr_letters", "schedule": 900.0},
    "complaints-close-resolved": {"task": "complaints.tasks.complaints_close_resolved", "schedule": 3600.0},
    "orders-confirmation-alerts": {"task": "orders.tasks.order_confirmation_alerts", "schedule": 300.0},
    "orders-cease-due-services": {"task": "orders.tasks.cease_due_services", "schedule": 3600.0},
    "faults-alert-repair-targets": {"task": "faults.tasks.faults_alert_repair_targets", "schedule": 300.0},
    # The company's mailbox (portal/inbound/): every minute, so an email is sorted (a triage item, or on its case) within a minute.
    "inbound-fetch-mail": {"task": "portal.tasks.inbound_fetch_mail", "schedule": 60.0, "options": {"expires": 55}},
    # The month's invoices from BILLING["RUN_DAY"] (checked hourly, made once a month); lost PDF renderings and
    # statement imports.
    "billing-run-due": {"task": "billing.tasks.billing_run_due", "schedule": 3600.0},
    "billing-documents-missing": {"task": "billing.tasks.billing_documents_missing", "schedule": 300.0},
    # Reminders, final notices and suspensions for overdue invoices (billing/services/dunning.py).
    "billing-reminder-ladder": {"task": "billing.tasks_dunning.reminder_ladder", "schedule": 3600.0},
}
CELERY_TIMEZONE = "UTC"

# Policy values of the Code of Practice (DESIGN.md, "Policy values"); shown to staff at /staff/policy/.
PORTAL_POLICY = {
    # Code: "We will aim to confirm all new orders by email within 4 hours during normal office hours".
    "ORDER_CONFIRMATION_OFFICE_HOURS": env_decimal("ORDER_CONFIRMATION_OFFICE_HOURS", "4", minimum=0),
    # Code: "We will acknowledge all complaints received by letter, or e-mail within 24 working hours".
    "COMPLAINT_ACK_OFFICE_HOURS": env_decimal("COMPLAINT_ACK_OFFICE_HOURS", "24", minimum=0),
    # Code: "if more than three months has passed since you first made your complaint".
    "ADR_AFTER_MONTHS": env_int("ADR_AFTER_MONTHS", 3, minimum=0),
    # Ofcom's current rule is shorter (8 weeks); when set, weeks are used instead of months.
    "ADR_AFTER_WEEKS": env_int("ADR_AFTER_WEEKS", 0, minimum=0),
    # A cancelled service is withdrawn no sooner than this many working days after the request is received
    # (and recorded): never the same day, so the customer can still change their mind once told the date
    # (orders/services/cancellations.py withdrawal_date). At least 1.
    "CANCELLATION_NOTICE_WORKING_DAYS": env_int("CANCELLATION_NOTICE_WORKING_DAYS", 1, minimum=1),
    # Staff are warned this many office hours before a deadline (DESIGN: "at risk").
    "ORDER_AT_RISK_OFFICE_HOURS": env_decimal("ORDER_AT_RISK_OFFICE_HOURS", "1", minimum=0),
    "COMPLAINT_AT_RISK_OFFICE_HOURS": env_decimal("COMPLAINT_AT_RISK_OFFICE_HOURS", "2", minimum=0),
    # A resolved complaint may be reopened by the customer or staff within this many days.
    "COMPLAINT_REOPEN_DAYS": env_int("COMPLAINT_REOPEN_DAYS", 28, minimum=0),
    # Fault repair target: the end of the Nth full working day after the report.
    "FAULT_REPAIR_WORKING_DAYS": env_int("FAULT_REPAIR_WORKING_DAYS", 2, minimum=0),
    "FAULT_AT_RISK_OFFICE_HOURS": env_decimal("FAULT_AT_RISK_OFFICE_HOURS", "4", minimum=0),
    # Code (Fault Repair): "We reserve the right to charge for any abortive work or visit"; before VAT.
    "ABORTIVE_VISIT_CHARGE": env_decimal("ABORTIVE_VISIT_CHARGE", "85.00", minimum=0),
    "VAT_RATE": env_decimal("VAT_RATE", "0.20", minimum=0),
}

# Billing (billing/). Money excludes VAT; VAT is worked out per invoice per rate, half up to the penny.
BILLING = {
    # The monthly run: on this day of the month (London), for the month starting on the 1st, billed in advance.
    "RUN_DAY": env_int("BILLING_RUN_DAY", 1, minimum=1, maximum=28),
    "PAYMENT_DAYS": env_int("BILLING_PAYMENT_DAYS", 14, minimum=0),  # due date: this many days after issue
    # Days a service is suspended for non-payment are still charged (the contract runs on) unless this is off.
    "CHARGE_SUSPENDED_DAYS": env_bool("BILLING_CHARGE_SUSPENDED_DAYS", True),
    "INVOICE_PREFIX": env_str("BILLING_INVOICE_PREFIX", "INV-"),
    "CREDIT_NOTE_PREFIX": env_str("BILLING_CREDIT_NOTE_PREFIX", "CRN-"),
    # The reminder ladder, in days after the due date: reminders, then a final notice naming the suspension
    # date (this many days after the notice); suspension needs a staff action unless AUTO_SUSPEND is on.
    "REMINDER_DAYS": tuple(int(d) for d in env_list("BILLING_REMINDER_DAYS", ("7", "14"))),
    "FINAL_NOTICE_DAYS": env_int("BILLING_FINAL_NOTICE_DAYS", 21, minimum=0),
    "SUSPEND_AFTER_DAYS": env_int("BILLING_SUSPEND_AFTER_DAYS", 7, minimum=1),
    "AUTO_SUSPEND": env_bool("BILLING_AUTO_SUSPEND", False),
}
# Printed on every invoice and credit note (how to pay, quoting the invoice number).
BILLING_COMPANY = {
    "legal_name": env_str("BILLING_LEGAL_NAME", "121 Communications Ltd"),
    "vat_number": env_str("BILLING_VAT_NUMBER", "GB 123 4567 89"),
    "cheques_payable_to": env_str("BILLING_CHEQUES_PAYABLE_TO", "121 Communications Ltd"),
    "bank_account_name": env_str("BILLING_BANK_ACCOUNT_NAME", "121 Communications Ltd"),
    "bank_sort_code": env_str("BILLING_BANK_SORT_CODE", "30-94-57"),
    "bank_account_number": env_str("BILLING_BANK_ACCOUNT_NUMBER", "12345678"),
}

# Public forms that send mail to a typed address (the Code's copy, the price list): portal/throttle.py.
PUBLIC_FORM_LIMITS = {
    # Uses from one visitor's IP address.
    "per_address_per_hour": env_int("PUBLIC_FORM_PER_ADDRESS_PER_HOUR", 5, minimum=1),
    # Messages to one recipient (an inbox or a postal address, normalised), whoever asks.
    "per_recipient_per_hour": env_int("PUBLIC_FORM_PER_RECIPIENT_PER_HOUR", 1, minimum=1),
    "per_recipient_per_day": env_int("PUBLIC_FORM_PER_RECIPIENT_PER_DAY", 3, minimum=1),
    # Beyond this many uses of a form in an hour, customer services are warned; the form stays open.
    "overall_per_hour": env_int("PUBLIC_FORM_OVERALL_PER_HOUR", 200, minimum=1),
}

# The company's mailbox, read by the poller (portal/inbound/). INBOUND_IMAP_URL is
# imaps://user:password@host:993/INBOX (TLS) or imap://user:password@host:143/INBOX (plain, upgraded with
# STARTTLS when the server offers it); the user and password are URL-encoded (portal%40example.co.uk), the
# path names the folder read. Unset: the embedded default reads the maildir INBOUND_MAILDIR instead (drop an
# .eml file in its new/ folder). Read messages are moved to INBOUND_PROCESSED_FOLDER, never deleted.
INBOUND_IMAP_URL = env_url("INBOUND_IMAP_URL", None, schemes=("imap", "imaps"))
INBOUND_MAILDIR = Path(env_str("INBOUND_MAILDIR", str(VAR_DIR / "mail" / "inbound")))
INBOUND_PROCESSED_FOLDER = env_str("INBOUND_PROCESSED_FOLDER", "Processed")
INBOUND_IMAP_TIMEOUT = env_int("INBOUND_IMAP_TIMEOUT", 60, minimum=1)
# An attachment larger than this is refused (the email is kept whole, the attachment listed as refused).
INBOUND_MAX_ATTACHMENT_BYTES = env_int("INBOUND_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024, minimum=0)
# At most this many messages per pass of the poller; the rest wait for the next minute.
INBOUND_FETCH_LIMIT = env_int("INBOUND_FETCH_LIMIT", 500, minimum=1)
# Automatic receipts to one address in an hour, at most: a robot we did not recognise cannot loop with us.
INBOUND_RECEIPTS_PER_SENDER_PER_HOUR = env_int("INBOUND_RECEIPTS_PER_SENDER_PER_HOUR", 10, minimum=1)

# Production hardening: `manage.py check --deploy` prints no warning with DEBUG off.
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if BEHIND_TLS_PROXY:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp), in every mode (production, the embedded default and the tests, so
# the browser tests run under it): pages load only the portal's own static files, and no inline script,
# inline style, style attribute or on* handler runs, so text a customer typed can never become one.
# Templates keep their styling in portal/assets/ (site.css, admin.css); the Django admin's own pages use
# only their static files too. data: images are the small SVGs inside Bootstrap's own CSS (form controls,
# the menu button) and the empty favicon of base.html.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],  # the admin's autocomplete asks the portal itself
        "manifest-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "weasyprint": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
        # The filesystem transport has no host name; kombu says so on every connection.
        "kombu.connection": {"level": "ERROR" if not REDIS_URL else "WARNING"},
        "fontTools": {"level": "ERROR"},
    },
}
