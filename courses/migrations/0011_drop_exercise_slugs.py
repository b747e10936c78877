"""Step 3 of 3: the foreign keys replace the slugs, in the constraints and covering indexes too."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('courses', '0010_map_exercise_slugs_to_foreign_keys'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='courseexercise',
            name='unique_course_exercise_key',
        ),
        migrations.RemoveConstraint(
            model_name='courseexercisescore',
            name='unique_exercise_score',
        ),
        migrations.RemoveIndex(
            model_name='courseexercisescore',
            name='exercise_score_covering',
        ),
        migrations.RemoveConstraint(
            model_name='exercisetesttally',
            name='unique_exercise_test_tally',
        ),
        migrations.RemoveIndex(
            model_name='exercisetesttally',
            name='test_tally_per_test_idx',
        ),
        migrations.RemoveField(
            model_name='courseexercise',
            name='key',
        ),
        migrations.RemoveField(
            model_name='courseexercisescore',
            name='exercise_key',
        ),
        migrations.RemoveField(
            model_name='exercisetesttally',
            name='exercise_key',
        ),
        migrations.AlterField(
            model_name='courseexercise',
            name='exercise',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='course_uses', to='exercises.exercise'),
        ),
        migrations.AlterField(
            model_name='courseexercisescore',
            name='exercise',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='course_scores', to='exercises.exercise'),
        ),
        migrations.AlterField(
            model_name='exercisetesttally',
            name='exercise',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='course_test_tallies', to='exercises.exercise'),
        ),
        migrations.AddConstraint(
            model_name='courseexercise',
            constraint=models.UniqueConstraint(fields=('course', 'exercise'), name='unique_course_exercise'),
        ),
        migrations.AddConstraint(
            model_name='courseexercisescore',
            constraint=models.UniqueConstraint(fields=('enrolment', 'exercise'), name='unique_exercise_score'),
        ),
        migrations.AddIndex(
            model_name='courseexercisescore',
            index=models.Index(fields=['enrolment', 'exercise', 'points', 'max_points'], name='exercise_score_covering'),
        ),
        migrations.AddConstraint(
            model_name='exercisetesttally',
            constraint=models.UniqueConstraint(fields=('course', 'learner', 'exercise', 'grade_id'), name='unique_exercise_test_tally'),
        ),
        migrations.AddIndex(
            model_name='exercisetesttally',
            index=models.Index(fields=['course', 'exercise', 'grade_id', 'runs', 'failures'], name='test_tally_per_test_idx'),
        ),
    ]
