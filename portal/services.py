"""What the site-wide part of the portal changes: a request for a copy of the Code."""

from django.db import transaction

from portal import clock, emails
from portal.models import CodeCopyRequest, CopyMethod


@transaction.atomic
def code_copy_request(*, name, method, email="", address="", postcode="", customer=None, now=None):
    """Code: "requesting a copy to be posted or emailed". The request and its message are saved together."""
    now = now or clock.now()
    request = CodeCopyRequest.objects.create(
        name=name,
        method=method,
        email=email if method == CopyMethod.EMAIL else "",
        address=address if method == CopyMethod.POST else "",
        postcode=postcode if method == CopyMethod.POST else "",
        customer=customer,
        received_at=now,
    )
    emails.code_copy(request, now=now)
    return request
