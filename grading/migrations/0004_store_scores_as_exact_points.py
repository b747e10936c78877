"""Scores as exercises.points stores them: decimals of six places rounded one way from the
engine's exact points (was: floats), so a full score equals its maximum. Values are kept; on
SQLite, whose table copy keeps the old binary floats, they are rounded to the six places now."""

from django.db import migrations
from django.db.models import F
from django.db.models.functions import Round

import exercises.points

POINTS_FIELDS = {
    "submission": ["score", "max_score", "override_score"],
    "gradeoverride": ["old_score", "new_score"],
    "regradechange": ["old_score", "new_score"],
}


def round_old_floats(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return  # PostgreSQL's ALTER COLUMN ... TYPE numeric(16, 6) rounded them already
    for model_name, fields in POINTS_FIELDS.items():
        model = apps.get_model("grading", model_name)
        for name in fields:
            model.objects.filter(**{f"{name}__isnull": False}).update(**{name: Round(F(name), 6)})


class Migration(migrations.Migration):
    dependencies = [
        ("grading", "0003_index_submissions_by_course_and_date"),
    ]

    operations = [
        migrations.AlterField(
            model_name="submission",
            name="score",
            field=exercises.points.PointsField(
                blank=True, decimal_places=6, max_digits=16, null=True
            ),
        ),
        migrations.AlterField(
            model_name="submission",
            name="max_score",
            field=exercises.points.PointsField(decimal_places=6, default=0, max_digits=16),
        ),
        migrations.AlterField(
            model_name="submission",
            name="override_score",
            field=exercises.points.PointsField(
                blank=True,
                decimal_places=6,
                help_text="Set by an instructor's override; it wins over the graded score.",
                max_digits=16,
                null=True,
            ),
        ),
        migrations.AlterField(
            model_name="gradeoverride",
            name="old_score",
            field=exercises.points.PointsField(
                blank=True, decimal_places=6, max_digits=16, null=True
            ),
        ),
        migrations.AlterField(
            model_name="gradeoverride",
            name="new_score",
            field=exercises.points.PointsField(decimal_places=6, max_digits=16),
        ),
        migrations.AlterField(
            model_name="regradechange",
            name="old_score",
            field=exercises.points.PointsField(
                blank=True, decimal_places=6, max_digits=16, null=True
            ),
        ),
        migrations.AlterField(
            model_name="regradechange",
            name="new_score",
            field=exercises.points.PointsField(
                blank=True, decimal_places=6, max_digits=16, null=True
            ),
        ),
        migrations.RunPython(round_old_floats, migrations.RunPython.noop),
    ]
