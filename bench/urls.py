"""The portal's URLs plus the benchmark's anchor page (bench/settings.py only; never in production)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path

from portal.models import OutboxMessage
from portal.urls import handler500  # noqa: F401
from portal.urls import urlpatterns as portal_urlpatterns


@login_required
def anchor(request):
    """A bare page: logged in, one indexed query for 25 of the customer's rows, in the portal's base template.
    Every customer page is measured against it."""
    rows = list(
        OutboxMessage.objects.filter(customer=request.user)
        .order_by("-id")
        .values("pk", "kind", "subject", "created_at", "status")[:25]
    )
    return render(request, "bench/anchor.html", {"rows": rows})


urlpatterns = [path("bench/anchor/", anchor, name="bench_anchor"), *portal_urlpatterns]
