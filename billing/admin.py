"""Billing in the staff admin, one module per part (the Accounts group's work: accounts/groups.py)."""

from billing import admin_invoices  # noqa: F401  (invoices and credit notes)
