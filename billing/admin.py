"""Billing in the staff admin (the Accounts group's work: accounts/groups.py), one module per part; importing
it here registers its pages.

admin_invoices: invoices and credit notes; admin_payments: payments, holds and suspensions;
admin_statements: bank statements (upload, results, the review list).
"""

from billing import admin_invoices, admin_payments, admin_statements  # noqa: F401
