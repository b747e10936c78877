"""Instructors upload and edit exercises; deleting stays with superusers."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

INSTRUCTORS_GROUP = "Instructors"


def grant(apps, schema_editor):
    app_config = apps.get_app_config("exercises")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=INSTRUCTORS_GROUP)
    perms = Permission.objects.filter(
        content_type__app_label="exercises",
        codename__in=["add_exercise", "change_exercise", "view_exercise"],
    )
    group.permissions.add(*perms)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=INSTRUCTORS_GROUP).first()
    if group:
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="exercises"))


class Migration(migrations.Migration):
    dependencies = [
        ("exercises", "0001_create_exercise_and_revisions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
