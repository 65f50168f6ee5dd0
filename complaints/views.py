from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from complaints import selectors, services
from complaints.forms import ComplaintForm, MessageForm, ReopenForm
from portal import policy as policy_values
from portal.office_hours import london


def _customer_only(view):
    """Complaints pages are the customer's own; staff work on complaints in the admin."""
    @login_required
    def wrapped(request, *args, **kwargs):
        if request.user.is_staff:
            return redirect("admin:complaints_complaint_changelist")
        return view(request, *args, **kwargs)
    wrapped.__name__ = view.__name__
    return wrapped


@_customer_only
@require_safe
def complaint_list(request):
    return render(request, "complaints/list.html", {
        "complaints": selectors.complaint_list_for_customer(customer=request.user),
        "scheme": selectors.adr_scheme_current(),
    })


@_customer_only
def complaint_create(request):
    form = ComplaintForm(request.POST or None, customer=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            complaint = services.complaint_open(customer=request.user, **form.cleaned_data)
        except services.ComplaintError as error:
            form.add_error(None, str(error))
            return render(request, "complaints/new.html", {"form": form})
        due = london(complaint.ack_due_at)
        messages.success(request, f"Thank you. Your complaint {complaint.reference} is received. We will "
                                  f"acknowledge it by {due:%A %-d %B %Y at %H:%M} at the latest.")
        return redirect("complaints:complaint_detail", pk=complaint.pk)
    return render(request, "complaints/new.html", {"form": form})


def _detail(request, complaint, *, form=None, reopen_form=None, status=200):
    can_reopen = services.complaint_can_reopen(complaint)
    if can_reopen and reopen_form is None:
        reopen_form = ReopenForm(complaint=complaint, reopen_days=policy_values.value("COMPLAINT_REOPEN_DAYS"))
    return render(request, "complaints/detail.html", {
        "complaint": complaint, "form": form or MessageForm(complaint=complaint),
        "scheme": selectors.adr_scheme_current(), "can_reopen": can_reopen,
        "reopen_form": reopen_form if can_reopen else None,
        "adr_time_reached": complaint.adr_from <= timezone.now(),
    }, status=status)


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
        try:
            services.complaint_add_customer_message(complaint=complaint, customer=request.user,
                                                    text=form.cleaned_data["text"], received_at=timezone.now())
        except services.ComplaintError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Your message is added to your complaint. We have let the person "
                                      "handling it know.")
            return redirect("complaints:complaint_detail", pk=complaint.pk)
    return _detail(request, complaint, form=form, status=400)


@_customer_only
@require_POST
def complaint_reopen(request, pk):
    complaint = selectors.complaint_for_customer(customer=request.user, pk=pk)
    form = ReopenForm(request.POST, complaint=complaint, reopen_days=policy_values.value("COMPLAINT_REOPEN_DAYS"))
    if not form.is_valid():
        return _detail(request, complaint, reopen_form=form, status=400)
    try:
        services.complaint_reopen(complaint=complaint, by=request.user, reason=form.cleaned_data["reason"])
    except services.ComplaintError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Your complaint is reopened: we are looking into it again.")
    return redirect("complaints:complaint_detail", pk=complaint.pk)
