"""Validators every app's models and forms share."""

import unicodedata

from django.core.exceptions import ValidationError

SINGLE_LINE_MESSAGE = "Please write this on one line, without line breaks or tabs."


def is_single_line(value):
    """No line break of any kind (\\n, \\r, U+2028...) and no other control character such as a tab."""
    return not any(unicodedata.category(char) in ("Cc", "Zl", "Zp") for char in str(value))


def validate_single_line(value):
    """Names and subjects are single-line: they become headers of our emails ("To: Nadia Newcomer
    <nadia@...>", "Subject: ..."), where a line break would start a header of its own. Every form
    field and model field whose value can reach a header uses this (portal.forms.SingleLineField),
    and the outbox cleans headers again as it sends (portal/outbox.py)."""
    if value and not is_single_line(value):
        raise ValidationError(SINGLE_LINE_MESSAGE, code="single_line")
