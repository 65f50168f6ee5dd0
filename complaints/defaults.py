"""The ADR scheme as printed in the Code of Practice (Otelo), with both its addresses.

Created by a data migration, and again after any migrate or flush that left no scheme at all: every
deadlock and ADR letter must name a scheme, so there is always one for staff to edit. Schemes left with
none current (the admin once let staff untick or delete them) get their latest edited one back as current.
"""

OTELO = dict(
    name="Otelo (Office of the Telecommunications Ombudsman)",
    postal_address="PO Box 730\nWarrington\nWA4 6WU",
    office_address="Wilderspool Park\nGreenall's Avenue\nWarrington\nWA4 6HL",
    phones="0845 050 1614, 01925 430 049",
    fax="01925 430059",
    email="enquiries@otelo.org.uk",
    website="www.otelo.org.uk",
)


def ensure_adr_scheme(AdrScheme):
    if not AdrScheme.objects.exists():
        AdrScheme.objects.create(**OTELO, is_current=True)
    elif not AdrScheme.objects.filter(is_current=True).exists():
        latest = AdrScheme.objects.order_by("-updated_at", "-pk").first()
        AdrScheme.objects.filter(pk=latest.pk).update(is_current=True)
