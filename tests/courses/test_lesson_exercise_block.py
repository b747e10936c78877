"""A lesson's exercise block embeds the grading panel for the learner, in the lesson itself."""

import pytest

from courses.models import LessonPage
from tests.factories import lesson_body, lessons_of
from tests.grading.submissions_support import make_exercise

pytestmark = pytest.mark.django_db


@pytest.fixture
def exercise_lesson(course):
    exercise = make_exercise()
    lesson = lessons_of(course)[0]
    lesson.body = [*lesson_body(checks=0), {"type": "exercise", "value": {"exercise": exercise.pk}}]
    lesson.save_revision().publish()
    return LessonPage.objects.get(pk=lesson.pk), exercise


def test_an_enrolled_learner_works_on_the_exercise_inside_the_lesson(
    client, enrolled, course, exercise_lesson
):
    lesson, exercise = exercise_lesson
    client.force_login(enrolled)

    html = client.get(lesson.url).content.decode()

    assert f"Exercise: {exercise.title}" in html
    assert 'name="answer-rice_answer"' in html and 'data-editor="python"' in html
    assert "vendor/codemirror/lib/codemirror.js" in html and "vendor/htmx/htmx.min.js" in html
    assert f"/courses/{course.pk}/exercises/{exercise.pk}/submit/" in html


def test_lessons_without_an_exercise_load_no_editor_assets(client, enrolled, course):
    client.force_login(enrolled)

    html = client.get(lessons_of(course)[1].url).content.decode()

    assert "codemirror" not in html and "Exercise:" not in html


def test_the_exercise_block_costs_a_fixed_number_of_queries(
    client, enrolled, course, exercise_lesson, django_assert_num_queries
):
    lesson, _exercise = exercise_lesson
    client.force_login(enrolled)
    client.get(lesson.url)

    # 5 for the lesson page itself (see test_query_budget.py), 4 for the exercise with its
    # revision, the learner's submissions, their extension and their draft.
    with django_assert_num_queries(9):
        response = client.get(lesson.url)

    assert response.status_code == 200
