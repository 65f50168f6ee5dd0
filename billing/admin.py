"""Billing in the staff admin: each part registers its pages from its own module; importing it here registers them.

admin_payments: payments, holds and suspensions; admin_statements: bank statements (upload, results, the
review list).
"""

from billing import admin_payments, admin_statements  # noqa: F401
