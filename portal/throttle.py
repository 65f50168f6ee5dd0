"""Limits on the public forms that send mail to an address the visitor types (the Code's copy, the
price list). The counts live in the database, so every web process shares them."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from portal.models import PublicFormUse

WINDOW = timedelta(hours=1)


class Throttled(Exception):
    pass


def client_ip(request):
    """The visitor's address. Behind our TLS proxy (BEHIND_TLS_PROXY) REMOTE_ADDR is the proxy's own, and
    the visitor's is the last entry of X-Forwarded-For: the one our proxy appended (entries before it
    are whatever the visitor sent, so they are never trusted)."""
    if settings.BEHIND_TLS_PROXY:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR") or None


def record_public_form_use(*, form, request, now=None):
    """Refuse when this address, or everybody together, used the form too often in the last hour."""
    now = now or timezone.now()
    ip = client_ip(request)
    recent = PublicFormUse.objects.filter(form=form, at__gt=now - WINDOW)
    per_address = settings.PUBLIC_FORM_LIMITS["per_address_per_hour"]
    overall = settings.PUBLIC_FORM_LIMITS["overall_per_hour"]
    if (ip and recent.filter(ip=ip).count() >= per_address) or recent.count() >= overall:
        raise Throttled("We have had many requests from here in the last hour. Please try again later, or "
                        "call us on 01622 474730.")
    PublicFormUse.objects.create(form=form, ip=ip, at=now)
    PublicFormUse.objects.filter(form=form, at__lt=now - WINDOW * 24).delete()
