from django.contrib import admin
from django.urls import include, path

from portal import health, views

admin.site.site_header = "121 Communications staff"
admin.site.site_title = "121 Communications staff"
admin.site.index_title = "Customer services, accounts and engineers"

portal_patterns = (
    [
        path("", views.home, name="home"),
        path("code-of-practice/", views.code_of_practice, name="code_of_practice"),
        path("code-of-practice/copy/", views.code_copy, name="code_copy"),
        path("contact/", views.contact, name="contact"),
        path("privacy/", views.privacy, name="privacy"),
        path("staff/policy/", views.policy, name="policy"),
    ],
    "portal",
)

urlpatterns = [
    path("", include(portal_patterns)),
    path("account/", include("accounts.urls")),
    path("orders/", include("orders.urls")),
    path("complaints/", include("complaints.urls")),
    path("faults/", include("faults.urls")),
    path("invoices/", include("billing.urls")),
    path("admin/", admin.site.urls),
    # For monitoring (everything) and load balancers (what this web machine needs to serve): portal/health.py.
    path("health/", health.HealthView.as_view(checks=health.ALL_CHECKS), name="health"),
    path("health/web/", health.HealthView.as_view(checks=health.WEB_CHECKS), name="health_web"),
]

# A request that fails because the database went away gets the "nothing was saved" page (portal/middleware.py).
handler500 = "portal.middleware.server_error"
