# Exercise notebooks move out of public media (issue 15): source notebooks hold every solution,
# hidden test and sealed-check generator, and were stored at exercises/<slug>/r<N>-source.ipynb
# in the default storage, which a proxy serves at /media/.

from django.core.files.storage import storages
from django.db import migrations, models

import exercises.answer_keys
import exercises.models
from exercises.answer_keys import revision_files_move


def move_to_private_storage(apps, schema_editor):
    """Every existing source and release notebook, under a fresh unguessable name; a missing file
    is logged and its row left as it is."""
    revision = apps.get_model("exercises", "ExerciseRevision")
    revision_files_move(
        revisions=revision.objects.using(schema_editor.connection.alias).order_by("pk"),
        source=storages["default"],
        target=storages["private"],
    )


def move_back_to_default_storage(apps, schema_editor):
    """For a rollback to code that reads the default storage; the names stay unguessable."""
    revision = apps.get_model("exercises", "ExerciseRevision")
    revision_files_move(
        revisions=revision.objects.using(schema_editor.connection.alias).order_by("pk"),
        source=storages["private"],
        target=storages["default"],
    )


class Migration(migrations.Migration):

    dependencies = [
        ("exercises", "0003_add_exercise_attempt_policy"),
    ]

    operations = [
        migrations.AlterField(
            model_name="exerciserevision",
            name="release",
            field=models.FileField(
                max_length=255,
                storage=exercises.answer_keys.answer_key_storage,
                upload_to=exercises.models._release_path,
            ),
        ),
        migrations.AlterField(
            model_name="exerciserevision",
            name="source",
            field=models.FileField(
                max_length=255,
                storage=exercises.answer_keys.answer_key_storage,
                upload_to=exercises.models._source_path,
            ),
        ),
        migrations.RunPython(move_to_private_storage, move_back_to_default_storage),
    ]
