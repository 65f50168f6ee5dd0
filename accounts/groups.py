"""The three staff groups and what each may do in the admin.

"app.*" grants every permission of an app, so a group keeps up as apps gain models ("-app.codename"
takes one back out of what the group's other lines grant): the sync runs
after every migrate (accounts/apps.py) as well as in the data migration that first creates the groups.
This file owns the three groups' permissions: a change made to them in the admin is undone by the next
migrate, so change them here (and give one person extra rights through their own user permissions).
"""

CUSTOMER_SERVICES = "Customer services"
ACCOUNTS = "Accounts"
ENGINEERS = "Engineers"

# Which messages in the outbox each group reads, body and attachments alike ("portal.read_<topic>_messages",
# portal/message_access.py): the group that handles what a message concerns. Customer services handle
# complaints, orders and customers' accounts and answer the fault line; Engineers handle faults; Accounts
# handle billing. Alerts go to one group and are that group's to read.
GROUP_PERMISSIONS = {
    CUSTOMER_SERVICES: [
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "accounts.view_marketingconsent",
        "accounts.add_marketingconsent",
        "portal.view_outboxmessage",
        "portal.change_outboxmessage",
        "portal.read_complaint_messages",
        "portal.read_fault_messages",
        "portal.read_order_messages",
        "portal.read_account_messages",
        "portal.read_customer_services_alert_messages",
        "portal.view_printqueueletter",
        "portal.change_printqueueletter",
        "portal.view_codecopyrequest",
        # The company's mailbox (portal/inbound/): they read every email and turn it into cases. Engineers
        # do not: a fault's emails reach them as the words on the fault's timeline (portal/inbound/__init__.py).
        "portal.view_inboundmessage",
        "portal.change_inboundmessage",
        "complaints.*",
        "orders.*",
        "-complaints.delete_adrscheme",  # a scheme is replaced, never deleted (complaints/admin.py)
        "faults.view_*",
        "faults.add_fault",  # they answer the phone line faults are reported on
        # No billing: invoices, payments and bank statements are the Accounts team's work.
    ],
    ACCOUNTS: [
        "accounts.view_user",
        "accounts.change_user",
        "accounts.view_marketingconsent",
        "portal.view_outboxmessage",
        "portal.change_outboxmessage",
        "portal.read_billing_messages",
        "portal.read_accounts_alert_messages",
        "portal.view_printqueueletter",
        "portal.change_printqueueletter",
        "billing.*",
        "orders.view_*",
        # The abortive-visit charges their invoices carry (faults/admin.py); engineers decide waivers.
        "faults.view_visitcharge",
    ],
    # Engineers do not open customers' records: the fault's page shows what a visit needs (name, service
    # address, contact for visits, phone; faults/admin.py). Of orders they see the services faults are
    # on, and the orders and cancellations behind them; not quote or price-list requests (sales work,
    # with strangers' email addresses).
    ENGINEERS: [
        "portal.view_outboxmessage",
        "portal.read_fault_messages",
        "portal.read_engineers_alert_messages",
        "faults.*",
        "orders.view_service",
        "orders.view_serviceevent",
        "orders.view_order",
        "orders.view_orderevent",
        "orders.view_cancellation",
        "orders.view_product",
    ],
}


def _matching(Permission, spec):
    app_label, codename = spec.split(".", 1)
    perms = Permission.objects.filter(content_type__app_label=app_label)
    if codename == "*":
        return perms
    if codename.endswith("*"):
        return perms.filter(codename__startswith=codename[:-1])
    return perms.filter(codename=codename)


def sync_groups(Group, Permission):
    """Create the groups and give each exactly its permissions (those that exist so far)."""
    for name, specs in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted, unwanted = set(), set()
        for spec in specs:
            into, spec = (unwanted, spec[1:]) if spec.startswith("-") else (wanted, spec)
            into.update(_matching(Permission, spec).values_list("pk", flat=True))
        group.permissions.set(wanted - unwanted)
