from django.db import migrations


def forwards(apps, schema_editor):
    """The basketry sector and craft shared one code, so the craft became its own parent and
    the sector was lost. Loading the corrected reference data restores both."""
    from core import reference

    reference.load(apps)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_reference_data")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
