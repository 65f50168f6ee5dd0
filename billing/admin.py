"""Billing in the staff admin: each part registers its pages from its own module."""

from billing import admin_payments  # noqa: F401  (payments, holds and suspensions)
