"""Small helpers shared by the accounts tests: logging in for real, reading pages, admin form data."""

from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape


def log_in(client, username, password):
    """A real POST to the login page, as a browser sends it (django-axes sees every attempt)."""
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def logged_in_user_id(client):
    """The id of whoever the client's session belongs to, or None for nobody."""
    value = client.session.get("_auth_user_id")
    return int(value) if value is not None else None


def shows(response, text):
    """Whether the page shows `text` to the reader (the template escapes what it prints)."""
    return escape(text) in response.content.decode()


def queries_for_get(client, url):
    """How many SQL queries one GET of `url` costs."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(captured.captured_queries)


def _form_fields(form, data):
    for bound in form:
        value = bound.value()
        if isinstance(bound.field, forms.BooleanField):
            if value:
                data[bound.html_name] = "on"
            continue
        if value is None:
            value = ""
        if isinstance(value, (list, tuple)):
            data[bound.html_name] = [str(v) for v in value]
        else:
            data[bound.html_name] = str(value) if not isinstance(value, str) else value


def admin_change_data(response):
    """The POST a staff member sends when they press Save without touching anything.

    Built from the admin change page in `response` (its main form and every inline formset with its
    management form), so a test only overrides what the staff member changes.
    """
    data = {}
    _form_fields(response.context["adminform"].form, data)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        _form_fields(formset.management_form, data)
        for form in formset.forms:
            _form_fields(form, data)
    return data


def add_inline_row(data, prefix, **fields):
    """Add one new row to the inline formset `prefix` in admin POST data."""
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
    for name, value in fields.items():
        if value is True:
            data[f"{prefix}-{index}-{name}"] = "on"
        elif value is not False:
            data[f"{prefix}-{index}-{name}"] = value
    return data
