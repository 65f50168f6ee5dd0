"""The ADR scheme as printed in the Code of Practice (Otelo), with both its addresses."""

from django.db import migrations


def add_otelo(apps, schema_editor):
    AdrScheme = apps.get_model("complaints", "AdrScheme")
    if not AdrScheme.objects.exists():
        AdrScheme.objects.create(
            name="Otelo (Office of the Telecommunications Ombudsman)",
            postal_address="PO Box 730\nWarrington\nWA4 6WU",
            office_address="Wilderspool Park\nGreenall's Avenue\nWarrington\nWA4 6HL",
            phones="0845 050 1614, 01925 430 049",
            fax="01925 430059",
            email="enquiries@otelo.org.uk",
            website="www.otelo.org.uk",
            is_current=True,
        )


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]
    operations = [migrations.RunPython(add_otelo, migrations.RunPython.noop)]
