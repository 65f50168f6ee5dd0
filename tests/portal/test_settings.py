"""Tests for the settings: the typed environment readers (portal/env.py), and the settings module as a
deployment sees it, started in a fresh process with only the variables a test gives it."""

import os
import re
import secrets
import subprocess
import sys
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured

from portal.env import env_bool, env_decimal, env_int, env_list, env_secret, env_str, env_url

# --- The typed readers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("true", True),
        ("True", True),
        ("1", True),
        ("yes", True),
        ("on", True),
        (" YES ", True),
        ("false", False),
        ("FALSE", False),
        ("0", False),
        ("no", False),
        ("off", False),
    ],
)
def test_env_bool_reads_the_usual_spellings(monkeypatch, value, expected):
    monkeypatch.setenv("PORTAL_TEST_FLAG", value)

    assert env_bool("PORTAL_TEST_FLAG", not expected) is expected


@pytest.mark.parametrize("value", ["maybe", "2", "t", "enabled"])
def test_env_bool_refuses_anything_else_and_names_the_variable(monkeypatch, value):
    monkeypatch.setenv("PORTAL_TEST_FLAG", value)

    with pytest.raises(ImproperlyConfigured, match=rf"PORTAL_TEST_FLAG must be one of .*not '{value}'"):
        env_bool("PORTAL_TEST_FLAG", True)


@pytest.mark.parametrize("value", [None, "", "   "])
def test_an_unset_or_blank_variable_gives_the_default(monkeypatch, value):
    if value is None:
        monkeypatch.delenv("PORTAL_TEST_VALUE", raising=False)
    else:
        monkeypatch.setenv("PORTAL_TEST_VALUE", value)

    assert env_bool("PORTAL_TEST_VALUE", True) is True
    assert env_int("PORTAL_TEST_VALUE", 7) == 7
    assert env_str("PORTAL_TEST_VALUE", "default") == "default"
    assert env_list("PORTAL_TEST_VALUE", ["a"]) == ["a"]
    assert env_decimal("PORTAL_TEST_VALUE", "4") == Decimal("4")


def test_env_int_reads_a_whole_number(monkeypatch):
    monkeypatch.setenv("PORTAL_TEST_NUMBER", " 25 ")

    assert env_int("PORTAL_TEST_NUMBER", 1, minimum=1, maximum=65535) == 25


@pytest.mark.parametrize(
    "value, kwargs, message",
    [
        ("ten", {}, "PORTAL_TEST_NUMBER must be a whole number, not 'ten'"),
        ("2.5", {}, "PORTAL_TEST_NUMBER must be a whole number, not '2.5'"),
        ("0", {"minimum": 1}, "PORTAL_TEST_NUMBER must be at least 1, not 0"),
        ("-5", {"minimum": 0}, "PORTAL_TEST_NUMBER must be at least 0, not -5"),
        ("70000", {"minimum": 1, "maximum": 65535}, "PORTAL_TEST_NUMBER must be at most 65535, not 70000"),
    ],
)
def test_env_int_refuses_words_and_out_of_range_numbers(monkeypatch, value, kwargs, message):
    monkeypatch.setenv("PORTAL_TEST_NUMBER", value)

    with pytest.raises(ImproperlyConfigured, match=re.escape(message)):
        env_int("PORTAL_TEST_NUMBER", 1, **kwargs)


@pytest.mark.parametrize("value", ["four", "-1", "NaN", "Infinity"])
def test_env_decimal_refuses_what_is_not_a_usable_number(monkeypatch, value):
    monkeypatch.setenv("PORTAL_TEST_HOURS", value)

    with pytest.raises(ImproperlyConfigured, match="PORTAL_TEST_HOURS"):
        env_decimal("PORTAL_TEST_HOURS", "24", minimum=0)


def test_env_list_splits_on_commas(monkeypatch):
    monkeypatch.setenv("PORTAL_TEST_HOSTS", "portal.example.co.uk, www.example.co.uk,,")

    assert env_list("PORTAL_TEST_HOSTS") == ["portal.example.co.uk", "www.example.co.uk"]


@pytest.mark.parametrize(
    "value", ["postgres://u@db:5432/portal", "postgresql://db/portal", "sqlite:////tmp/x.db", "POSTGRES://db/portal"]
)
def test_env_url_accepts_the_database_schemes(monkeypatch, value):
    monkeypatch.setenv("DATABASE_URL", value)

    assert env_url("DATABASE_URL", None, schemes=("postgres", "postgresql", "sqlite")) == value


@pytest.mark.parametrize("value", ["mysql://x", "db.example.co.uk", "postgres", "redis://127.0.0.1:6379/0"])
def test_env_url_refuses_other_schemes(monkeypatch, value):
    monkeypatch.setenv("DATABASE_URL", value)

    with pytest.raises(ImproperlyConfigured, match=r"DATABASE_URL must be a URL starting with one of postgres:"):
        env_url("DATABASE_URL", None, schemes=("postgres", "postgresql", "sqlite"))


def test_env_url_gives_the_default_when_unset(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)

    assert env_url("REDIS_URL", None, schemes=("redis", "rediss")) is None


@pytest.mark.parametrize("value", [None, "", "  "])
def test_a_required_secret_that_is_missing_stops_start_up(monkeypatch, value):
    if value is None:
        monkeypatch.delenv("PORTAL_TEST_SECRET", raising=False)
    else:
        monkeypatch.setenv("PORTAL_TEST_SECRET", value)

    with pytest.raises(ImproperlyConfigured, match="PORTAL_TEST_SECRET must be set"):
        env_secret("PORTAL_TEST_SECRET", required=True)
    assert env_secret("PORTAL_TEST_SECRET", required=False) is None


def test_a_secret_that_is_set_is_read(monkeypatch):
    monkeypatch.setenv("PORTAL_TEST_SECRET", "s3cret")

    assert env_secret("PORTAL_TEST_SECRET", required=True) == "s3cret"


# --- The settings module in a fresh process ----------------------------------------------------

BASE_DIR = django_settings.BASE_DIR
# Every variable portal/settings.py reads (found in its source, so a new one is covered too), plus Django's.
SETTINGS_VARIABLES = set(re.findall(r'env_\w+\(\s*"([A-Z0-9_]+)"', (BASE_DIR / "portal" / "settings.py").read_text()))
SETTINGS_PREFIXES = ("DJANGO_", "CELERY_", "EMAIL_", "OUTBOX_", "SECURE_", "AXES_", "PORTAL_")


def clean_environment(tmp_path, **variables):
    """The test process's environment without anything the settings read, plus `variables`."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in SETTINGS_VARIABLES and not name.startswith(SETTINGS_PREFIXES)
    }
    env["PORTAL_VAR_DIR"] = str(tmp_path / "var")  # never the project's own var/
    env.update(variables)
    return env


def manage(tmp_path, *args, **variables):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=clean_environment(tmp_path, **variables),
        capture_output=True,
        text=True,
        timeout=120,
    )


def production(**overrides):
    return {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "portal.example.co.uk",
        "DATABASE_URL": "postgres://portal@db.example.co.uk:5432/portal",
        "REDIS_URL": "redis://redis.example.co.uk:6379/0",
        "EMAIL_HOST": "smtp.example.co.uk",
        **overrides,
    }


def test_the_settings_read_the_variables_this_test_clears():
    # Guards the helper above: if the regex stopped matching, "nothing set" would not be nothing.
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS", "EMAIL_HOST"} <= SETTINGS_VARIABLES


def test_production_settings_pass_the_deployment_checks(tmp_path):
    result = manage(tmp_path, "check", "--deploy", **production())

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_production_settings_turn_on_https_only_cookies_and_the_real_services(tmp_path):
    code = (
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
        "s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, s.ALLOWED_HOSTS)"
    )

    result = manage(tmp_path, "shell", "-c", code, **production())

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        "False True True True django.db.backends.postgresql redis://redis.example.co.uk:6379/0 ['portal.example.co.uk']"
    )


def test_production_without_a_secret_key_refuses_to_start(tmp_path):
    variables = production()
    del variables["SECRET_KEY"]

    result = manage(tmp_path, "check", **variables)

    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set when DEBUG is off (production)." in result.stderr


def test_production_without_allowed_hosts_refuses_to_start(tmp_path):
    variables = production()
    del variables["ALLOWED_HOSTS"]

    result = manage(tmp_path, "check", **variables)

    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set when DEBUG is off" in result.stderr


@pytest.mark.parametrize("missing", ["DATABASE_URL", "REDIS_URL", "EMAIL_HOST"])
def test_production_never_falls_back_to_the_embedded_default(tmp_path, missing):
    variables = production()
    del variables[missing]

    result = manage(tmp_path, "check", **variables)

    assert result.returncode != 0
    assert f"{missing} must be set when DEBUG is off" in result.stderr


@pytest.mark.parametrize(
    "variables, message",
    [
        ({"SECRET_KEY": "short"}, "SECRET_KEY must be at least 50 random characters"),
        ({"EMAIL_USE_TLS": "true", "EMAIL_USE_SSL": "true"}, "cannot both be true"),
    ],
)
def test_production_refuses_settings_that_could_never_work(tmp_path, variables, message):
    result = manage(tmp_path, "check", **production(**variables))

    assert result.returncode != 0
    assert message in result.stderr


def test_a_debug_value_that_is_neither_true_nor_false_stops_start_up(tmp_path):
    result = manage(tmp_path, "check", DEBUG="maybe")

    assert result.returncode != 0
    assert "DEBUG must be one of true/false/1/0/yes/no/on/off, not 'maybe'" in result.stderr


def test_a_mysql_database_url_stops_start_up(tmp_path):
    result = manage(tmp_path, "check", DATABASE_URL="mysql://portal@db/portal")

    assert result.returncode != 0
    assert "DATABASE_URL must be a URL starting with one of postgres:, postgresql:, sqlite:" in result.stderr


def test_with_nothing_set_the_portal_runs_on_its_embedded_default(tmp_path):
    code = (
        "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'], "
        "settings.CELERY_BROKER_URL, settings.EMAIL_BACKEND, settings.DEBUG)"
    )

    result = manage(tmp_path, "shell", "-c", code)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        "django.db.backends.sqlite3 filesystem:// django.core.mail.backends.filebased.EmailBackend True"
    )
    # Its files live under PORTAL_VAR_DIR: the filesystem broker's folders were made there.
    assert (tmp_path / "var" / "celery" / "queue").is_dir()


def test_the_embedded_broker_keeps_its_control_files_under_var_not_where_it_was_started(tmp_path):
    # Publishing a task writes kombu's exchange table; started from another folder, nothing may appear
    # there (it used to be ./control, and was committed by mistake at the repository's root).
    started_in = tmp_path / "elsewhere"
    started_in.mkdir()
    code = "from portal.celery import app; app.send_task('portal.tasks.outbox_requeue')"

    result = subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), "shell", "-c", code],
        cwd=started_in,
        env=clean_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert list(started_in.iterdir()) == []
    control = tmp_path / "var" / "celery" / "control"
    assert "portal.exchange" in {path.name for path in control.iterdir()}
