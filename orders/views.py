"""The customer's pages: prices, ordering, their orders and services, the control panel, cancelling.

Every view with an id fetches through a selector filtered by the logged-in customer: another
customer's id answers 404, exactly as an id that does not exist.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from orders import selectors, services
from orders.forms import CancelForm, ControlPanelForm, OrderForm, PriceListForm, QuoteForm
from orders.models import CancellationChannel, Product, ServiceStatus
from orders.services.cancellations import CANCELLABLE
from portal import clock, throttle
from portal.access import customer_only
from portal.formats import day_text
from portal.office_hours import add_working_days
from portal.workflow import Refused

# Logged-in customers only; staff work in the admin.
_customer_only = customer_only()


def _by_post(user):
    return "We are posting you a letter to confirm it" if user.writes_by_post else "We are emailing you to confirm it"


@_customer_only
@require_safe  # pages without a form refuse a POST rather than drop it without a word
def catalogue(request):
    return render(request, "orders/catalogue.html", {"products": selectors.price_list_products()})


def price_list(request):
    """Public: anyone may ask for the price list by email (Code, Pricing)."""
    customer = request.user if request.user.is_authenticated and not request.user.is_staff else None
    initial = {"name": customer.full_name, "email": customer.email} if customer else {}
    form = PriceListForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            throttle.record_public_form_use(
                form="price_list",
                request=request,
                recipient=throttle.email_recipient(form.cleaned_data["email"]),
                what="our price list",
            )
        except throttle.Throttled as error:
            form.add_error(error.field, error.message)
            return render(request, "orders/price_list.html", {"form": form}, status=429)
        try:
            services.price_list_request(customer=customer, now=clock.now(), **form.cleaned_data)
        except Refused as refused:
            form.add_refusal(refused)
        else:
            messages.success(request, f"Thank you. We are emailing our price list to {form.cleaned_data['email']}.")
            return redirect("orders:price_list")
    return render(request, "orders/price_list.html", {"form": form})


@_customer_only
def order_create(request, product_id):
    product = get_object_or_404(Product, pk=product_id, is_active=True)
    if product.price_on_request:
        return redirect("orders:quote_request", product_id=product.pk)
    user = request.user
    form = OrderForm(
        request.POST or None,
        initial={
            "address": user.address,
            "postcode": user.postcode,
            "contact_name": user.full_name,
            "contact_phone": user.phone,
            "contact_email": user.email,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            order = services.order_place(customer=user, product=product, now=clock.now(), **form.cleaned_data)
        except Refused as refused:
            form.add_refusal(refused)
        else:
            messages.success(request, f"Thank you: your order {order.reference} is placed. {_by_post(user)} now.")
            return redirect("orders:order_detail", order_id=order.pk)
    earliest = add_working_days(clock.today(), product.setup_working_days)
    return render(request, "orders/order_form.html", {"product": product, "form": form, "earliest": earliest})


@_customer_only
def quote_request(request, product_id):
    product = get_object_or_404(Product, pk=product_id, is_active=True)
    if not product.price_on_request:
        return redirect("orders:order_create", product_id=product.pk)
    user = request.user
    form = QuoteForm(
        request.POST or None, initial={"address": user.address, "postcode": user.postcode, "contact_phone": user.phone}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.quote_request_create(customer=user, product=product, now=clock.now(), **form.cleaned_data)
        except Refused as refused:
            form.add_refusal(refused)
        else:
            messages.success(
                request,
                f"Thank you: we have your request for a {product.name} quote. Customer "
                "services will reply within office hours.",
            )
            return redirect("orders:catalogue")
    return render(request, "orders/quote_form.html", {"product": product, "form": form})


@_customer_only
@require_safe
def order_list(request):
    return render(
        request, "orders/order_list.html", {"orders": selectors.order_list_for_customer(customer=request.user)}
    )


@_customer_only
@require_safe
def order_detail(request, order_id):
    order = selectors.order_for_customer(customer=request.user, pk=order_id)
    return render(request, "orders/order_detail.html", {"order": order})


@_customer_only
@require_safe
def service_list(request):
    return render(
        request, "orders/service_list.html", {"services": selectors.service_list_for_customer(customer=request.user)}
    )


@_customer_only
def service_detail(request, service_id):
    service = selectors.service_for_customer(customer=request.user, pk=service_id)
    form = ControlPanelForm(request.POST or None, instance=service) if service.status != ServiceStatus.CEASED else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            changed = services.service_update_settings(
                service=service,
                by=request.user,
                changes={name: form.cleaned_data[name] for name in form.changed_data},
                now=clock.now(),
            )
        except Refused as refused:
            form.add_refusal(refused)
        else:
            messages.success(request, "Your changes are saved." if changed else "Nothing changed.")
            return redirect("orders:service_detail", service_id=service.pk)
    if request.method == "POST":
        service.refresh_from_db()  # a rejected form changes nothing, not even on this page
    active = selectors.active_cancellation_of(service)
    # Just after the request, the confirmation above the page says the date and the liability: the
    # cancellation box then gives the facts without saying it all a second time.
    just_confirmed = any("will be withdrawn on" in str(message) for message in messages.get_messages(request))
    return render(
        request,
        "orders/service_detail.html",
        {
            "service": service,
            "form": form,
            "cancellation": active,
            "just_confirmed": just_confirmed,
            "can_cancel": service.status in CANCELLABLE,
            "today": clock.today(),
        },
    )


@_customer_only
def service_cancel(request, service_id):
    service = get_object_or_404(selectors.service_list_for_customer(customer=request.user), pk=service_id)
    if service.status not in CANCELLABLE:
        messages.info(request, f"This service is {service.get_status_display().lower()}: it cannot be cancelled now.")
        return redirect("orders:service_detail", service_id=service.pk)
    now = clock.now()
    earliest, reason = services.withdrawal_for(service, received_at=now)
    form = CancelForm(request.POST or None, customer=request.user, earliest=earliest)
    if request.method == "POST" and form.is_valid():
        try:
            cancellation = services.cancellation_request(
                service=service,
                channel=CancellationChannel.PORTAL,
                received_at=now,
                recorded_by=request.user,
                now=now,
                **form.cleaned_data,
            )
        except Refused as refused:
            form.add_refusal(refused)
        else:
            messages.success(
                request,
                (
                    f"We have your cancellation request. Your {service.product.name} service will be withdrawn on "
                    f"{day_text(cancellation.withdrawal_date)}. You remain liable for its charges until then. "
                    f"{_by_post(request.user)}."
                ),
            )
            return redirect("orders:service_detail", service_id=service.pk)
    return render(
        request,
        "orders/service_cancel.html",
        {"service": service, "form": form, "earliest": earliest, "reason": reason},
    )


@_customer_only
@require_POST
def cancellation_withdraw(request, cancellation_id):
    cancellation = get_object_or_404(selectors.cancellations_for_customer(customer=request.user), pk=cancellation_id)
    try:
        services.cancellation_withdraw(cancellation=cancellation, by=request.user, now=clock.now())
    except Refused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request,
            f"Your cancellation is withdrawn: your {cancellation.service.product.name} service continues as before.",
        )
    return redirect("orders:service_detail", service_id=cancellation.service_id)
