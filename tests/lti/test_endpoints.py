"""The LTI URLs for people who are not mid-launch: nothing answers 500, and the picker's
listing costs the same few queries however many courses there are."""

from __future__ import annotations

import pytest

from courses.models import CourseExercise
from lti.deep_linking import choices
from tests.factories import ExerciseFactory, course_tree

pytestmark = pytest.mark.django_db


def test_the_launch_url_takes_posts_only(client):
    assert client.get("/lti/launch/").status_code == 405


def test_a_launch_post_without_a_token_gets_the_refusal_page(client):
    response = client.post("/lti/launch/", {})

    assert response.status_code == 400
    assert "This link could not be opened" in response.content.decode()


def test_a_stranger_cannot_open_a_picker(client):
    response = client.get("/lti/deep-link/lti1p3-launch-guess/")

    assert response.status_code == 403
    assert "content picker has expired" in response.content.decode()


def test_the_picker_lists_courses_lessons_and_exercises_in_five_queries(
    catalog, django_assert_max_num_queries
):
    for n in range(3):
        course = course_tree(catalog, slug=f"c{n}", title=f"Course {n}", modules=2)
        CourseExercise.objects.create(
            course=course, exercise=ExerciseFactory(), title=f"Exercise {n}", max_points=5
        )

    # Courses, lessons and exercises, plus Wagtail's view restrictions read once per .public().
    with django_assert_max_num_queries(5):
        listed = choices()

    assert [choice.course.title for choice in listed] == ["Course 0", "Course 1", "Course 2"]
    assert [item.kind for item in listed[0].items] == ["course"] + ["lesson"] * 4 + ["exercise"]
    assert listed[0].items[-1].reference.startswith(f"exercise:{listed[0].course.pk}:")
