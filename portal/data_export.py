"""The registry behind a customer's data export (Data Protection: everything we hold about them).

Each app, accounts included, adds its part (registered when its module is imported by its AppConfig):

    from portal.data_export import exporter

    @exporter("complaints")
    def complaints(customer):
        return [...]          # anything json.dumps can write, given DjangoJSONEncoder

Sections appear in the file in the order the apps are installed.

A secret the portal never keeps (a password reset link: its stored copy holds a placeholder that the
worker fills in as it sends, portal.outbox.fill_at_send) is named in words instead:

    unkept_secret("[[reset-path]]", "a password reset link, not kept")
"""

import json
import re
from collections.abc import Callable

from django.core.serializers.json import DjangoJSONEncoder

from portal import clock

_sections: dict[str, Callable] = {}
_unkept: dict[str, str] = {}


def unkept_secret(placeholder, words):
    """Show `words` wherever a stored text holds `placeholder`, in place of the whole link around it."""
    _unkept[placeholder] = words


def in_words(text):
    """`text` as the export shows it: each link that holds a placeholder becomes "(words)"."""
    for placeholder, words in _unkept.items():
        text = re.sub(r"\S*" + re.escape(placeholder) + r"\S*", f"({words})", text)
    return text


def exporter(section):
    def register(func):
        if section in _sections and _sections[section] is not func:
            raise ValueError(f"Data export section {section!r} is registered twice")
        _sections[section] = func
        return func

    return register


def build_export(customer, *, now=None):
    data = {
        "exported_at": now or clock.now(),
        "provider": "121 Communications",
        "account_username": customer.username,
    }
    for section, func in _sections.items():
        data[section] = func(customer)
    return data


def export_json(customer, *, now=None):
    return json.dumps(build_export(customer, now=now), cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
