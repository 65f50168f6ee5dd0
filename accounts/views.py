from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_POST, require_safe

from accounts import services
from accounts.forms import (
    DetailsForm,
    LoginForm,
    MarketingForm,
    PasswordResetRequestForm,
    RegistrationConfirmForm,
    RegistrationForm,
)
from accounts.models import ConsentChannel
from portal import clock
from portal.dashboard import cards_for
from portal.data_export import export_json
from portal.workflow import Refused

DETAILS = ("full_name", "phone", "address", "postcode", "customer_type", "company_name", "correspondence")


def _base_url(request):
    return f"{request.scheme}://{request.get_host()}"


def register(request):
    if request.user.is_authenticated:
        return redirect("accounts:dashboard")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        details = {name: data[name] for name in DETAILS}
        if data["email"]:
            # The same answer whether or not the address has an account (services, "Registration").
            services.registration_start(
                username=data["username"],
                password=data["password1"],
                email=data["email"],
                details=details,
                marketing_opt_in=data["marketing_opt_in"],
                base_url=_base_url(request),
                now=clock.now(),
            )
            request.session["registration_email"] = data["email"]
            return redirect("accounts:register_sent")
        # Letters only: no address to confirm and none to reveal, so the account is made at once.
        customer = services.customer_register(
            username=data["username"],
            password=data["password1"],
            email="",
            marketing_opt_in=data["marketing_opt_in"],
            now=clock.now(),
            **details,
        )
        return _welcome(request, customer)
    return render(request, "accounts/register.html", {"form": form})


def _welcome(request, customer):
    login(request, customer, backend="accounts.backends.UsernameOrEmailBackend")
    messages.success(request, f"Welcome, {customer.get_short_name()}. Your account username is {customer.username}.")
    return redirect("accounts:dashboard")


@require_safe
def register_sent(request):
    return render(
        request,
        "accounts/register_sent.html",
        {
            "email": request.session.get("registration_email", ""),
            "link_days": settings.REGISTRATION_LINK_DAYS,
        },
    )


def register_confirm(request, token):
    pending = services.registration_pending(token=token, now=clock.now())
    if pending is None:
        return render(
            request, "accounts/register_confirm.html", {"expired": True, "link_days": settings.REGISTRATION_LINK_DAYS}
        )
    form = RegistrationConfirmForm(request.POST or None, pending=pending)
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.registration_confirm(pending=pending, now=clock.now())
        except Refused as refused:
            return render(request, "accounts/register_confirm.html", {"refused": refused.message})
        return _welcome(request, customer)
    return render(request, "accounts/register_confirm.html", {"form": form, "pending": pending})


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        if self.request.user.is_staff:
            return reverse("admin:index")  # staff work in the admin, not in a customer's account
        return super().get_default_redirect_url()


@login_required
@require_safe  # pages without a form refuse a POST rather than drop it without a word
def dashboard(request):
    if request.user.is_staff:
        return redirect("admin:index")
    return render(
        request,
        "accounts/dashboard.html",
        {"cards": cards_for(request.user)},
    )


@login_required
def details(request):
    form = DetailsForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.customer_update_details(
            customer=request.user, fields={name: form.cleaned_data[name] for name in form.changed_data}
        )
        messages.success(request, "Your details are saved." if form.changed_data else "Nothing changed.")
        return redirect("accounts:details")
    if request.method == "POST":
        request.user.refresh_from_db()  # a rejected form changes nothing, not even in this request
    return render(request, "accounts/details.html", {"form": form})


@login_required
def marketing(request):
    current = services.marketing_current(customer=request.user)
    initial = {"opted_in": "yes" if current and current.opted_in else "no"}
    form = MarketingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.marketing_consent_record(
            customer=request.user,
            opted_in=form.cleaned_data["opted_in"],
            channel=ConsentChannel.PORTAL,
            now=clock.now(),
        )
        if form.cleaned_data["opted_in"]:
            messages.success(request, "You are opted in to our marketing. You can opt out here at any time.")
        else:
            messages.success(request, "You are opted out: we will send you no marketing.")
        return redirect("accounts:marketing")
    history = request.user.marketing_consents.select_related("recorded_by")[:50]
    return render(request, "accounts/marketing.html", {"form": form, "current": current, "history": history})


@login_required
@require_safe  # its form posts to export_download
def data_export_page(request):
    return render(request, "accounts/export.html")


@login_required
@require_POST
def data_export_download(request):
    now = clock.now()
    response = HttpResponse(export_json(request.user, now=now), content_type="application/json; charset=utf-8")
    filename = f"121-communications-data-{request.user.username}-{now:%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/form_page.html"
    success_url = reverse_lazy("accounts:details")
    extra_context = {"title": "Change your password", "submit_label": "Change my password"}

    def form_valid(self, form):
        messages.success(self.request, "Your password is changed.")
        return super().form_valid(form)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's page, but the link goes through the outbox (accounts.services), not Django's own email."""

    template_name = "accounts/password_reset.html"
    form_class = PasswordResetRequestForm
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        services.customer_password_reset_request(
            email=form.cleaned_data["email"], site_url=_base_url(self.request), now=clock.now()
        )
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/form_page.html"
    success_url = reverse_lazy("accounts:password_reset_complete")
    extra_context = {"title": "Choose a new password", "submit_label": "Save my new password"}


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
