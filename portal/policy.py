"""The Code's policy values (settings.PORTAL_POLICY), as the rest of the portal reads them."""

from decimal import Decimal

from django.conf import settings


def value(name):
    return settings.PORTAL_POLICY[name]


def hours_label(hours: Decimal) -> str:
    hours = Decimal(hours)
    return f"{hours.normalize():f} working hour{'s' if hours != 1 else ''}"


def adr_wait_label() -> str:
    """How long before a customer may go to the ADR scheme directly, in words."""
    weeks = value("ADR_AFTER_WEEKS")
    if weeks:
        return f"{weeks} week{'s' if weeks != 1 else ''}"
    months = value("ADR_AFTER_MONTHS")
    words = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}
    return f"{words.get(months, months)} month{'s' if months != 1 else ''}"
