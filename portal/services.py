from django.db import transaction
from django.utils import timezone

from portal import outbox, throttle
from portal.models import CodeCopyRequest, CopyMethod


@transaction.atomic
def code_copy_request(*, name, method, email="", address="", postcode="", customer=None, now=None):
    """Code: "requesting a copy to be posted or emailed". The request and its message are saved together."""
    now = now or timezone.now()
    request = CodeCopyRequest.objects.create(
        name=name, method=method, email=email if method == CopyMethod.EMAIL else "",
        address=address if method == CopyMethod.POST else "", postcode=postcode if method == CopyMethod.POST else "",
        customer=customer, received_at=now,
    )
    subject = "The 121 Communications Code of Practice"
    if method == CopyMethod.EMAIL:
        # The typed name stays out of an email to a typed address (portal/throttle.py says why).
        to_name = throttle.email_addressee(customer=customer, email=email)
        outbox.email(
            kind="code_copy", to_email=email, to_name=to_name, template="portal/code_copy", subject=subject,
            context={}, customer=customer, concerning=request, now=now,
            attachments=[outbox.Attachment(
                filename="121-communications-code-of-practice.pdf",
                html=outbox.render_letter("portal/code_copy", context={}, subject=subject, to_name=to_name,
                                          address_lines=[], now=now),
            )],
        )
    else:
        lines = [line.strip() for line in address.splitlines() if line.strip()] + [postcode]
        outbox.letter(
            kind="code_copy", to_name=name, address_lines=lines, template="portal/code_copy", subject=subject,
            context={}, customer=customer, concerning=request, now=now,
        )
    return request
