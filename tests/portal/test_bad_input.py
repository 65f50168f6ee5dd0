"""Input no page may answer with a 500: a NUL byte anywhere in a request, and ids that are not numbers.

These walk the admin as it is registered, so a list filter, a custom URL or an autocomplete box added
later is covered without a new test.
"""

import re
from datetime import date

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import URLPattern, reverse

from orders.models import Order
from portal.models import CodeCopyRequest, OutboxMessage
from tests.factories import StaffFactory
from tests.helpers import visible_text
from tests.orders.conftest import products  # noqa: F401  (the catalogue, for some_rows)
from tests.orders.helpers import hold, place


@pytest.fixture
def root(db):
    """A superuser: sees every admin page, so every page is walked."""
    return StaffFactory(username="root", full_name="Rita Root", is_superuser=True)


@pytest.fixture
def some_rows(alice, bob, sam, products):
    """A row or two in the lists, so that filters have something to filter."""
    hold(alice, products["fttc"], start=date(2025, 1, 10), by=sam)
    place(bob, products["pstn"])


def model_admins():
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def changelist_parameters(model_admin, user):
    """Every query parameter the changelist's filters (and date drill-down and search) read."""
    changelist = model_admin.get_changelist_instance(_as(user))
    names = {"q", "o", "p"} if model_admin.search_fields else {"o", "p"}
    for spec in changelist.filter_specs:
        names.update(spec.expected_parameters())
    if model_admin.date_hierarchy:
        names.update(f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day"))
    return sorted(names)


def test_every_admin_list_filter_answers_a_nul_byte_with_a_clear_page(client, root, some_rows):
    client.force_login(root)
    client.raise_request_exception = False
    orders_before = list(Order.objects.values_list("pk", "status"))
    walked = []

    for model, model_admin in model_admins():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for name in changelist_parameters(model_admin, root):
            response = client.get(f"{url}?{name}=%00")
            walked.append(name)
            assert response.status_code == 400, f"{url}?{name}=%00 answered {response.status_code}"
            assert "We could not accept that request" in visible_text(response)
            assert "Back to the staff admin" in visible_text(response)

    # The lists the defects were seen on are among those walked.
    assert {"status__exact", "ack", "repair", "confirmation", "channel__exact"} <= set(walked)
    assert list(Order.objects.values_list("pk", "status")) == orders_before


def custom_admin_urls(bad_id):
    """Each admin URL that takes an id, with `bad_id` where the id goes."""
    for model, model_admin in model_admins():
        prefix = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        for pattern in model_admin.get_urls():
            route = str(pattern.pattern)
            if isinstance(pattern, URLPattern) and "<" in route:
                yield prefix + re.sub(r"<(?:\w+:)?\w+>", bad_id, route)


@pytest.mark.parametrize("bad_id", ["abc", "99999999999999999999"], ids=["a-word", "too-large-a-number"])
def test_every_admin_url_with_an_id_answers_a_bad_one_with_not_found_never_an_error(client, root, some_rows, bad_id):
    client.force_login(root)
    client.raise_request_exception = False
    urls = list(custom_admin_urls(bad_id))
    # The custom pages of complaints, faults and the outbox are among them, as well as Django's own.
    assert {
        f"/admin/complaints/complaint/{bad_id}/act/{bad_id}/",
        f"/admin/complaints/complaint/{bad_id}/change/",
        f"/admin/faults/visitcharge/{bad_id}/act/{bad_id}/",
        f"/admin/portal/printqueueletter/{bad_id}/pdf/",
    } <= set(urls)

    for url in urls:
        response = client.get(url, follow=True)
        # 403: a page nobody may use on that model (deleting a consent record) refuses before any lookup.
        assert response.status_code in (200, 403, 404), f"{url} answered {response.status_code}"
        if response.status_code == 200:
            # Django's own answer to an unknown id: back to a list, saying so.
            assert re.search(r"with ID “.*” doesn’t exist", visible_text(response)), url


def test_an_id_too_large_for_the_database_is_not_found(client, root):
    client.force_login(root)
    client.raise_request_exception = False

    response = client.get("/admin/complaints/complaint/99999999999999999999/act/note/")

    assert response.status_code == 404


def test_a_public_form_sent_with_a_nul_byte_changes_nothing_and_says_why(client, db):
    response = client.post(
        reverse("portal:code_copy"), {"name": "Dana\x00", "method": "email", "email": "dana@example.co.uk"}
    )

    assert response.status_code == 400
    assert "nothing was looked up and nothing was changed" in visible_text(response)
    assert "Back to the home page" in visible_text(response)
    assert not CodeCopyRequest.objects.exists() and not OutboxMessage.objects.exists()


def test_a_cookie_with_a_nul_byte_is_turned_away_before_the_session_is_looked_up(client, db):
    client.cookies["sessionid"] = "abcdefgh\x00"
    client.raise_request_exception = False

    response = client.get(reverse("portal:home"))

    assert response.status_code == 400
    assert "We could not accept that request" in visible_text(response)


def test_every_admin_autocomplete_box_answers_a_word_with_select_a_valid_choice(client, root):
    client.force_login(root)
    client.raise_request_exception = False
    seen = []

    for model, model_admin in model_admins():
        if not model_admin.autocomplete_fields or not model_admin.has_add_permission(_as(root)):
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
        data = dict.fromkeys(model_admin.autocomplete_fields, "abc")
        before = model.objects.count()
        response = client.post(url, data)
        seen.append(model._meta.label)
        assert response.status_code == 200, f"{url} answered {response.status_code}"
        assert "Select a valid choice" in visible_text(response)
        assert model.objects.count() == before

    assert {"orders.Order", "orders.Cancellation"} <= set(seen)


def _as(user):
    request = RequestFactory().get("/")
    request.user = user
    return request
