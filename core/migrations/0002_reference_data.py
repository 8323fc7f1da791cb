from django.db import migrations


def forwards(apps, schema_editor):
    from core import reference

    reference.load(apps)


def backwards(apps, schema_editor):
    from core import reference

    reference.unload(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
