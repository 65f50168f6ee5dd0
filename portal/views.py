from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from portal import clock, pages, services, throttle
from portal import policy as policy_values
from portal.company import ICO, OFCOM, OTELO
from portal.forms import CodeCopyForm
from portal.models import CopyMethod


@require_safe  # pages without a form refuse a POST rather than drop it without a word
def home(request):
    return render(request, "portal/home.html")


@require_safe
def code_of_practice(request):
    return render(request, "portal/code_of_practice.html", {"otelo": OTELO, "ofcom": OFCOM})


@require_safe
def privacy(request):
    """Code (Privacy): "Our Privacy Policy sets out the personal information we collect about you"."""
    return render(
        request,
        "portal/privacy.html",
        {
            "ico": ICO,
            "registration_link_days": settings.REGISTRATION_LINK_DAYS,
            "lockout_failures": settings.AXES_FAILURE_LIMIT,
        },
    )


@require_safe
def contact(request):
    return render(
        request,
        "portal/contact.html",
        {
            **pages.context_for("contact"),
            "ofcom": OFCOM,
            "ack_within": policy_values.hours_label(policy_values.value("COMPLAINT_ACK_OFFICE_HOURS")),
            "adr_after": policy_values.adr_wait_label(),
        },
    )


def code_copy(request):
    initial = {}
    if request.user.is_authenticated and not request.user.is_staff:
        user = request.user
        initial = {
            "name": user.full_name,
            "email": user.email,
            "address": user.address,
            "postcode": user.postcode,
            "method": "post" if user.writes_by_post else "email",
        }
    form = CodeCopyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        customer = request.user if request.user.is_authenticated and not request.user.is_staff else None
        recipient = (
            throttle.email_recipient(data["email"])
            if data["method"] == CopyMethod.EMAIL
            else throttle.postal_recipient(data["address"], data["postcode"])
        )
        try:
            throttle.record_public_form_use(
                form="code_copy", request=request, recipient=recipient, what="the Code of Practice"
            )
        except throttle.Throttled as error:
            form.add_error(error.field, error.message)
            return render(request, "portal/code_copy.html", {"form": form}, status=429)
        services.code_copy_request(customer=customer, now=clock.now(), **data)
        if data["method"] == "email":
            messages.success(request, f"Thank you. We are emailing the Code of Practice to {data['email']}.")
        else:
            messages.success(request, "Thank you. We will post the Code of Practice to you.")
        return redirect("portal:code_of_practice")
    return render(request, "portal/code_copy.html", {"form": form})


@staff_member_required
def policy(request):
    return render(
        request,
        "portal/policy.html",
        {
            "policy": settings.PORTAL_POLICY,
            "outbox": {
                "requeue_after_seconds": settings.OUTBOX_REQUEUE_AFTER_SECONDS,
                "max_attempts": settings.OUTBOX_MAX_ATTEMPTS,
            },
            **pages.context_for("policy"),
            "ofcom": OFCOM,
        },
    )
