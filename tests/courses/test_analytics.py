"""Course analytics: score distributions, failure rates per test, the completion funnel, activity."""

import json
import zoneinfo
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courses.analytics import (
    completion_funnel,
    course_analytics,
    failing_tests,
    score_distributions,
    submissions_per_day,
)
from courses.gradebook import course_exercises
from courses.models import CourseExercise, ExerciseTestTally
from courses.services import (
    course_test_tallies_rebuild,
    enrolment_cancel,
    enrolment_create,
    exercise_score_record,
    lesson_complete,
    lesson_view_record,
    tallies_from_reports,
)
from grading.models import Submission
from grading.services import exercise_regrade, grade_override, submission_create
from tests.factories import ExerciseFactory, UserFactory, course_tree, instructor_user, lessons_of
from tests.grading.submissions_support import CORRECT, PARTIAL, install_fake_engine, make_exercise

pytestmark = pytest.mark.django_db


def _score(learner, course, key, points, max_points):
    exercise_score_record(
        learner=learner,
        course=course,
        exercise=ExerciseFactory(slug=key),
        points=Decimal(points),
        max_points=Decimal(max_points),
    )


def test_score_distribution_puts_counted_scores_in_ten_percent_bands(course):
    rice, kano = ExerciseFactory(slug="rice"), ExerciseFactory(slug="kano")
    CourseExercise.objects.create(
        course=course, exercise=rice, title="RICE", max_points=10, sort_order=0
    )
    CourseExercise.objects.create(
        course=course, exercise=kano, title="Kano", max_points=5, sort_order=1
    )
    # points out of 6: 0% → 0–10, 10% → 10–20 (lower bound included), 50% → 50–60,
    # 99% and 100% → 90–100.
    for points in ("0", "0.6", "3", "5.94", "6", "6"):
        learner = UserFactory()
        enrolment_create(learner=learner, course=course)
        _score(learner, course, "rice", points, "6")
    enrolment_create(learner=UserFactory(), course=course)  # enrolled, no score yet
    # A score kept from an exercise the course no longer declares is not charted.
    _score(learner, course, "retired", "6", "6")

    rice, kano = score_distributions(
        course=course, exercises=course_exercises(course=course), enrolled=7
    )
    assert [b.count for b in rice.buckets] == [1, 1, 0, 0, 0, 1, 0, 0, 0, 3]
    assert [b.label for b in rice.buckets][:2] == ["0–10%", "10–20%"]
    assert rice.buckets[-1].label == "90–100%"
    assert (rice.scored, rice.unscored) == (6, 1)
    assert [b.count for b in kano.buckets] == [0] * 10
    assert (kano.scored, kano.unscored) == (0, 7)


def _graded(learner, exercise, course, answers, *, kind="submit"):
    return submission_create(
        learner=learner, exercise=exercise, course_page=course, answers=answers, kind=kind
    )


@pytest.fixture
def rice_course(course, monkeypatch, django_capture_on_commit_callbacks):
    """Graded submissions from the fake engine: rice_tests 2/2, rank_tests 3/3 or partial,
    explain_answer left for review."""
    engine = install_fake_engine(monkeypatch)
    exercise = make_exercise()
    CourseExercise.objects.create(
        course=course, exercise=exercise, title="RICE scoring", max_points=6
    )
    ann, ben, cat = UserFactory(), UserFactory(), UserFactory()
    for person in (ann, ben, cat):
        enrolment_create(learner=person, course=course)
    with django_capture_on_commit_callbacks(execute=True):
        _graded(ann, exercise, course, CORRECT)
    engine.rank_points = 1.5
    with django_capture_on_commit_callbacks(execute=True):
        _graded(ben, exercise, course, PARTIAL)
    with django_capture_on_commit_callbacks(execute=True):
        _graded(cat, exercise, course, PARTIAL)
    # Checks are practice: they never count as failures.
    with django_capture_on_commit_callbacks(execute=True):
        _graded(ann, exercise, course, PARTIAL, kind="check")
    engine.rank_points = 3.0
    with django_capture_on_commit_callbacks(execute=True):
        _graded(ben, exercise, course, CORRECT)
    return {"exercise": exercise, "ann": ann, "ben": ben, "cat": cat, "engine": engine}


def test_failure_rate_per_test_counts_graded_submissions_worst_first(course, rice_course):
    rows = failing_tests(course=course, exercises=course_exercises(course=course))
    assert [
        (r.exercise_title, r.grade_id, r.runs, r.failures, r.rate, r.learners_failing) for r in rows
    ] == [
        ("RICE scoring", "rank_tests", 4, 2, Decimal("50.0"), 2),
        ("RICE scoring", "rice_tests", 4, 0, Decimal("0.0"), 0),
    ]


def test_failure_rates_leave_out_other_courses_and_undeclared_exercises(
    catalog, course, rice_course, django_capture_on_commit_callbacks
):
    other = course_tree(catalog, slug="other", title="Other", modules=1, lessons_per_module=1)
    enrolment_create(learner=rice_course["ann"], course=other)
    rice_course["engine"].rank_points = 0.0
    with django_capture_on_commit_callbacks(execute=True):
        _graded(rice_course["ann"], rice_course["exercise"], other, PARTIAL)
    # The other course does not declare the exercise, so nothing there counts either.
    assert failing_tests(course=other, exercises=course_exercises(course=other)) == []
    rank = failing_tests(course=course, exercises=course_exercises(course=course))[0]
    assert (rank.runs, rank.failures) == (4, 2)


def test_score_distribution_follows_overrides(
    course, rice_course, django_capture_on_commit_callbacks
):
    # ann 5/6 → 80–90; ben best of 3.5/6 and 5/6 → 80–90; cat 3.5/6 → 50–60.
    exercises = course_exercises(course=course)
    (rice,) = score_distributions(course=course, exercises=exercises, enrolled=3)
    assert [b.count for b in rice.buckets] == [0, 0, 0, 0, 0, 1, 0, 0, 2, 0]
    cat_attempt = Submission.objects.get(learner=rice_course["cat"], kind="submit")
    with django_capture_on_commit_callbacks(execute=True):
        grade_override(
            submission=cat_attempt, new_score=6.0, reason="Hand-graded the explanation.", by=None
        )
    (rice,) = score_distributions(course=course, exercises=exercises, enrolled=3)
    assert [b.count for b in rice.buckets] == [0, 0, 0, 0, 0, 0, 0, 0, 2, 1]


def test_completion_funnel_counts_each_learner_up_to_their_furthest_stage(course):
    lessons = lessons_of(course)
    optional = lessons[3]
    optional.required = False
    optional.save_revision().publish()
    CourseExercise.objects.create(
        course=course, exercise=ExerciseFactory(slug="rice"), title="RICE", max_points=10
    )

    def enrol():
        person = UserFactory()
        enrolment_create(learner=person, course=course)
        return person

    enrol()  # enrolled, nothing else
    viewer = enrol()
    lesson_view_record(enrolment=viewer.enrolments.get(), lesson=lessons[0])
    _score(enrol(), course, "rice", "0.5", "6")  # started through an exercise only
    half = enrol()
    for lesson in lessons[:2]:
        lesson_complete(learner=half, lesson=lesson)
    required = enrol()
    for lesson in lessons[:3]:
        lesson_complete(learner=required, lesson=lesson)
    done = enrol()
    for lesson in lessons:
        lesson_complete(learner=done, lesson=lesson)
    _score(done, course, "rice", "6", "6")
    left = enrol()
    for lesson in lessons[:2]:
        lesson_complete(learner=left, lesson=lesson)
    enrolment_cancel(learner=left, course=course)

    funnel = completion_funnel(course=course)
    assert [(s.label, s.count, s.percent_of_enrolled) for s in funnel] == [
        ("Enrolled", 7, 100),
        ("Started", 6, 85),
        ("Half the lessons done", 4, 57),
        ("All required lessons done", 2, 28),
        ("Completed", 1, 14),
    ]


def test_completion_funnel_of_an_empty_course(course):
    assert [(s.count, s.percent_of_enrolled) for s in completion_funnel(course=course)] == [
        (0, 0)
    ] * 5


def test_submissions_per_day_over_the_last_thirty_days(course, rice_course):
    today = timezone.localdate()
    # Four submissions and one check were made just now; move some back in time.
    ann_submit = Submission.objects.get(learner=rice_course["ann"], kind="submit")
    ann_submit.created_at = timezone.now() - timedelta(days=3)
    ann_submit.save(update_fields=["created_at"])
    cat_submit = Submission.objects.get(learner=rice_course["cat"], kind="submit")
    cat_submit.created_at = timezone.now() - timedelta(days=30)  # one day too old
    cat_submit.save(update_fields=["created_at"])

    days = submissions_per_day(course=course)
    assert len(days) == 30
    assert days[0].day == today - timedelta(days=29) and days[-1].day == today
    assert (days[-1].submissions, days[-1].checks) == (2, 1)
    assert (days[-4].day, days[-4].submissions, days[-4].checks) == (
        today - timedelta(days=3),
        1,
        0,
    )
    assert sum(d.submissions for d in days) == 3


def test_submissions_per_day_follow_the_local_calendar_across_a_clock_change(course, rice_course):
    # Berlin moves from UTC+1 to UTC+2 on 29 March 2026: local midnights are 23:00 UTC before
    # and 22:00 UTC after.
    at = {
        ("ann", "submit"): "2026-03-27 22:30",  # 27 March 23:30 local: before the window
        ("ben", "submit", 1): "2026-03-27 23:30",  # 28 March 00:30
        ("ben", "submit", 2): "2026-03-29 22:30",  # 30 March 00:30 (summer time)
        ("cat", "submit"): "2026-03-30 21:59",  # 30 March 23:59
        ("ann", "check"): "2026-03-30 22:00",  # 31 March 00:00: tomorrow
    }
    for key, when in at.items():
        who, kind = key[0], key[1]
        submissions = Submission.objects.filter(learner=rice_course[who], kind=kind).order_by("pk")
        submission = submissions[key[2] - 1] if len(key) == 3 else submissions.get()
        submission.created_at = datetime.fromisoformat(when).replace(tzinfo=UTC)
        submission.save(update_fields=["created_at"])

    with timezone.override(zoneinfo.ZoneInfo("Europe/Berlin")):
        days = submissions_per_day(course=course, days=3, today=date(2026, 3, 30))
    assert [(d.day, d.submissions, d.checks) for d in days] == [
        (date(2026, 3, 28), 1, 0),
        (date(2026, 3, 29), 0, 0),
        (date(2026, 3, 30), 2, 0),
    ]


def test_the_analytics_page_draws_charts_from_json_with_tables_beside(
    client, instructor, course, rice_course
):
    client.force_login(instructor)
    response = client.get(reverse("gradebook:analytics", args=[course.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Analytics: Foundations" in html
    data = json.loads(
        html.split('<script id="analytics-data" type="application/json">')[1].split("</script>")[0]
    )
    assert data["funnel"] == {
        "labels": [
            "Enrolled",
            "Started",
            "Half the lessons done",
            "All required lessons done",
            "Completed",
        ],
        "counts": [3, 3, 0, 0, 0],
    }
    assert data["failures"] == {
        "labels": ["RICE scoring: rank_tests", "RICE scoring: rice_tests"],
        "rates": [50.0, 0.0],
    }
    assert data["distributions"][0]["counts"] == [0, 0, 0, 0, 0, 1, 0, 0, 2, 0]
    assert len(data["activity"]["labels"]) == 30 and data["activity"]["submissions"][-1] == 4
    # Charts are drawn by local scripts only; each has a data table.
    assert '<script src="/static/vendor/chartjs/chart.umd.js">' in html
    assert '<script src="/static/js/analytics-charts.js">' in html
    assert "cdn" not in html.lower()
    assert html.count("<canvas") == 4
    assert html.count("<details>") == 4
    assert '<th scope="row"><code>rank_tests</code></th><td>4</td><td>2</td><td>50%</td>' in html
    assert finders.find("vendor/chartjs/chart.umd.js") and finders.find("js/analytics-charts.js")


def test_analytics_of_a_course_without_exercises_or_learners(client, instructor, course):
    client.force_login(instructor)
    response = client.get(reverse("gradebook:analytics", args=[course.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "This course declares no exercises." in html
    assert "No graded submission yet." in html
    analytics = response.context["analytics"]
    assert analytics.enrolled == 0 and analytics.failures == [] and analytics.distributions == []


def test_analytics_queries_do_not_grow_with_learners(client, catalog, django_assert_num_queries):
    ian = instructor_user()
    sizes = []
    for slug, learners in (("small", 2), ("big", 12)):
        course = course_tree(
            catalog, slug=slug, title=slug.title(), modules=1, lessons_per_module=2
        )
        course.instructors.set([ian])
        course.save_revision().publish()
        CourseExercise.objects.create(
            course=course, exercise=ExerciseFactory(slug="rice"), title="RICE", max_points=10
        )
        for n in range(learners):
            person = UserFactory()
            enrolment_create(learner=person, course=course)
            lesson_complete(learner=person, lesson=lessons_of(course)[0])
            _score(person, course, "rice", str(n % 6), "6")
        sizes.append(course)
    client.force_login(ian)
    small_url, big_url = (reverse("gradebook:analytics", args=[c.pk]) for c in sizes)
    client.get(small_url)
    with CaptureQueriesContext(connection) as queries:
        client.get(small_url)
    with django_assert_num_queries(len(queries)):
        response = client.get(big_url)
    assert response.context["analytics"].enrolled == 12
    assert course_analytics(course=sizes[1]).funnel[1].count == 12


def test_a_course_without_lessons_renders_its_analytics_and_gradebook(client, catalog):
    empty = course_tree(catalog, slug="empty", title="Empty", modules=0)
    ian = instructor_user()
    empty.instructors.set([ian])
    empty.save_revision().publish()
    enrolment_create(learner=UserFactory(), course=empty)
    client.force_login(ian)
    analytics = client.get(reverse("gradebook:analytics", args=[empty.pk]))
    assert analytics.status_code == 200
    assert [s.count for s in analytics.context["analytics"].funnel] == [1, 0, 0, 0, 0]
    gradebook = client.get(reverse("gradebook:course", args=[empty.pk]))
    assert gradebook.status_code == 200
    (row,) = gradebook.context["rows"]
    assert (row.lessons_done, row.lessons_total, row.percent) == (0, 0, 0)


def _failure_rows(course):
    return [
        (r.grade_id, r.runs, r.failures, r.learners_failing)
        for r in failing_tests(course=course, exercises=course_exercises(course=course))
    ]


def test_failure_rates_follow_a_regrade(course, rice_course, django_capture_on_commit_callbacks):
    assert _failure_rows(course) == [("rank_tests", 4, 2, 2), ("rice_tests", 4, 0, 0)]
    # The instructor fixes the ranking test: every regraded attempt now passes it.
    rice_course["engine"].rank_points = 3.0
    with django_capture_on_commit_callbacks(execute=True):
        exercise_regrade(exercise=rice_course["exercise"], by=None)
    assert _failure_rows(course) == [("rank_tests", 4, 0, 0), ("rice_tests", 4, 0, 0)]
    # A regrade that breaks it for everyone shows every run failing.
    rice_course["engine"].rank_points = 0.0
    with django_capture_on_commit_callbacks(execute=True):
        exercise_regrade(exercise=rice_course["exercise"], by=None)
    assert _failure_rows(course) == [("rank_tests", 4, 4, 3), ("rice_tests", 4, 0, 0)]


def test_failure_rates_follow_new_attempts_and_ignore_overrides(
    course, rice_course, django_capture_on_commit_callbacks
):
    cat_attempt = Submission.objects.get(learner=rice_course["cat"], kind="submit")
    with django_capture_on_commit_callbacks(execute=True):
        grade_override(
            submission=cat_attempt, new_score=6.0, reason="Ranking judged by hand.", by=None
        )
    # An override changes the score that counts, not what the tests found.
    assert _failure_rows(course) == [("rank_tests", 4, 2, 2), ("rice_tests", 4, 0, 0)]
    rice_course["engine"].rank_points = 3.0
    with django_capture_on_commit_callbacks(execute=True):
        _graded(rice_course["cat"], rice_course["exercise"], course, CORRECT)
    assert _failure_rows(course) == [("rank_tests", 5, 2, 2), ("rice_tests", 5, 0, 0)]


def test_failure_tallies_match_a_rebuild_from_every_report(course, rice_course):
    before = _failure_rows(course)
    ExerciseTestTally.objects.all().delete()
    assert _failure_rows(course) == []
    assert course_test_tallies_rebuild(course=course) == 6  # three learners × two measured tests
    assert _failure_rows(course) == before
    assert tallies_from_reports(
        [
            {
                "tests": [
                    {"grade_id": "a", "status": "passed"},
                    {"grade_id": "b", "status": "not_run"},
                    {"grade_id": "c", "status": "needs_review"},
                    {"grade_id": "d", "status": "skipped"},
                ]
            },
            {"tests": [{"grade_id": "a", "status": "partial"}]},
            None,
            {"message": "no tests"},
        ]
    ) == {"a": (2, 1), "b": (1, 1)}


def test_failure_rates_cost_one_query_whatever_the_submissions(
    course, rice_course, django_assert_num_queries, django_capture_on_commit_callbacks
):
    exercises = course_exercises(course=course)
    with django_assert_num_queries(1):
        failing_tests(course=course, exercises=exercises)
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            _graded(rice_course["ann"], rice_course["exercise"], course, PARTIAL)
    with django_assert_num_queries(1):
        rows = failing_tests(course=course, exercises=exercises)
    assert (rows[0].grade_id, rows[0].runs, rows[0].failures) == ("rank_tests", 7, 2)
