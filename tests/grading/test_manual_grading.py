"""Manual grading: the queue, per-cell grades with rubrics and feedback, the audit, the final score,
progress and certificates waiting for it, and what the learner reads.

The RICE exercise is the real nbgrader notebook of tests/fixtures (its `explain_answer` is a
manually graded markdown answer worth 1 point); the engine is the fake one of submissions_support
(rice_tests 2/2, rank_tests 3/3, explain_answer waiting for review).
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certificates.models import Certificate
from courses.models import CourseProgress, Enrolment
from courses.services import enrolment_create, lesson_complete
from grading.models import (
    GradeOverride,
    ManualGrade,
    ManualGradeChange,
    ManualStatus,
    Submission,
)
from grading.selectors import submission_result
from grading.services import SubmissionRefused, grade_override, manual_grade_set, submission_create
from grading.services.regrades import submission_regrade
from notifications.models import Notification
from tests.factories import UserFactory, instructor_user, lessons_of

from .submissions_support import CORRECT

pytestmark = pytest.mark.django_db

RUBRIC = [
    {
        "type": "cell",
        "value": {
            "grade_id": "explain_answer",
            "criteria": [
                {
                    "title": "Names the feature",
                    "levels": [
                        {"label": "Named", "points": "0.5", "description": ""},
                        {"label": "Missing", "points": "0", "description": ""},
                    ],
                },
                {
                    "title": "Argues from the RICE score",
                    "levels": [
                        {"label": "Convincing", "points": "0.5", "description": "Uses reach."},
                        {"label": "Partial", "points": "0.25", "description": ""},
                    ],
                },
            ],
        },
    }
]


def submit(learner, exercise, course, capture, answers=CORRECT) -> Submission:
    with capture(execute=True):
        submission = submission_create(
            learner=learner, exercise=exercise, course_page=course, answers=answers, kind="submit"
        )
    submission.refresh_from_db()
    return submission


@pytest.fixture
def waiting(enrolled, exercise, course, fake_engine, django_capture_on_commit_callbacks):
    return submit(enrolled, exercise, course, django_capture_on_commit_callbacks)


def grade_url(submission, grade_id="explain_answer"):
    return reverse("review:grade", args=[submission.pk, grade_id])


# The score while waiting, and once graded -------------------------------------------------------


def test_a_submission_with_a_manual_cell_waits_with_the_auto_graded_part_as_provisional_score(
    waiting,
):
    assert waiting.manual_status == ManualStatus.PENDING
    assert waiting.needs_review is True
    assert (waiting.score, waiting.max_score) == (Decimal(5), Decimal(6))
    result = submission_result(submission=waiting)
    assert result.provisional is True
    line = next(t for t in result.tests if t.grade_id == "explain_answer")
    assert (line.waiting, str(line.status_label), line.feedback) == (
        True,
        "Waiting for your instructor",
        "",
    )


def test_grading_the_last_cell_over_http_makes_the_score_final_and_recounts_progress(
    client, instructor, waiting, django_capture_on_commit_callbacks
):
    progress = CourseProgress.objects.get(enrolment__learner=waiting.learner)
    assert progress.exercise_points == Decimal("8.333333")  # 5 of 6 of the course's 10 points
    client.force_login(instructor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            grade_url(waiting), {"points": "1", "feedback": "Clear.\nWell argued."}
        )
    assert response.status_code == 302
    # The last cell: back to the top of the page, where the message and "Next" are.
    assert response["Location"] == reverse("review:submission", args=[waiting.pk])
    waiting.refresh_from_db()
    assert (waiting.manual_status, waiting.needs_review, waiting.score) == (
        ManualStatus.GRADED,
        False,
        Decimal(6),
    )
    grade = ManualGrade.objects.get()
    assert (grade.points, grade.max_points, grade.feedback, grade.graded_by) == (
        Decimal(1),
        Decimal(1),
        "Clear.\nWell argued.",
        instructor,
    )
    change = ManualGradeChange.objects.get()
    assert (change.old_points, change.new_points, change.new_feedback, change.by) == (
        None,
        Decimal(1),
        "Clear.\nWell argued.",
        instructor,
    )
    progress.refresh_from_db()
    assert progress.exercise_points == Decimal(10)
    # The learner is told once, in the site and by e-mail (notifications).
    told = Notification.objects.get(recipient=waiting.learner)
    assert (told.kind, told.title, told.url) == (
        "review_graded",
        "Your instructor graded “RICE scoring”",
        reverse("submission_detail", args=[waiting.pk]),
    )
    assert "6 of 6 points" in told.body


def test_points_over_the_cells_maximum_are_refused_with_a_clear_message_and_nothing_stored(
    client, instructor, waiting
):
    client.force_login(instructor)
    response = client.post(grade_url(waiting), {"points": "1.5", "feedback": "Kept"}, follow=True)
    html = response.content.decode()
    assert "The points for “explain_answer” must be between 0 and 1." in html
    # Beside the cell, too, not only at the top of a long page.
    assert 'role="alert">The points for “explain_answer” must be between 0 and 1.</p>' in html
    # What the grader typed comes back in the form.
    assert ">Kept</textarea>" in html and 'value="1.5"' in html
    assert ManualGrade.objects.count() == 0 and ManualGradeChange.objects.count() == 0
    for bad in ("-1", "abc", "nan"):
        with pytest.raises(SubmissionRefused):
            manual_grade_set(
                submission=waiting, grade_id="explain_answer", points=bad, feedback="", by=None
            )
    with pytest.raises(SubmissionRefused, match="not a manually graded cell"):
        manual_grade_set(
            submission=waiting, grade_id="rice_tests", points="1", feedback="", by=None
        )
    waiting.refresh_from_db()
    assert waiting.manual_status == ManualStatus.PENDING


def test_every_change_is_audited_and_a_later_change_moves_the_final_score(
    instructor, waiting, django_capture_on_commit_callbacks
):
    other = instructor_user(username="second-grader")
    with django_capture_on_commit_callbacks(execute=True):
        manual_grade_set(
            submission=waiting,
            grade_id="explain_answer",
            points="1",
            feedback="Good",
            by=instructor,
        )
        manual_grade_set(
            submission=waiting, grade_id="explain_answer", points="1", feedback="Good", by=other
        )  # unchanged: no audit row
        manual_grade_set(
            submission=waiting,
            grade_id="explain_answer",
            points="1/2",
            feedback="Half: no reach.",
            by=other,
        )
    changes = list(ManualGradeChange.objects.order_by("pk"))
    assert [
        (c.old_points, c.new_points, c.old_feedback, c.new_feedback, c.by) for c in changes
    ] == [
        (None, Decimal(1), "", "Good", instructor),
        (Decimal(1), Decimal("0.5"), "Good", "Half: no reach.", other),
    ]
    waiting.refresh_from_db()
    assert waiting.score == Decimal("5.5")
    assert Notification.objects.filter(kind="review_graded").count() == 1  # at completion only
    progress = CourseProgress.objects.get(enrolment__learner=waiting.learner)
    assert progress.exercise_points == Decimal("9.166667")
    with pytest.raises(ValueError, match="append-only"):
        changes[0].save()
    with pytest.raises(ValueError, match="append-only"):
        changes[0].delete()


def test_rubric_levels_add_up_to_the_points_and_stay_as_they_read(
    client, instructor, exercise, waiting
):
    exercise.rubrics = RUBRIC
    exercise.save()
    client.force_login(instructor)
    page = client.get(reverse("review:submission", args=[waiting.pk])).content.decode()
    assert "Argues from the RICE score" in page and "Uses reach." in page
    client.post(grade_url(waiting), {"level-0": "0", "level-1": "1", "points": "", "feedback": ""})
    grade = ManualGrade.objects.get()
    assert grade.points == Decimal("0.75")
    assert grade.rubric_levels == [
        {"criterion": "Names the feature", "level": "Named", "points": "0.5"},
        {"criterion": "Argues from the RICE score", "level": "Partial", "points": "0.25"},
    ]
    # The instructor may still give other points than the levels' sum, within the cell's max.
    client.post(grade_url(waiting), {"level-0": "0", "level-1": "0", "points": "0.9"})
    grade.refresh_from_db()
    assert grade.points == Decimal("0.9")
    # A level that does not exist is refused.
    response = client.post(grade_url(waiting), {"level-0": "7", "points": ""}, follow=True)
    assert "The rubric has changed" in response.content.decode()


def test_the_exercise_admin_checks_rubrics_against_the_manual_cells(client, instructor, exercise):
    from wagtail.test.utils.form_data import nested_form_data, streamfield

    client.force_login(instructor)

    def post(rubric_cell):
        data = nested_form_data(
            {
                "title": exercise.title,
                "slug": exercise.slug,
                "instructions": "",
                "score_policy": "best",
                "cooldown_seconds": "0",
                "rubrics": streamfield([("cell", rubric_cell)]),
            }
        )
        return client.post(reverse("exercises:edit", args=[exercise.pk]), data)

    def cell(grade_id, points):
        level = {"label": "Top", "points": points, "description": ""}
        criterion = {"title": "Clarity", "levels": streamfield_list([level])}
        return {"grade_id": grade_id, "criteria": streamfield_list([criterion])}

    refused = post(cell("rank_tests", "1")).content.decode()
    assert "is not a manually graded cell of the current notebook" in refused
    assert "explain_answer" in refused
    too_many = post(cell("explain_answer", "2")).content.decode()
    assert "can award 2 points, but the cell is worth 1" in too_many
    exercise.refresh_from_db()
    assert list(exercise.rubrics) == []
    assert post(cell("explain_answer", "1")).status_code == 302
    exercise.refresh_from_db()
    assert exercise.rubric_for("explain_answer")[0]["title"] == "Clarity"


def streamfield_list(items):
    """A ListBlock's form data: a count, then each item's value, order, id and deleted flag."""
    return {
        "count": str(len(items)),
        **{
            str(i): {"value": item, "deleted": "", "order": str(i), "id": f"item-{i}"}
            for i, item in enumerate(items)
        },
    }


# Overrides, regrades -----------------------------------------------------------------------------


def test_an_override_still_wins_and_the_learner_then_does_not_wait(
    instructor, waiting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        grade_override(submission=waiting, new_score="3", reason="Plagiarised tests", by=instructor)
    waiting.refresh_from_db()
    assert waiting.counted_score == Decimal(3)
    assert waiting.awaiting_review is False
    progress = CourseProgress.objects.get(enrolment__learner=waiting.learner)
    assert progress.exercise_points == Decimal(5)
    manual_grade_set(
        submission=waiting, grade_id="explain_answer", points="1", feedback="", by=instructor
    )
    waiting.refresh_from_db()
    assert (waiting.score, waiting.counted_score) == (Decimal(6), Decimal(3))
    assert GradeOverride.objects.count() == 1


def test_a_regrade_keeps_the_manual_grades_of_unchanged_cells(
    instructor, waiting, fake_engine, django_capture_on_commit_callbacks
):
    manual_grade_set(
        submission=waiting, grade_id="explain_answer", points="1", feedback="Yes", by=instructor
    )
    fake_engine.rank_points = 1.5
    with django_capture_on_commit_callbacks(execute=True):
        submission_regrade(submission=waiting, by=instructor)
    waiting.refresh_from_db()
    assert (waiting.manual_status, waiting.score) == (ManualStatus.GRADED, Decimal("4.5"))


# Progress and certificates wait ------------------------------------------------------------------


def test_a_course_is_not_completed_while_the_counted_submission_waits_for_review(
    client, instructor, enrolled, course, exercise, fake_engine, django_capture_on_commit_callbacks
):
    course.pass_exercise_percent = 100
    course.save_revision().publish()
    with django_capture_on_commit_callbacks(execute=True):
        for lesson in lessons_of(course):
            lesson_complete(learner=enrolled, lesson=lesson)
    waiting = submit(enrolled, exercise, course, django_capture_on_commit_callbacks)
    progress = CourseProgress.objects.get(enrolment__learner=enrolled)
    assert progress.completed_at is None
    assert Certificate.objects.count() == 0

    client.force_login(enrolled)
    page = client.get(course.url).content.decode()
    assert "Waiting for your instructor: RICE scoring is graded by hand." in page

    client.force_login(instructor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(grade_url(waiting), {"points": "1", "feedback": ""})
    progress.refresh_from_db()
    assert progress.completed_at is not None
    assert progress.exercise_points == Decimal(10)
    certificate = Certificate.objects.get()
    assert certificate.final_percent == progress.percent
    client.force_login(enrolled)
    assert "Waiting for your instructor" not in client.get(course.url).content.decode()


def test_a_waiting_attempt_that_cannot_count_under_the_last_attempt_policy_does_not_hold_the_course(
    enrolled, course, exercise, fake_engine, django_capture_on_commit_callbacks
):
    from grading.reviews import exercises_awaiting_review

    exercise.score_policy = "last"
    exercise.save()
    first = submit(enrolled, exercise, course, django_capture_on_commit_callbacks)
    manual_grade_set(submission=first, grade_id="explain_answer", points="1", feedback="", by=None)
    second = submit(enrolled, exercise, course, django_capture_on_commit_callbacks)
    ids = {"learner_id": enrolled.pk, "course_page_id": course.pk, "exercise_ids": [exercise.pk]}
    assert exercises_awaiting_review(**ids) == {exercise.pk}  # the last attempt waits
    manual_grade_set(submission=second, grade_id="explain_answer", points="0", feedback="", by=None)
    assert exercises_awaiting_review(**ids) == set()


# What the learner reads --------------------------------------------------------------------------


def test_the_learner_reads_per_cell_points_and_feedback_as_escaped_text_once_graded(
    client, instructor, enrolled, waiting, exercise, course
):
    url = reverse("submission_detail", args=[waiting.pk])
    client.force_login(enrolled)
    before = client.get(url).content.decode()
    assert "Provisional: waiting for your instructor" in before
    assert "Waiting for your instructor" in before

    manual_grade_set(
        submission=waiting,
        grade_id="explain_answer",
        points="1",
        feedback="<script>alert(1)</script>\nSecond line",
        by=instructor,
    )
    after = client.get(url).content.decode()
    assert "<script>alert(1)</script>" not in after
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>Second line" in after
    assert "Provisional" not in after
    assert "6 / 6 points" in after


# The queue: who may see it, what it lists, its query count ---------------------------------------


def test_every_review_url_is_refused_to_anonymous_learners_and_other_courses_instructors(
    client, enrolled, waiting, exercise, other_course
):
    urls = [
        reverse("review:index"),
        reverse("review:exercise", args=[exercise.pk]),
        reverse("review:next", args=[exercise.pk]),
        reverse("review:submission", args=[waiting.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 302  # to the admin login
    assert client.post(grade_url(waiting), {"points": "1"}).status_code == 302
    client.force_login(enrolled)
    for url in urls:
        assert client.get(url).status_code in (302, 403)
    assert client.post(grade_url(waiting), {"points": "1"}).status_code in (302, 403)

    stranger = instructor_user(username="other-instructor")
    other_course.instructors.add(stranger)
    other_course.save_revision().publish()
    client.force_login(stranger)
    assert client.get(reverse("review:index")).context["exercises"] == []
    queue = client.get(reverse("review:exercise", args=[exercise.pk]))
    assert queue.context["submissions"] == [] and queue.context["total"] == 0
    assert client.get(reverse("review:submission", args=[waiting.pk])).status_code == 404
    assert client.post(grade_url(waiting), {"points": "1"}).status_code == 404
    assert ManualGrade.objects.count() == 0


def test_the_queue_lists_waiting_submissions_oldest_first_and_next_goes_through_them(
    client, instructor, course, exercise, waiting, fake_engine, django_capture_on_commit_callbacks
):
    later = UserFactory(username="grace", email="grace@example.org")
    enrolment_create(learner=later, course=course)
    second = submit(later, exercise, course, django_capture_on_commit_callbacks)
    client.force_login(instructor)
    index = client.get(reverse("review:index"))
    assert [(row.title, row.waiting) for row in index.context["exercises"]] == [("RICE scoring", 2)]
    queue = client.get(reverse("review:exercise", args=[exercise.pk]))
    assert queue.context["submissions"] == [waiting, second]

    first = client.get(reverse("review:next", args=[exercise.pk]))
    assert first["Location"] == reverse("review:submission", args=[waiting.pk])
    page = client.get(first["Location"]).content.decode()
    # The learner's markdown answer, rendered, and the question above the cell.
    assert "Dark mode: it reaches the most people for the least effort." in page
    assert "Which feature would you build first" in page
    following = client.get(reverse("review:next", args=[exercise.pk]) + f"?after={waiting.pk}")
    assert following["Location"] == reverse("review:submission", args=[second.pk])
    client.post(grade_url(waiting), {"points": "1"})
    client.post(grade_url(second), {"points": "0"})
    done = client.get(reverse("review:next", args=[exercise.pk]))
    assert done["Location"] == reverse("review:exercise", args=[exercise.pk])
    assert client.get(reverse("review:index")).context["exercises"] == []


def test_the_learners_answer_is_shown_as_text_never_as_markup(
    client, instructor, enrolled, exercise, course, fake_engine, django_capture_on_commit_callbacks
):
    hostile = {
        **CORRECT,
        "explain_answer": '<script>alert("x")</script><img src=x onerror=alert(1)>',
    }
    submission = submit(enrolled, exercise, course, django_capture_on_commit_callbacks, hostile)
    client.force_login(instructor)
    page = client.get(reverse("review:submission", args=[submission.pk])).content.decode()
    assert '<script>alert("x")</script>' not in page
    assert "onerror" not in page


def test_the_cohort_filter_narrows_the_queue_to_one_cohort(
    client,
    instructor,
    course,
    other_course,
    exercise,
    waiting,
    fake_engine,
    django_capture_on_commit_callbacks,
):
    from courses.models import Cohort

    morning = Cohort.objects.create(course=course, name="Morning")
    Cohort.objects.create(course=course, name="Evening")
    foreign = Cohort.objects.create(course=other_course, name="Theirs")
    later = UserFactory(username="grace", email="grace@example.org")
    enrolment_create(learner=later, course=course)
    Enrolment.objects.filter(learner=later, course=course).update(cohort=morning)
    second = submit(later, exercise, course, django_capture_on_commit_callbacks)
    client.force_login(instructor)
    url = reverse("review:exercise", args=[exercise.pk])
    everyone = client.get(url)
    assert everyone.context["submissions"] == [waiting, second]
    [cohort_filter] = everyone.context["filters"]
    assert cohort_filter["choices"] == [
        (str(c.pk), f"Prioritisation — {c.name}")
        for c in Cohort.objects.filter(course=course).order_by("name")
    ]
    assert client.get(url, {"cohort": morning.pk}).context["submissions"] == [second]
    assert client.get(url, {"cohort": foreign.pk}).status_code == 404
    nxt = client.get(reverse("review:next", args=[exercise.pk]), {"cohort": morning.pk})
    assert (
        nxt["Location"] == reverse("review:submission", args=[second.pk]) + f"?cohort={morning.pk}"
    )


def test_the_queue_page_reads_a_constant_number_of_queries(
    client, instructor, course, exercise, fake_engine, django_capture_on_commit_callbacks
):
    def learners(n, start):
        for i in range(start, start + n):
            learner = UserFactory(username=f"learner{i}", email=f"learner{i}@example.org")
            enrolment_create(learner=learner, course=course)
            submit(learner, exercise, course, django_capture_on_commit_callbacks)

    client.force_login(instructor)
    url = reverse("review:exercise", args=[exercise.pk])
    learners(2, 0)
    client.get(url)  # warm the permission caches the way every later request finds them
    with CaptureQueriesContext(connection) as two:
        assert len(client.get(url).context["submissions"]) == 2
    learners(8, 2)
    with CaptureQueriesContext(connection) as ten:
        assert len(client.get(url).context["submissions"]) == 10
    assert len(ten.captured_queries) == len(two.captured_queries)


def test_grading_a_cell_without_a_csrf_token_is_refused_and_stores_nothing(instructor, waiting):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(instructor)
    assert client.post(grade_url(waiting), {"points": "1"}).status_code == 403
    assert ManualGrade.objects.count() == 0
