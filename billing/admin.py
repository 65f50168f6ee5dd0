"""Billing in the staff admin: each part registers its pages from its own module."""

from django.contrib import admin

from billing import admin_payments  # noqa: F401  (payments, holds and suspensions)
from billing.admin_runs import AccountChargeAdmin, BillingRunAdmin
from billing.models import AccountCharge, BillingRun

# Runs and one-off charges (billing/admin_runs.py).
admin.site.register(BillingRun, BillingRunAdmin)
admin.site.register(AccountCharge, AccountChargeAdmin)
