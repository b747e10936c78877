"""A translation is presentation of its original, never a course of its own: nobody lists, teaches,
grades, enrols in or links to the German copy of a course (docs/translation.md)."""

import pytest
from django.urls import reverse

from courses.cohorts import staff_courses
from courses.gradebook import instructor_courses
from courses.models import CoursePage, originals
from lti.deep_linking import choices
from tests.courses.test_content_translation import translate

pytestmark = pytest.mark.django_db


@pytest.fixture
def copy(course):
    translate(course)
    return CoursePage.objects.exclude(pk=course.pk).get(translation_key=course.translation_key)


def test_only_the_original_counts_as_a_course(course, copy, instructor):
    assert list(originals(CoursePage.objects.all())) == [course]
    assert list(instructor_courses(user=instructor)) == [course]
    assert list(staff_courses(user=instructor)) == [course]


def test_the_copys_id_reaches_no_learner_page(learner_client, enrolled, course, copy):
    assert learner_client.get(reverse("course_grades", args=[course.pk])).status_code == 200
    assert learner_client.get(reverse("course_grades", args=[copy.pk])).status_code == 404


def test_the_copy_is_not_offered_to_an_lms(course, copy):
    assert [choice.course.pk for choice in choices()] == [course.pk]


def test_nobody_enrols_in_or_works_on_the_copy(learner_client, learner, course, copy):
    response = learner_client.post(reverse("course_enrol", args=[copy.pk]))
    assert response.status_code == 404
    assert not learner.enrolments.exists()
