"""A revision's maximum as exercises.points stores points: a decimal of six places rounded one
way from the exact sum (was: a float), equal to the scores of full marks. Values are kept; on
SQLite, whose table copy keeps the old binary floats, they are rounded to the six places now."""

from django.db import migrations
from django.db.models import F
from django.db.models.functions import Round

import exercises.points


def round_old_floats(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return  # PostgreSQL's ALTER COLUMN ... TYPE numeric(16, 6) rounded them already
    revision = apps.get_model("exercises", "ExerciseRevision")
    revision.objects.update(max_score=Round(F("max_score"), 6))


class Migration(migrations.Migration):
    dependencies = [
        ("exercises", "0005_add_exercise_files"),
    ]

    operations = [
        migrations.AlterField(
            model_name="exerciserevision",
            name="max_score",
            field=exercises.points.PointsField(decimal_places=6, default=0, max_digits=16),
        ),
        migrations.RunPython(round_old_floats, migrations.RunPython.noop),
    ]
