"""Instructors read, override and regrade submissions of their courses; deleting is for nobody."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

INSTRUCTORS_GROUP = "Instructors"
CODENAMES = ["view_submission", "change_submission", "view_regradebatch", "view_gradeoverride"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("grading")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=INSTRUCTORS_GROUP)
    group.permissions.add(*Permission.objects.filter(content_type__app_label="grading", codename__in=CODENAMES))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=INSTRUCTORS_GROUP).first()
    if group:
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="grading"))


class Migration(migrations.Migration):
    dependencies = [
        ("grading", "0001_create_submissions_overrides_and_regrades"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
