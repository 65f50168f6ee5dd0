"""The account's own part of the customer's data export."""

from accounts.data_export import exporter


@exporter("account")
def account(customer):
    return {
        "account_username": customer.username,
        "full_name": customer.full_name,
        "company_name": customer.company_name,
        "email": customer.email,
        "phone": customer.phone,
        "postal_address": customer.address,
        "postcode": customer.postcode,
        "customer_type": customer.get_customer_type_display(),
        "correspondence": customer.get_correspondence_display(),
        "joined": customer.date_joined,
        "last_login": customer.last_login,
    }


@exporter("marketing_consent")
def marketing_consent(customer):
    return [
        {"opted_in": c.opted_in, "at": c.at, "channel": c.get_channel_display(), "note": c.note}
        for c in customer.marketing_consents.order_by("at", "id")
    ]


@exporter("account_changes_by_staff")
def account_changes_by_staff(customer):
    return [
        {"at": e.at, "what": e.get_kind_display(), "details": e.text}
        for e in customer.account_events.order_by("at", "id")
    ]
