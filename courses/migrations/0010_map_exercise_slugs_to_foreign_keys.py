"""Step 2 of 3: point each course exercise, score and test tally at the exercise with its slug.

A row whose slug names no exercise could never count (no submission can carry that slug), so it
is deleted, and each deletion is written to the migration's output (course id, slug) for the
operator. The course pages' revisions hold their exercises too (content["exercises"], which the
editor and publishing load): each there gets the exercise's id in place of its slug, and one
whose slug names no exercise is left out, as its row is. Going back copies each exercise's slug
into the slug fields (and revisions) again.
"""

import sys

from django.db import migrations

# (model, slug field, how to reach the row's course id, what the row is called in the output)
_SLUGGED = (
    ("CourseExercise", "key", "course_id", "course exercise"),
    ("CourseExerciseScore", "exercise_key", "enrolment__course_id", "exercise score"),
    ("ExerciseTestTally", "exercise_key", "course_id", "exercise test tally"),
)


def map_slugs_to_exercises(apps, schema_editor):
    Exercise = apps.get_model("exercises", "Exercise")
    exercise_ids = dict(Exercise.objects.values_list("slug", "pk"))
    deleted = []
    for model_name, slug_field, course_path, label in _SLUGGED:
        model = apps.get_model("courses", model_name)
        slugs = set(model.objects.order_by().values_list(slug_field, flat=True).distinct())
        for slug in sorted(slug for slug in slugs if slug in exercise_ids):
            model.objects.filter(**{slug_field: slug}).update(exercise_id=exercise_ids[slug])
        orphans = model.objects.filter(exercise__isnull=True).order_by("pk")
        deleted += [
            f"  Deleted {label} {pk} of course {course_id}: no exercise has the slug {slug!r}\n"
            for pk, course_id, slug in orphans.values_list("pk", course_path, slug_field)
        ]
        orphans.delete()
    if deleted:
        # On the lines after migrate's "Applying ...", which has no line end yet.
        sys.stdout.write("\n" + "".join(deleted))


def copy_slugs_back(apps, schema_editor):
    Exercise = apps.get_model("exercises", "Exercise")
    slugs = dict(Exercise.objects.values_list("pk", "slug"))
    for model_name, slug_field, _course_path, _label in _SLUGGED:
        model = apps.get_model("courses", model_name)
        used = model.objects.order_by().values_list("exercise_id", flat=True).distinct()
        for exercise_id in sorted(pk for pk in used if pk is not None):
            model.objects.filter(exercise_id=exercise_id).update(**{slug_field: slugs[exercise_id]})


def _course_revisions(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Revision = apps.get_model("wagtailcore", "Revision")
    course_type = ContentType.objects.filter(app_label="courses", model="coursepage").first()
    if course_type is None:
        return Revision.objects.none()
    return Revision.objects.filter(content_type=course_type).order_by("pk")


def _rewrite_revisions(apps, rewrite):
    """Apply `rewrite` (a revision's list of exercises -> the new list) to every course revision."""
    Revision = apps.get_model("wagtailcore", "Revision")
    changed = []
    for revision in _course_revisions(apps).iterator(chunk_size=500):
        content = revision.content if isinstance(revision.content, dict) else None
        if not content or not isinstance(content.get("exercises"), list):
            continue
        items = rewrite(content["exercises"])
        if items != content["exercises"]:
            content["exercises"] = items
            changed.append(revision)
        if len(changed) >= 500:
            Revision.objects.bulk_update(changed, ["content"])
            changed = []
    Revision.objects.bulk_update(changed, ["content"])


def map_slugs_in_course_revisions(apps, schema_editor):
    Exercise = apps.get_model("exercises", "Exercise")
    exercise_ids = dict(Exercise.objects.values_list("slug", "pk"))

    def rewrite(items):
        mapped = []
        for item in items:
            item = dict(item)
            slug = item.pop("key", None)
            if item.get("exercise") is None:
                if slug not in exercise_ids:
                    continue
                item["exercise"] = exercise_ids[slug]
            mapped.append(item)
        return mapped

    _rewrite_revisions(apps, rewrite)


def copy_slugs_back_in_course_revisions(apps, schema_editor):
    Exercise = apps.get_model("exercises", "Exercise")
    slugs = dict(Exercise.objects.values_list("pk", "slug"))

    def rewrite(items):
        mapped = []
        for item in items:
            item = dict(item)
            exercise_id = item.pop("exercise", None)
            if exercise_id in slugs:
                item["key"] = slugs[exercise_id]
                mapped.append(item)
        return mapped

    _rewrite_revisions(apps, rewrite)


class Migration(migrations.Migration):

    dependencies = [
        ('courses', '0009_add_exercise_foreign_keys'),
    ]

    operations = [
        migrations.RunPython(map_slugs_to_exercises, copy_slugs_back),
        migrations.RunPython(map_slugs_in_course_revisions, copy_slugs_back_in_course_revisions),
    ]
