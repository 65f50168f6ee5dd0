from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from complaints import selectors, services
from complaints.forms import ComplaintForm, MessageForm
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
def complaint_list(request):
    return render(request, "complaints/list.html", {
        "complaints": selectors.complaint_list_for_customer(customer=request.user),
        "scheme": services.adr_scheme_current(),
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


@_customer_only
def complaint_detail(request, pk):
    complaint = selectors.complaint_for_customer(customer=request.user, pk=pk)
    return render(request, "complaints/detail.html", {
        "complaint": complaint, "form": MessageForm(), "scheme": services.adr_scheme_current(),
        "can_reopen": services.complaint_can_reopen(complaint),
        "adr_time_reached": complaint.adr_from <= timezone.now(),
    })


@_customer_only
@require_POST
def complaint_message(request, pk):
    complaint = selectors.complaint_for_customer(customer=request.user, pk=pk)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            services.complaint_add_customer_message(complaint=complaint, customer=request.user,
                                                    text=form.cleaned_data["text"])
        except services.ComplaintError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Your message is added to your complaint.")
            return redirect("complaints:complaint_detail", pk=complaint.pk)
    return render(request, "complaints/detail.html", {
        "complaint": complaint, "form": form, "scheme": services.adr_scheme_current(),
        "can_reopen": services.complaint_can_reopen(complaint),
        "adr_time_reached": complaint.adr_from <= timezone.now(),
    }, status=400)


@_customer_only
@require_POST
def complaint_reopen(request, pk):
    complaint = selectors.complaint_for_customer(customer=request.user, pk=pk)
    try:
        services.complaint_reopen(complaint=complaint, by=request.user, reason=request.POST.get("reason", "").strip())
    except services.ComplaintError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Your complaint is reopened: we are looking into it again.")
    return redirect("complaints:complaint_detail", pk=complaint.pk)
