"""Validators every app's models and forms share."""

import re
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


_HEADER_BREAKS = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def header_value(value):
    """A value fit for an email header: every line break or other control character (and the spaces
    around it) becomes one space. Forms refuse such values (portal.validators.validate_single_line),
    but a row written another way must still send: Django refuses a header with a line break, and the
    message would fail on every attempt until it is flagged."""
    return _HEADER_BREAKS.sub(" ", str(value)).strip()
