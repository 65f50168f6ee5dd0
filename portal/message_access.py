"""Which staff may read a message in the outbox: those who handle what it concerns.

This is the one rule behind every page that shows a message or serves one of its files: the outbox list
and each message's page, its attachments, the print queue and its letter PDFs, the actions on them and
the counts on the admin's front page. A message's body and its attachments go together: who may read
one may download the other, through whichever page.

A message's topic comes from its kind where the kind says more than the object it concerns (alerts to
a staff group), otherwise from the app of the object it concerns; a message to a customer about
nothing more particular is about their account. Each topic is a permission on OutboxMessage
("portal.read_<topic>_messages"), and accounts/groups.py gives each staff group its topics, as it does
every other permission:

- complaints (correspondence, acknowledgements, deadlock and ADR letters): Customer services;
- faults: Engineers and Customer services (who answer the fault line);
- orders, quotes, services and cancellations: Customer services;
- a customer's account (welcome, password reset, details changed) and copies of the Code: Customer
  services;
- billing (invoices, reminders), once billing sends any: Accounts;
- alerts to a staff group: that group only.

Administrators (superusers) read everything. A message with no topic (a new kind on no object) is read
by administrators only until it is given one here: a new kind of message is private until placed.
"""

from django.db.models import Q

TOPICS = {
    "complaint": "Can read messages about complaints, with their attachments",
    "fault": "Can read messages about faults, with their attachments",
    "order": "Can read messages about orders, quotes, services and cancellations, with their attachments",
    "account": "Can read messages about customers' accounts and copies of the Code, with their attachments",
    "billing": "Can read messages about invoices and payments, with their attachments",
    "customer_services_alert": "Can read alerts to Customer services",
    "engineers_alert": "Can read alerts to Engineers",
    "accounts_alert": "Can read alerts to Accounts",
}

# Staff alerts: addressed to a group, whatever they are about (outbox.email_staff).
TOPIC_BY_KIND = {
    "complaint_ack_alert": "customer_services_alert",
    "order_confirmation_alert": "customer_services_alert",
    "quote_request": "customer_services_alert",
    "fault_repair_alert": "engineers_alert",
    "public_form_busy": "customer_services_alert",
}

# The app of the object a message concerns (OutboxMessage.concerning).
TOPIC_BY_APP = {
    "complaints": "complaint",
    "faults": "fault",
    "orders": "order",
    "billing": "billing",
    "accounts": "account",
    "portal": "account",  # a copy of the Code asked for on the public pages
}

# A message to a customer that concerns no object.
TOPIC_FOR_CUSTOMER = "account"


def permission_codename(topic):
    return f"read_{topic}_messages"


PERMISSIONS = [(permission_codename(topic), label) for topic, label in TOPICS.items()]


def topics_of(user):
    """The topics a member of staff may read; every topic for an administrator, none for anyone else."""
    if not (user.is_active and user.is_staff):
        return set()
    return {topic for topic in TOPICS if user.has_perm(f"portal.{permission_codename(topic)}")}


def _readable(topics):
    not_by_kind = ~Q(kind__in=list(TOPIC_BY_KIND))
    rule = Q(kind__in=[kind for kind, topic in TOPIC_BY_KIND.items() if topic in topics])
    apps = [app for app, topic in TOPIC_BY_APP.items() if topic in topics]
    if apps:
        rule |= not_by_kind & Q(concerning_type__app_label__in=apps)
    if TOPIC_FOR_CUSTOMER in topics:
        rule |= not_by_kind & Q(concerning_type__isnull=True, customer__isnull=False)
    return rule


def readable_by(user, queryset):
    """The messages of `queryset` that `user` may read, body and attachments alike."""
    if user.is_active and user.is_staff and user.is_superuser:
        return queryset
    topics = topics_of(user)
    if not topics:
        return queryset.none()
    return queryset.filter(_readable(topics))
