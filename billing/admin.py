"""Billing in the staff admin (the Accounts group's work: accounts/groups.py), one module per part; importing
it here registers its pages.

admin_invoices: invoices and credit notes; admin_payments: payments, holds and suspensions; admin_runs:
billing runs and one-off charges; admin_statements: bank statements (upload, results, the review list).
"""

from django.contrib import admin

from billing import admin_invoices, admin_payments, admin_statements  # noqa: F401
from billing.admin_runs import AccountChargeAdmin, BillingRunAdmin
from billing.models import AccountCharge, BillingRun

admin.site.register(BillingRun, BillingRunAdmin)
admin.site.register(AccountCharge, AccountChargeAdmin)
