"""The scan's hot path: Badge.arrived_at (the first accepted entry on the latest day with one,
filled from the scans), and no single-column indexes on CheckIn.fair and CheckIn.badge (the
composite indexes starting with them serve every look-up; each scan inserted into both)."""

import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone


def fill_arrived_at(apps, schema_editor):
    Badge = apps.get_model("badges", "Badge")
    CheckIn = apps.get_model("badges", "CheckIn")
    entries = (
        CheckIn.objects.filter(result="ok", direction="in", badge__isnull=False)
        .order_by("badge_id", "scanned_at")
        .values_list("badge_id", "scanned_at")
    )
    arrived: dict[int, tuple] = {}  # badge → (day, first entry that day), the latest day wins
    for badge_id, scanned_at in entries.iterator(chunk_size=5000):
        day = timezone.localdate(scanned_at)
        known = arrived.get(badge_id)
        if known is None or day > known[0]:
            arrived[badge_id] = (day, scanned_at)
    changed = [Badge(pk=badge_id, arrived_at=first) for badge_id, (_day, first) in arrived.items()]
    Badge.objects.bulk_update(changed, ["arrived_at"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("badges", "0002_checkin_arrivals_index"), ("fairs", "0002_review_and_offers")]

    operations = [
        migrations.AddField(
            model_name="badge",
            name="arrived_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="arrived"),
        ),
        migrations.RunPython(fill_arrived_at, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="checkin",
            name="badge",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="check_ins",
                to="badges.badge",
                verbose_name="badge",
            ),
        ),
        migrations.AlterField(
            model_name="checkin",
            name="fair",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="check_ins",
                to="fairs.fair",
                verbose_name="fair",
            ),
        ),
    ]
