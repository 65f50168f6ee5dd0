"""The customer's fault pages: report (checks first), list, detail with timeline, message, accept a visit
or decline the times offered.

Every URL with an id goes through a selector filtered by the logged-in customer: another customer's id
is a 404. Every POST is read through a form (faults/forms.py). Staff work on faults in the admin.
"""

import uuid

from django.contrib import messages
from django.core import signing
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from faults import selectors, services
from faults.checks import ANSWERS, YES_NO, checks_for
from faults.forms import (
    AcceptSlotForm,
    DeclineSlotsForm,
    DescribeForm,
    MessageForm,
    StepForm,
    TextCheckForm,
    YesNoCheckForm,
)
from faults.models import SlotStatus, Status
from faults.slots import slot_text
from portal import clock
from portal.access import customer_only
from portal.formats import when_text
from portal.forms import add_refusal
from portal.workflow import Refused

# Fault pages are the customer's own; staff work on faults in the admin.
_customer_only = customer_only("admin:faults_fault_changelist")


@_customer_only
@require_safe
def fault_list(request):
    faults, services = selectors.fault_list_page(customer=request.user)
    return render(request, "faults/list.html", {"faults": faults, "services": services})


# --- Reporting: one check per step, then the description -------------------------------------------


def _session_key(service):
    return f"faults.report.{service.pk}"


# The answers so far travel with every form of the report, signed for this customer and service, so a
# request that fails (the database went away: "nothing was saved, send it again") loses none of them,
# whatever became of the session. The session keeps a copy for coming back to the page later.
TRIP_MAX_AGE = 60 * 60 * 24


def _salt(request, service):
    return f"faults.report.{request.user.pk}.{service.pk}"


def _trip(request, service):
    """The report so far: {"answers": [...], "request_key": ...}, from the form sent, else the session."""
    sent = request.POST.get("trip") if request.method == "POST" else None
    if sent:
        try:
            return signing.loads(sent, salt=_salt(request, service), max_age=TRIP_MAX_AGE)
        except signing.BadSignature:
            pass  # altered or too old: what the session has
    return request.session.get(_session_key(service)) or {}


@_customer_only
def fault_report(request, service_id):
    """GET shows the current step; POST answers it. The answers so far come with the form (and the
    session keeps them), per service."""
    service = selectors.service_for_fault_report(customer=request.user, service_id=service_id)
    checks, key = checks_for(service), _session_key(service)
    if "restart" in request.GET:
        request.session.pop(key, None)
        return redirect("faults:fault_report", service_id=service.pk)
    trip = _trip(request, service)
    answers = list(trip.get("answers", []))[: len(checks)]
    step = len(answers)
    check = checks[step] if step < len(checks) else None
    form, error = None, ""
    if request.method == "POST":
        sent_from = StepForm(request.POST)
        if not sent_from.is_valid() or sent_from.cleaned_data["step"] != step:
            # A form sent twice or from another tab: show the step they are really on.
            return redirect("faults:fault_report", service_id=service.pk)
    if request.method == "POST" and check is not None:
        if check.kind == YES_NO:
            buttons = YesNoCheckForm(request.POST)
            if buttons.is_valid() and buttons.cleaned_data["fixed"]:
                # Code: the simple checks "help us establish the cause": this one solved it, so nothing is raised.
                request.session.pop(key, None)
                return render(request, "faults/report_fixed.html", {"service": service, "check": check})
            answer = ANSWERS[buttons.cleaned_data["answer"]] if buttons.is_valid() else None
            error = "" if answer else " ".join(e for errors in buttons.errors.values() for e in errors)
        else:
            form = TextCheckForm(request.POST, check=check)
            answer = form.cleaned_data["answer"] if form.is_valid() else None
        if answer:
            request.session[key] = {
                "request_key": trip.get("request_key") or str(uuid.uuid4()),
                "answers": answers + [answer],
            }
            return redirect("faults:fault_report", service_id=service.pk)
    elif request.method == "POST":
        form = DescribeForm(request.POST)
        if form.is_valid():
            try:
                fault = services.fault_report(
                    customer=request.user,
                    service=service,
                    answers=answers,
                    description=form.cleaned_data["description"],
                    now=clock.now(),
                    request_key=trip.get("request_key"),
                )
            except Refused as refusal:
                add_refusal(form, refusal)
            else:
                request.session.pop(key, None)
                messages.success(request, _reported_text(fault))
                return redirect("faults:fault_detail", pk=fault.pk)
    if check is not None and check.kind != YES_NO and form is None:
        form = TextCheckForm(check=check)
    if check is None and form is None:
        form = DescribeForm()
    asked = list(zip(checks, answers, strict=False))  # the checks answered so far
    return render(
        request,
        "faults/report.html",
        {
            "service": service,
            "check": check,
            "step": step,
            "total": len(checks),
            "asked": asked,
            "form": form,
            "error": error,
            "yes_no": check is not None and check.kind == YES_NO,
            # A fault already open on this line: the customer may mean to add to it, not report it again.
            "already_open": selectors.open_faults_on_service(customer=request.user, service=service),
            "trip": signing.dumps(
                {"answers": answers, "request_key": trip.get("request_key") or str(uuid.uuid4())},
                salt=_salt(request, service),
            ),
        },
        status=400 if request.method == "POST" else 200,
    )


def _reported_text(fault):
    how = "emailed you" if fault.ack_message and fault.ack_message.channel == "email" else "are writing to you with"
    parts = [f"Thank you. Your fault {fault.reference} is reported, and we have {how} an acknowledgement."]
    if services.next_at_work_text(fault.reported_at):
        parts.append(services.next_at_work_text(fault.reported_at))
    parts.append(f"We aim to repair it by {when_text(fault.repair_due_at)}.")
    return " ".join(parts)


# --- Following a fault -----------------------------------------------------------------------------


def _detail(request, fault, *, form=None, decline_form=None, status=200):
    now = clock.now()
    next_at_work = services.engineers_next_at_work(fault.reported_at)
    sentence = services.next_at_work_text(fault.reported_at)
    # Said once: just after reporting, the confirmation above the page already says when engineers are
    # next at work (the messages stay to be shown: reading them here does not use them up).
    said = any(sentence and sentence in str(message) for message in messages.get_messages(request))
    offered = [s for s in fault.visit_slots if s.status == SlotStatus.OFFERED]
    return render(
        request,
        "faults/detail.html",
        {
            "fault": fault,
            "form": form or MessageForm(fault=fault),
            "decline_form": decline_form or DeclineSlotsForm(fault=fault),
            # Out of hours, say when engineers are next at work, until they are.
            "next_at_work": sentence
            if next_at_work and now < next_at_work and fault.status == Status.REPORTED and not said
            else "",
            "offered": offered if fault.status == Status.INVESTIGATING else [],
            "visits": [s for s in fault.visit_slots if s.status == SlotStatus.ACCEPTED],
            "charge_amount": services.visit_charge_amount(),
        },
        status=status,
    )


@_customer_only
@require_safe  # the page's forms post to their own views: a POST here would be lost without a word
def fault_detail(request, pk):
    return _detail(request, selectors.fault_for_customer(customer=request.user, pk=pk))


@_customer_only
@require_POST
def fault_message(request, pk):
    fault = selectors.fault_for_customer(customer=request.user, pk=pk)
    form = MessageForm(request.POST, fault=fault)
    if form.is_valid():
        try:
            now = clock.now()
            services.fault_add_customer_message(
                fault=fault, customer=request.user, text=form.cleaned_data["text"], received_at=now, now=now
            )
        except Refused as refusal:
            messages.error(request, refusal.message)  # shown even where the form is not (a closed fault)
        else:
            messages.success(request, "Thank you: your information is added to the fault, and our engineers are told.")
            return redirect("faults:fault_detail", pk=fault.pk)
    return _detail(request, fault, form=form, status=400)


@_customer_only
@require_POST
def slot_accept(request, pk, slot_id):
    slot = selectors.slot_for_customer(customer=request.user, fault_pk=pk, slot_pk=slot_id)
    form = AcceptSlotForm(request.POST)
    if not form.is_valid():
        # The amount shown is required, always (it is what any charge will be): nothing is booked.
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("faults:fault_detail", pk=slot.fault_id)
    try:
        booked = services.visit_slot_accept(
            slot=slot,
            customer=request.user,
            now=clock.now(),
            charge_understood=form.cleaned_data["charge_understood"],
            amount_shown=form.cleaned_data["amount_shown"],
        )
    except Refused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, f"Your engineer visit is booked: {slot_text(booked.date, booked.window)}.")
    return redirect("faults:fault_detail", pk=slot.fault_id)


@_customer_only
@require_POST
def slots_decline(request, pk):
    """None of the times offered suit the customer: they are withdrawn and the engineers asked for others."""
    fault = selectors.fault_for_customer(customer=request.user, pk=pk)
    form = DeclineSlotsForm(request.POST, fault=fault)
    if not form.is_valid():
        return _detail(request, fault, decline_form=form, status=400)
    try:
        services.visit_slots_decline(
            fault=fault, customer=request.user, note=form.cleaned_data["note"], now=clock.now()
        )
    except Refused as refusal:
        messages.error(request, refusal.message)
    else:
        how = "write to you" if request.user.writes_by_post or not request.user.email else "email you"
        messages.success(
            request,
            "Thank you: we have withdrawn those times and asked our engineers to offer you "
            f"others. We will {how} when they do.",
        )
    return redirect("faults:fault_detail", pk=fault.pk)
