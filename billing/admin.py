"""Billing in the admin. Each part registers its own pages in its module; importing it here registers them."""

from billing import admin_statements  # noqa: F401  (bank statements: upload, results, the review list)
