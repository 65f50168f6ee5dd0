"""Billing in the staff admin: each part registers its pages from its own module; importing it here registers them."""

from billing import admin_payments  # noqa: F401  (payments, holds and suspensions)
from billing import admin_statements  # noqa: F401  (bank statements: upload, results, the review list)
