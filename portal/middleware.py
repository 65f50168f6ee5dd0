"""Requests the portal turns away before any view sees them."""

from django.shortcuts import render

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
