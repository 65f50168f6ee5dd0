"""How the case apps plug into the mailbox reader, without portal importing them (like portal/pages.py).

Each case app registers, from its AppConfig.ready (its own inbound.py):

    register_case(CaseKind(
        prefix="CMP",                      # its reference, CMP-000123, as a subject may quote it
        model=Complaint,                   # what OutboxMessage.concerning is for the emails it sends
        add_message=lambda complaint, *, customer, text, received_at, email, now: ...,  # its one path
    ))

and the conversions customer services make of an email waiting in triage, as staff actions:

    register_conversion(Conversion("complaint", "Turn into a complaint", ComplaintFromEmailForm,
                                   run=lambda email, by, data, now: services.complaint_open(...)))

`run` returns the case it made (anything with a `reference`). A conversion's form is a StaffActionForm
whose `case` is the InboundMessage: it offers only the customer's own services, orders and so on.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist


def _customer(case):
    return case.customer


@dataclass(frozen=True)
class CaseKind:
    prefix: str
    model: type
    add_message: Callable
    customer_of: Callable = _customer

    def find(self, pk):
        return self.model.objects.filter(pk=pk).first()

    def is_customers_address(self, case, address):
        """Whether `address` is the email address of the case's customer: a reply joins a case only then, so a
        reference quoted by somebody else (a forged one, a neighbour's) never puts words on a stranger's case."""
        try:
            customer = self.customer_of(case)
        except ObjectDoesNotExist:
            return False
        own = (getattr(customer, "email", "") or "").strip().lower()
        return bool(own) and own == (address or "").strip().lower()


@dataclass(frozen=True)
class Conversion:
    name: str
    title: str
    form: type
    run: Callable
    position: int = 50  # where the triage page offers it, lowest first


_cases: dict[str, CaseKind] = {}
_conversions: dict[str, Conversion] = {}


def register_case(kind):
    if _cases.get(kind.prefix, kind) != kind:
        raise ValueError(f"Reference prefix {kind.prefix!r} is registered twice")
    _cases[kind.prefix] = kind
    return kind


def register_conversion(conversion):
    if _conversions.get(conversion.name, conversion) != conversion:
        raise ValueError(f"Conversion {conversion.name!r} is registered twice")
    _conversions[conversion.name] = conversion
    return conversion


def conversions():
    return dict(sorted(_conversions.items(), key=lambda item: (item[1].position, item[0])))


def kind_for(obj):
    """The registered kind of case `obj` is (a complaint an outbox email concerned), or None."""
    for kind in _cases.values():
        if isinstance(obj, kind.model):
            return kind
    return None


def references_in(subject):
    """The case references a subject quotes, in order, as (kind, id): "Re: Your complaint (CMP-000123)" and
    the hand-typed "cmp 123" alike."""
    if not _cases or not subject:
        return []
    prefixes = "|".join(re.escape(p) for p in _cases)
    found = re.finditer(rf"\b({prefixes})[-\s]?0*(\d{{1,9}})\b", subject, re.IGNORECASE)
    return [(_cases[m.group(1).upper()], int(m.group(2))) for m in found]
