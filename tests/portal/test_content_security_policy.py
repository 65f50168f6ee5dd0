"""The Content-Security-Policy: every page, the portal's and the admin's, says that only the portal's own
files may run or style it; and no template or admin column has an inline script, style or handler that
the policy would block. The browser tests check the rest in Chromium (tests/conftest.py `page`)."""

import re

import pytest
from django.conf import settings
from django.urls import reverse


def directives(header):
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize(
    "url, who",
    [
        (reverse("portal:home"), None),
        (reverse("portal:code_copy"), None),
        (reverse("accounts:login"), None),
        (reverse("orders:service_list"), "alice"),
        (reverse("admin:login"), None),
        (reverse("admin:index"), "sam"),
        (reverse("admin:orders_order_add"), "sam"),
        ("/no-such-page/", None),
    ],
    ids=["home", "code-copy", "login", "services", "admin-login", "admin-index", "admin-add", "not-found"],
)
def test_every_page_carries_the_policy(client, alice, sam, url, who):
    if who:
        client.force_login({"alice": alice, "sam": sam}[who])

    response = client.get(url)

    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'none'"] and policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


def test_the_bad_request_page_carries_the_policy_too(client, db):
    response = client.get(reverse("portal:home") + "?q=%00")

    assert response.status_code == 400
    assert "script-src 'self'" in response["Content-Security-Policy"]


# Emails and letters (PDFs) are not pages: mail clients and WeasyPrint need their inline styles.
EXEMPT = ("emails", "letters")
BLOCKED = {
    "an inline <script>": re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.I),
    "a <style> element": re.compile(r"<style\b", re.I),
    "a style attribute": re.compile(r"""\sstyle\s*=\s*["'{]""", re.I),
    "an on* handler": re.compile(r"""<[^>]*\son[a-z]+\s*=\s*["']""", re.I),
    "a javascript: URL": re.compile(r"javascript:", re.I),
}


def page_templates():
    root = settings.BASE_DIR / "templates"
    return sorted(path for path in root.rglob("*.html") if path.relative_to(root).parts[0] not in EXEMPT)


def test_no_page_template_has_what_the_policy_blocks():
    templates = page_templates()
    assert len(templates) > 40  # the walk found the templates

    found = [
        f"{path.relative_to(settings.BASE_DIR)}: {what}"
        for path in templates
        for what, pattern in BLOCKED.items()
        if pattern.search(path.read_text())
    ]

    assert found == []


def test_no_admin_column_or_widget_writes_a_style_attribute():
    sources = [
        path
        for app in ("accounts", "billing", "complaints", "faults", "orders", "portal")
        for path in (settings.BASE_DIR / app).rglob("*.py")
        if "migrations" not in path.parts
    ]

    found = [
        str(path.relative_to(settings.BASE_DIR))
        for path in sources
        if re.search(r"""<[a-z]+[^>]*\s(style|on[a-z]+)\s*=""", path.read_text())
    ]

    assert found == []
