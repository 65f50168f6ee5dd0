"""Fill the ADR scheme from the Code of Practice (complaints/defaults.py)."""

from django.db import migrations


def add_otelo(apps, schema_editor):
    from complaints.defaults import ensure_adr_scheme

    ensure_adr_scheme(apps.get_model("complaints", "AdrScheme"))


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]
    operations = [migrations.RunPython(add_otelo, migrations.RunPython.noop)]
