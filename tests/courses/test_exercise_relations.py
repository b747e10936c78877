"""Courses tie to exercises by foreign key: scores survive a renamed slug, lessons' embedded
exercises are found through Wagtail's reference index, and the migration from typed slugs."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from courses.exercise_views import course_uses_exercise
from courses.models import (
    CourseExercise,
    CourseExerciseScore,
    CoursePage,
    CourseProgress,
    ExerciseTestTally,
)
from courses.services import enrolment_create, lesson_complete, progress_recompute
from grading.services import manual_grade_set, submission_create
from tests.factories import ExerciseFactory, UserFactory, course_tree, lesson_body, lessons_of
from tests.grading.submissions_support import (
    CORRECT,
    PARTIAL,
    install_fake_engine,
    make_course_exercise,
    make_exercise,
)


def _submit(learner, exercise, course, answers, capture):
    with capture(execute=True):
        submission = submission_create(
            learner=learner, exercise=exercise, course_page=course, answers=answers, kind="submit"
        )
    with capture(execute=True):
        # The fake engine's explain_answer waits for a person; graded 0, the scores stay the
        # automatic ones and the course may complete (it waits for a pending review).
        manual_grade_set(
            submission=submission, grade_id="explain_answer", points=0, feedback="", by=None
        )


@pytest.mark.django_db
def test_renaming_an_exercise_keeps_every_score_and_the_course_still_completes(
    enrolled, course, monkeypatch, django_capture_on_commit_callbacks
):
    engine = install_fake_engine(monkeypatch)
    exercise = make_course_exercise(course)  # worth 10 points; the course needs 70% of them
    passed = UserFactory()
    enrolment_create(learner=passed, course=course)
    _submit(passed, exercise, course, CORRECT, django_capture_on_commit_callbacks)  # 5 / 6
    engine.rank_points = 0.0
    _submit(enrolled, exercise, course, PARTIAL, django_capture_on_commit_callbacks)  # 2 / 6
    for lesson in lessons_of(course):
        lesson_complete(learner=enrolled, lesson=lesson)
        lesson_complete(learner=passed, lesson=lesson)

    exercise.slug = "rice-scoring"
    exercise.save()

    # Recounted after the rename, nobody's score is lost.
    for learner, points in ((passed, "8.333333"), (enrolled, "3.333333")):
        progress = progress_recompute(enrolment=learner.enrolments.get(course=course))
        assert progress.exercise_points == Decimal(points)
    assert CourseProgress.objects.get(enrolment__learner=passed).is_complete
    assert not CourseProgress.objects.get(enrolment__learner=enrolled).is_complete

    # A submission after the rename counts for the same course exercise, and completes the course.
    engine.rank_points = 3.0
    _submit(enrolled, exercise, course, CORRECT, django_capture_on_commit_callbacks)
    progress = CourseProgress.objects.get(enrolment__learner=enrolled)
    assert (progress.exercise_points, progress.exercise_max_points) == (
        Decimal("8.333333"),
        Decimal("10"),
    )
    assert progress.is_complete
    assert CourseExerciseScore.objects.filter(exercise=exercise).count() == 2


def _embed(lesson, exercise, *, publish=True):
    lesson.body = [*lesson_body(checks=0), {"type": "exercise", "value": {"exercise": exercise.pk}}]
    revision = lesson.save_revision()
    if publish:
        revision.publish()


@pytest.mark.django_db
def test_an_exercise_embedded_in_a_live_lesson_of_the_course_is_reachable_and_no_other(
    client, enrolled, course, catalog, django_assert_max_num_queries
):
    embedded = make_exercise(slug="kano", title="Kano model")
    elsewhere = make_exercise(slug="wsjf", title="WSJF")
    drafted = make_exercise(slug="moscow", title="MoSCoW")
    other_course = course_tree(catalog, slug="other", title="Other", lessons_per_module=3)
    _embed(lessons_of(course)[2], embedded)
    _embed(lessons_of(other_course)[0], elsewhere)
    _embed(lessons_of(course)[1], drafted, publish=False)  # only in a draft: not live yet

    client.force_login(enrolled)

    def page(exercise):
        return client.get(reverse("exercise_page", args=[course.pk, exercise.pk]))

    def status(exercise):
        return page(exercise).status_code

    assert status(embedded) == 200 and "Kano model" in page(embedded).content.decode()
    assert status(elsewhere) == 404
    assert status(drafted) == 404
    assert not CourseExercise.objects.exists()  # reached through the lesson alone

    # Two queries whatever the number of lessons, and no lesson body is read.
    for uses_it, exercise, in_course in (
        (True, embedded, course),
        (False, elsewhere, course),
        (True, elsewhere, other_course),
        (False, drafted, course),
    ):
        with django_assert_max_num_queries(2) as queries:
            assert course_uses_exercise(course=in_course, exercise=exercise) is uses_it
        assert not any("body" in query["sql"] for query in queries.captured_queries)

    # Unpublishing the lesson takes the exercise out of the course.
    lessons_of(course)[2].unpublish()
    assert status(embedded) == 404


@pytest.mark.django_db
def test_publishing_a_lesson_indexes_its_exercise_before_any_task_worker_runs(course, settings):
    # As in production: Wagtail's own reference index update waits in the queue for a worker.
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend", "QUEUES": ["default"]}
    }
    exercise = ExerciseFactory()
    _embed(lessons_of(course)[0], exercise)
    queued = DBTaskResult.objects.filter(task_path="wagtail.tasks.update_reference_index_task")
    assert queued.exists()
    assert course_uses_exercise(course=course, exercise=exercise)


def _migrate(executor, app_and_migration):
    executor.loader.build_graph()
    executor.migrate([app_and_migration])
    return executor.loader.project_state([app_and_migration]).apps


BEFORE = ("courses", "0008_add_graded_quizzes_with_attempt_records")
AFTER = ("courses", "0011_drop_exercise_slugs")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_maps_exercise_slugs_to_foreign_keys_and_back(catalog, capsys):
    course = course_tree(catalog, slug="mapped", title="Mapped", modules=1, lessons_per_module=1)
    rice, kano = ExerciseFactory(slug="rice"), ExerciseFactory(slug="kano")
    learner = UserFactory()
    enrolment = enrolment_create(learner=learner, course=course)
    CourseExercise.objects.create(course=course, exercise=rice, title="RICE", max_points=10)
    CourseExerciseScore.objects.create(
        enrolment=enrolment,
        exercise=kano,
        points=2,
        max_points=4,
        recorded_at=enrolment.enrolled_at,
    )
    ExerciseTestTally.objects.create(
        course=course, learner=learner, exercise=rice, grade_id="rice_tests", runs=2, failures=1
    )
    revision = CoursePage.objects.get(pk=course.pk).save_revision()
    assert [item["exercise"] for item in revision.content["exercises"]] == [rice.pk]

    executor = MigrationExecutor(connection)
    try:
        # Back: the slugs are copied from the exercises, in the rows and in the page's revisions.
        old = _migrate(executor, BEFORE)
        OldCourseExercise = old.get_model("courses", "CourseExercise")
        OldScore = old.get_model("courses", "CourseExerciseScore")
        OldTally = old.get_model("courses", "ExerciseTestTally")
        assert list(OldCourseExercise.objects.values_list("course_id", "key")) == [
            (course.pk, "rice")
        ]
        assert list(OldScore.objects.values_list("exercise_key", flat=True)) == ["kano"]
        assert list(OldTally.objects.values_list("exercise_key", flat=True)) == ["rice"]
        revision.refresh_from_db()
        (item,) = revision.content["exercises"]
        assert item["key"] == "rice" and "exercise" not in item

        # Rows typed with slugs no exercise has: they could never count.
        typo = OldCourseExercise.objects.create(
            course_id=course.pk, key="rcie", title="Typo", max_points=5, sort_order=1
        )
        retired = OldScore.objects.create(
            enrolment_id=enrolment.pk,
            exercise_key="retired",
            points=1,
            max_points=1,
            recorded_at=enrolment.enrolled_at,
        )
        OldTally.objects.create(
            course_id=course.pk,
            learner_id=learner.pk,
            exercise_key="kano",
            grade_id="k",
            runs=1,
            failures=0,
        )
        revision.content["exercises"].append({**item, "pk": typo.pk, "key": "rcie"})
        revision.save(update_fields=["content"])
        capsys.readouterr()

        # Forward: each slug becomes its exercise; the rows with unknown slugs are deleted, and said.
        _migrate(executor, AFTER)
    finally:
        # Every app's latest state: going back in courses also unapplied the migrations of the
        # apps that depend on it (announcements, lti, ...).
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    out = capsys.readouterr().out

    assert list(CourseExercise.objects.values_list("course_id", "exercise_id")) == [
        (course.pk, rice.pk)
    ]
    assert list(CourseExerciseScore.objects.values_list("exercise_id", flat=True)) == [kano.pk]
    assert sorted(ExerciseTestTally.objects.values_list("grade_id", "exercise_id")) == [
        ("k", kano.pk),
        ("rice_tests", rice.pk),
    ]
    assert out.splitlines()[1:] == [
        f"  Deleted course exercise {typo.pk} of course {course.pk}: no exercise has the slug 'rcie'",
        f"  Deleted exercise score {retired.pk} of course {course.pk}: no exercise has the slug 'retired'",
    ]
    revision.refresh_from_db()
    assert [(i["pk"], i["exercise"], "key" in i) for i in revision.content["exercises"]] == [
        (item["pk"], rice.pk, False)
    ]
    # The editor loads the revision with its exercise chosen.
    (counted,) = revision.as_object().exercises.all()
    assert counted.exercise == rice

    changes = StringIO()
    call_command("makemigrations", "courses", "--check", "--dry-run", stdout=changes)
    assert "No changes detected" in changes.getvalue()


@pytest.mark.django_db
def test_an_editor_picks_the_counted_exercise_with_the_chooser(client, course):
    rice = ExerciseFactory(slug="rice", title="RICE scoring")
    editor = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(editor)
    edit_url = reverse("wagtailadmin_pages:edit", args=[course.pk])

    form = client.get(edit_url).content.decode()
    assert reverse("exercise_chooser:choose") in form  # the chooser, not a slug to type

    data = nested_form_data(
        {
            "title": course.title,
            "slug": course.slug,
            "summary": course.summary,
            "description": rich_text(""),
            "outcomes": "",
            "level": "beginner",
            "estimated_hours": 2,
            "pass_exercise_percent": 70,
            "exercises": inline_formset(
                [{"title": "RICE", "exercise": rice.pk, "max_points": "10", "pass_percent": ""}]
            ),
            "action-publish": "publish",
        }
    )
    response = client.post(edit_url, data)
    assert response.status_code == 302, response.context["form"].errors
    assert list(CourseExercise.objects.values_list("course_id", "exercise_id", "max_points")) == [
        (course.pk, rice.pk, Decimal(10))
    ]
    chosen = client.get(edit_url).content.decode()
    assert "RICE scoring" in chosen
