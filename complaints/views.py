from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from complaints import selectors, services
from complaints.forms import ComplaintForm, MessageForm, ReopenForm
from portal import clock, policy
from portal.access import customer_only
from portal.formats import day_text, time_text
from portal.forms import add_refusal
from portal.workflow import Refused

# Complaints pages are the customer's own; staff work on complaints in the admin.
_customer_only = customer_only("admin:complaints_complaint_changelist")


@_customer_only
@require_safe
def complaint_list(request):
    return render(
        request,
        "complaints/list.html",
        {
            "complaints": selectors.complaint_list_for_customer(customer=request.user),
            "scheme": selectors.adr_scheme_current(),
        },
    )


@_customer_only
def complaint_create(request):
    form = ComplaintForm(request.POST or None, customer=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            complaint = services.complaint_open(customer=request.user, **form.cleaned_data, now=clock.now())
        except Refused as refused:
            add_refusal(form, refused)
            return render(request, "complaints/new.html", {"form": form})
        due = complaint.ack_due_at
        messages.success(
            request,
            f"Thank you. Your complaint {complaint.reference} is received. We will "
            f"acknowledge it by {day_text(due)} at {time_text(due)} at the latest.",
        )
        return redirect("complaints:complaint_detail", pk=complaint.pk)
    return render(request, "complaints/new.html", {"form": form})


def _reopen_form(complaint, data=None):
    return ReopenForm(data, complaint=complaint, reopen_days=policy.value("COMPLAINT_REOPEN_DAYS"))


def _detail(request, complaint, *, form=None, reopen_form=None, status=200):
    now = clock.now()
    reopen_form = (reopen_form or _reopen_form(complaint)) if selectors.can_reopen(complaint, now=now) else None
    return render(
        request,
        "complaints/detail.html",
        {
            "complaint": complaint,
            "form": form or MessageForm(complaint=complaint),
            "scheme": selectors.adr_scheme_of(complaint),
            "reopen_form": reopen_form,
            "adr_time_reached": complaint.adr_from <= now,
        },
        status=status,
    )


@_customer_only
@require_safe  # the page's forms post to their own views: a POST here would be lost without a word
def complaint_detail(request, pk):
    return _detail(request, selectors.complaint_for_customer(customer=request.user, pk=pk))


@_customer_only
@require_POST
def complaint_message(request, pk):
    complaint = selectors.complaint_for_customer(customer=request.user, pk=pk)
    form = MessageForm(request.POST, complaint=complaint)
    if form.is_valid():
        now = clock.now()
        try:
            services.complaint_add_customer_message(
                complaint=complaint, customer=request.user, text=form.cleaned_data["text"], received_at=now, now=now
            )
        except Refused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(
                request, "Your message is added to your complaint. We have let the person handling it know."
            )
            return redirect("complaints:complaint_detail", pk=complaint.pk)
    return _detail(request, complaint, form=form, status=400)


@_customer_only
@require_POST
def complaint_reopen(request, pk):
    complaint = selectors.complaint_for_customer(customer=request.user, pk=pk)
    form = _reopen_form(complaint, request.POST)
    if not form.is_valid():
        return _detail(request, complaint, reopen_form=form, status=400)
    try:
        services.complaint_reopen(
            complaint=complaint, by=request.user, reason=form.cleaned_data["reason"], now=clock.now()
        )
    except Refused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, "Your complaint is reopened: we are looking into it again.")
    return redirect("complaints:complaint_detail", pk=complaint.pk)
