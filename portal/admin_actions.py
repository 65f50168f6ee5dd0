"""The staff action pages every case admin shares (complaints, faults, orders): one way to act on a case.

A case's admin lists its actions as data, each a small form that calls one service:

    class ComplaintAdmin(StaffActionsMixin, admin.ModelAdmin):
        reference_prefix = "CMP"
        staff_actions = {
            "note": StaffAction("Add an internal note", NoteForm,
                                lambda complaint, by, data, now: services.complaint_add_note(...)),
            "status": StaffAction("Change status", StatusForm, ..., available=lambda c: bool(c.allowed_moves)),
        }
        record = StaffAction("Record a complaint", RecordComplaintForm, lambda _, by, data, now: ...)

and gets, with no more code:
- a page per action at <id>/act/<name>/ (the form, then the service; a refusal is shown on the form, on the
  field it names, and nothing changes), linked from the case's page where the action is available;
- the action as a changelist action too when it has a `bulk` description (each selected case in its own
  service call; one intermediate page asks for the form's fields, if it has any);
- a record page at record/ for cases staff type in (a phoned complaint), when `record` is set;
- search by the case's reference, exactly ("CMP-000123", "cmp 123", "123");
- `deadline_cell(state)`, the coloured cell of a deadline column (portal/sla.py states).

Action forms take the case as `case=` (StaffActionForm), so they can offer only what applies to it.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from portal import clock, sla
from portal.forms import RefusalMixin, add_refusal
from portal.workflow import Refused


class StaffActionForm(RefusalMixin, forms.Form):
    """A staff action's form; `self.case` is the complaint, fault or order it acts on (None on a bulk page)."""

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case


@dataclass(frozen=True)
class StaffAction:
    """One thing staff do to a case: `run(case, by, cleaned_data, now)` calls one service."""

    title: str
    form: type[forms.Form]
    run: Callable
    available: Callable | None = None  # offered only where available(case) is true
    bulk: str = ""  # offered as a changelist action with this description

    def is_available(self, case):
        return self.available is None or bool(self.available(case))


def deadline_cell(state):
    """A deadline's state (portal/sla.py) as a changelist cell, coloured by portal/assets/portal/admin.css
    (classes only: the Content-Security-Policy allows no style attribute)."""
    return format_html('<span class="deadline deadline-{}">{}</span>', state or "none", sla.LABELS.get(state, ""))


class StaffActionsMixin:
    staff_actions: dict[str, StaffAction] = {}
    record: StaffAction | None = None
    reference_prefix = ""  # "CMP": the reference is the prefix, a hyphen and the zero-padded id

    def action_templates(self):
        """The app's own page for its actions (breadcrumbs and a line about the case), else the shared one."""
        opts = self.model._meta
        return [f"admin/{opts.app_label}/{opts.model_name}/action.html", "admin/portal/action_form.html"]

    # --- urls and pages --------------------------------------------------------------------------

    def _url_name(self, what):
        return f"{self.model._meta.app_label}_{self.model._meta.model_name}_{what}"

    def get_urls(self):
        wrap = self.admin_site.admin_view
        urls = [path("<int:pk>/act/<str:action>/", wrap(self.staff_action_view), name=self._url_name("action"))]
        if self.record is not None:
            urls.append(path("record/", wrap(self.record_view), name=self._url_name("record")))
        return urls + super().get_urls()

    def _page(self, request, *, form, title, case=None, status=200):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": title,
            "case": case,
            "case_url": self._change_url(case) if case is not None else None,
        }
        return TemplateResponse(request, self.action_templates(), context, status=status)

    def _change_url(self, case):
        return reverse(f"admin:{self._url_name('change')}", args=[case.pk])

    def staff_action_form(self, action, request, case):
        return action.form(request.POST or None, case=case)

    def staff_action_view(self, request, pk, action):
        case = self.get_object(request, str(pk))
        if case is None:
            raise Http404("No such case.")
        if action not in self.staff_actions:
            raise Http404("No such action.")
        if not self.has_change_permission(request, case):
            raise PermissionDenied
        chosen = self.staff_actions[action]
        title = f"{chosen.title}: {case.reference}"
        if not chosen.is_available(case):
            self.message_user(
                request, f"{chosen.title} does not apply to {case.reference} as it stands.", messages.ERROR
            )
            return redirect(self._change_url(case))
        form = self.staff_action_form(chosen, request, case)
        if request.method == "POST" and form.is_valid():
            try:
                chosen.run(case, request.user, form.cleaned_data, clock.now())
            except Refused as refused:
                add_refusal(form, refused)
            else:
                self.message_user(request, f"{chosen.title}: done.", messages.SUCCESS)
                return redirect(self._change_url(case))
        return self._page(request, form=form, title=title, case=case)

    def record_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = self.record.form(request.POST or None, initial=self.record_initial(request))
        if request.method == "POST" and form.is_valid():
            try:
                case = self.record.run(None, request.user, form.cleaned_data, clock.now())
            except Refused as refused:
                add_refusal(form, refused)
            else:
                self.message_user(request, self.recorded_message(case), messages.SUCCESS)
                return redirect(self._change_url(case))
        return self._page(request, form=form, title=self.record.title)

    def record_initial(self, request):
        return {}

    def recorded_message(self, case):
        return f"{case.reference} recorded."

    def add_view(self, request, form_url="", extra_context=None):
        if self.record is not None:
            return redirect(f"admin:{self._url_name('record')}")
        return super().add_view(request, form_url, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        case = self.get_object(request, unquote(object_id))
        can_act = case is not None and self.has_change_permission(request, case)
        offered = [
            (name, action.title) for name, action in self.staff_actions.items() if can_act and action.is_available(case)
        ]
        extra_context = {
            **(extra_context or {}),
            "staff_actions": offered,
            "action_url_name": f"admin:{self._url_name('action')}",
        }
        return super().change_view(request, object_id, form_url, extra_context)

    # --- the changelist: bulk actions and reference search -----------------------------------------

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not self.has_change_permission(request):
            return actions
        for name, action in self.staff_actions.items():
            if action.bulk:
                actions[name] = (self._bulk(name, action), name, action.bulk)
        return actions

    def _bulk(self, name, action):
        def run(model_admin, request, queryset):
            form = action.form(request.POST if "apply" in request.POST else None, case=None)
            if form.fields and not form.is_valid():
                return TemplateResponse(
                    request,
                    "admin/portal/bulk_action.html",
                    {
                        **self.admin_site.each_context(request),
                        "opts": self.model._meta,
                        "title": action.title,
                        "form": form,
                        "queryset": queryset,
                        "action": name,
                        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                    },
                )
            data = form.cleaned_data if form.fields else {}
            done, refused = [], []
            for case in queryset:
                try:
                    action.run(case, request.user, data, clock.now())
                except Refused as refusal:
                    refused.append(f"{case.reference}: {refusal.message}")
                else:
                    done.append(case.reference)
            if done:
                self.message_user(request, f"Done: {', '.join(done)}.", messages.SUCCESS)
            for message in refused:
                self.message_user(request, message, messages.ERROR)
            return None

        run.__name__ = name
        return run

    def get_search_results(self, request, queryset, search_term):
        """A reference is searched exactly (the prefix optional, leading zeros dropped); other words as the
        admin's search_fields say."""
        if self.reference_prefix:
            match = re.fullmatch(rf"\s*({self.reference_prefix}[-\s]?)?0*(\d{{1,12}})\s*", search_term, re.IGNORECASE)
            # A bare number longer than a reference is a phone number or the like: searched as words.
            if match and (match.group(1) or len(match.group(2)) <= 8):
                return queryset.filter(pk=int(match.group(2))), False
        return super().get_search_results(request, queryset, search_term)
