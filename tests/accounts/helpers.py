"""Helpers of the accounts tests: logging in for real, admin form data (what every app's tests share is
in tests/helpers.py)."""

from django import forms
from django.urls import reverse


def log_in(client, username, password):
    """A real POST to the login page, as a browser sends it (django-axes sees every attempt)."""
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def logged_in_user_id(client):
    """The id of whoever the client's session belongs to, or None for nobody."""
    value = client.session.get("_auth_user_id")
    return int(value) if value is not None else None


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
