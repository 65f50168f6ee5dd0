"""The services a customer holds: the control panel, and suspension for the billing app.

Code (General philosophy): customers "configure their packages at any time or day or night ... without
the need to 'submit requests' for an operations engineer". What needs no engineer is changed here,
at once, and every change is an event on the service's timeline.
"""

from django.db import transaction

from orders.models import SERVICE_TRANSITIONS, SERVICE_WORDS, Service, ServiceEvent, ServiceEventKind, ServiceStatus
from portal import clock
from portal.workflow import Refused, check_move

# The control panel's fields, with how each reads on the timeline.
CONTROL_PANEL_FIELDS = {
    "nickname": "Nickname",
    "fault_contact_name": "Contact for fault visits",
    "fault_contact_phone": "Phone for fault visits",
    "alert_email": "Email for alerts",
}


def move_service(*, service, to, by, kind, text, now, transitions=SERVICE_TRANSITIONS, email=None, **fields):
    """Move a (locked) service along SERVICE_TRANSITIONS (or the given rules) with its event, or refuse.
    `email` is the customer's stored email that asked for it, linked from the event."""
    check_move(transitions, service.status, to, what="A service", words=SERVICE_WORDS)
    service.status = to
    for name, value in fields.items():
        setattr(service, name, value)
    service.save(update_fields=["status", *fields])
    ServiceEvent.objects.create(service=service, kind=kind, text=text, by=by, at=now, email=email)
    return service


def lock(service):
    return Service.objects.select_for_update().select_related("customer", "product").get(pk=service.pk)


@transaction.atomic
def service_update_settings(*, service, by, changes, now=None):
    """Save control-panel changes (`changes` maps field name to new value). Returns the changed names."""
    now = now or clock.now()
    unknown = set(changes) - set(CONTROL_PANEL_FIELDS)
    if unknown:
        raise Refused(f"Not in the control panel: {', '.join(sorted(unknown))}.")
    service = lock(service)
    if service.status == ServiceStatus.CEASED:
        raise Refused("This service has been withdrawn: there is nothing left to change.")
    if "alert_email" in changes and changes["alert_email"] and not service.product.is_hosting:
        raise Refused("Alert emails are for hosting services.", field="alert_email")
    changed = []
    for name, value in changes.items():
        old = getattr(service, name)
        if value == old:
            continue
        setattr(service, name, value)
        changed.append(name)
        label = CONTROL_PANEL_FIELDS[name]
        text = f"{label} changed to “{value}”." if value else f"{label} cleared (was “{old}”)."
        ServiceEvent.objects.create(service=service, kind=ServiceEventKind.SETTINGS, text=text, by=by, at=now)
    if changed:
        service.save(update_fields=changed)
    return changed


@transaction.atomic
def service_suspend(*, service, by, reason, now=None):
    """Code (Disconnections): "We reserve the right to suspend ... your service ... if you do not pay your
    bill". For the billing app, which writes to the customer itself."""
    now = now or clock.now()
    return move_service(
        service=lock(service),
        to=ServiceStatus.SUSPENDED,
        by=by,
        kind=ServiceEventKind.SUSPENDED,
        now=now,
        text=f"Service suspended: {reason}",
    )


@transaction.atomic
def service_resume(*, service, by, reason, now=None):
    now = now or clock.now()
    return move_service(
        service=lock(service),
        to=ServiceStatus.ACTIVE,
        by=by,
        kind=ServiceEventKind.RESUMED,
        now=now,
        text=f"Service restored: {reason}",
    )
