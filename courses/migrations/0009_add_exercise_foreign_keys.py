"""Step 1 of 3 from typed exercise slugs to foreign keys: add the (still nullable) foreign keys.

The slug fields become nullable too, so that going back (0011 re-adds them empty, 0010 fills
them from the foreign keys) ends with every row's slug in place before they are required again.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('courses', '0008_add_graded_quizzes_with_attempt_records'),
        ('exercises', '0004_keep_answer_keys_private'),
    ]

    operations = [
        migrations.AddField(
            model_name='courseexercise',
            name='exercise',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='course_uses', to='exercises.exercise'),
        ),
        migrations.AddField(
            model_name='courseexercisescore',
            name='exercise',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='course_scores', to='exercises.exercise'),
        ),
        migrations.AddField(
            model_name='exercisetesttally',
            name='exercise',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='course_test_tallies', to='exercises.exercise'),
        ),
        migrations.AlterField(
            model_name='courseexercise',
            name='key',
            field=models.SlugField(help_text="The exercise's identifier in grading.", max_length=100, null=True),
        ),
        migrations.AlterField(
            model_name='courseexercisescore',
            name='exercise_key',
            field=models.SlugField(max_length=100, null=True),
        ),
        migrations.AlterField(
            model_name='exercisetesttally',
            name='exercise_key',
            field=models.SlugField(max_length=100, null=True),
        ),
    ]
