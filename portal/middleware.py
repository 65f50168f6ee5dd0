"""Requests the portal turns away before any view sees them, and the page for a request the database
could not serve."""

import logging
import sys

from django.contrib.auth.models import AnonymousUser
from django.db import InterfaceError, OperationalError
from django.shortcuts import render
from django.utils.functional import empty
from django.views import defaults

logger = logging.getLogger(__name__)

NUL = "\x00"


def _carries_nul(request):
    """A NUL byte anywhere a view or the database could meet it: the path, the query string, a form
    field (name or value) or a cookie. PostgreSQL cannot store one, so it would fail as a 500 deep
    inside whichever query first used it (an admin list filter, a search, a session lookup)."""
    if NUL in request.path_info:
        return True
    for data in (request.GET, request.POST):
        for key, values in data.lists():
            if NUL in key or any(NUL in value for value in values):
                return True
    return any(NUL in key or NUL in value for key, value in request.COOKIES.items())


class RefuseNulBytesMiddleware:
    """One guard for every page, the admin's included: a clear 400 page, and nothing changed.

    It runs before the session and login middleware, so that a cookie carrying one is never looked up;
    the page is therefore shown as to a visitor who is not logged in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _carries_nul(request):
            return render(
                request, "portal/bad_request.html", {"in_admin": request.path_info.startswith("/admin/")}, status=400
            )
        return self.get_response(request)


# --- The database went away ------------------------------------------------------------------------
#
# PostgreSQL restarting, or unreachable for a moment: the request's transaction was rolled back, so
# nothing it would have saved is saved. The visitor (a customer or staff) gets a page that says so, with
# what they sent ready to send again, rather than the bare "Server Error (500)". Persistent connections
# are health-checked (CONN_HEALTH_CHECKS), so the next request after the restart simply reconnects.

DATABASE_GONE = (OperationalError, InterfaceError)


def database_went_away(exc):
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, DATABASE_GONE):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def _sent_again(request):
    """What a POST carried, to send again from the page: never a password, and nothing when files came
    with it (a page cannot hold a file)."""
    if request.method != "POST" or request.FILES:
        return None
    return [
        (name, value)
        for name, values in request.POST.lists()
        if name != "csrfmiddlewaretoken" and "password" not in name.lower()
        for value in values
    ]


def database_unavailable(request):
    """The 503 page. It reads nothing from the database: the visitor as already known to this request
    (or nobody), no messages (they live in the session)."""
    user = getattr(request, "user", None)
    if user is None or getattr(user, "_wrapped", None) is empty:
        user = AnonymousUser()
    try:
        again = _sent_again(request)
        password_left_out = again is not None and any("password" in name.lower() for name in request.POST)
    except Exception:  # a body that cannot be read again: the page still says what happened
        again, password_left_out = None, False
    response = render(
        request,
        "portal/database_unavailable.html",
        {
            "in_admin": request.path_info.startswith("/admin/"),
            "user": user,
            "messages": [],
            "sent_again": again,
            "password_left_out": password_left_out,
        },
        status=503,
    )
    response["Retry-After"] = "30"
    return response


class DatabaseUnavailableMiddleware:
    """A view that fails because the database went away answers with the 503 page. Failures outside the
    view (a session saved after it) reach server_error below, which answers the same."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if database_went_away(exception):
            logger.warning("Database unavailable during %s %s: %s", request.method, request.path, exception)
            return database_unavailable(request)
        return None


def server_error(request):
    """handler500: the database-gone page when that was the cause, Django's own 500 otherwise."""
    if database_went_away(sys.exc_info()[1]):
        return database_unavailable(request)
    return defaults.server_error(request)
