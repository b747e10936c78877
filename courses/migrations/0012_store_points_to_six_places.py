"""Points as exercises.points stores them, six places instead of two: a counted score keeps what
grading stored (a third is 0.333333, not 0.33) and equals its maximum when full. Two-place
values are kept exactly."""

import django.core.validators
from django.db import migrations

import exercises.points


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0011_drop_exercise_slugs"),
    ]

    operations = [
        migrations.AlterField(
            model_name="courseexercise",
            name="max_points",
            field=exercises.points.PointsField(
                decimal_places=6,
                max_digits=16,
                validators=[django.core.validators.MinValueValidator(0)],
            ),
        ),
        migrations.AlterField(
            model_name="courseexercisescore",
            name="points",
            field=exercises.points.PointsField(decimal_places=6, max_digits=16),
        ),
        migrations.AlterField(
            model_name="courseexercisescore",
            name="max_points",
            field=exercises.points.PointsField(decimal_places=6, max_digits=16),
        ),
        migrations.AlterField(
            model_name="courseprogress",
            name="exercise_points",
            field=exercises.points.PointsField(decimal_places=6, default=0, max_digits=16),
        ),
        migrations.AlterField(
            model_name="courseprogress",
            name="exercise_max_points",
            field=exercises.points.PointsField(decimal_places=6, default=0, max_digits=16),
        ),
    ]
