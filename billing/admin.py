from django.contrib import admin

from billing.admin_runs import AccountChargeAdmin, BillingRunAdmin
from billing.models import AccountCharge, BillingRun

# Runs and one-off charges (billing/admin_runs.py).
admin.site.register(BillingRun, BillingRunAdmin)
admin.site.register(AccountCharge, AccountChargeAdmin)
