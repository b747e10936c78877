"""The gradebook, its CSV and the analytics filtered by cohort, within the reader's scope: a
course instructor reads every cohort, a cohort instructor their cohorts alone, nobody another
course; and the cohort-filtered page keeps a constant query count."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses.models import CourseExercise
from courses.services import enrolment_create, exercise_score_record
from tests.courses.cohort_support import cohort_instructor, cohorts_of, other_course
from tests.factories import ExerciseFactory, UserFactory, course_tree, instructor_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def classes(course):
    spring, autumn = cohorts_of(course)
    exercise = ExerciseFactory(slug="rice")
    CourseExercise.objects.create(
        course=course, exercise=exercise, title="RICE", max_points=Decimal(10)
    )
    people = {}
    for name, cohort, points in (
        ("Ada", spring, "10"),
        ("Bob", spring, "2"),
        ("Cy", autumn, "5"),
        ("Dee", None, "7"),
    ):
        person = UserFactory(certificate_name=name, email=f"{name.lower()}@example.org")
        enrolment_create(learner=person, course=course, cohort=cohort)
        exercise_score_record(
            learner=person,
            course=course,
            exercise=exercise,
            points=Decimal(points),
            max_points=Decimal(10),
        )
        people[name] = person
    return spring, autumn, people


def _names(response):
    return [row.name for row in response.context["rows"]]


def _csv_names(response):
    body = b"".join(response.streaming_content).decode()
    return [row[0] for row in list(csv.reader(io.StringIO(body)))[1:]]


def test_a_course_instructor_filters_by_any_cohort(client, instructor, course, classes):
    spring, autumn, _people = classes
    client.force_login(instructor)
    url = reverse("gradebook:course", args=[course.pk])
    assert _names(client.get(url)) == ["Ada", "Bob", "Cy", "Dee"]
    page = client.get(url, {"cohort": spring.pk})
    assert _names(page) == ["Ada", "Bob"]
    assert [row.cohort_name for row in page.context["rows"]] == ["Spring", "Spring"]
    assert 'name="cohort"' in page.text
    csv_url = reverse("gradebook:csv", args=[course.pk])
    assert _csv_names(client.get(csv_url, {"cohort": autumn.pk})) == ["Cy"]
    analytics = client.get(reverse("gradebook:analytics", args=[course.pk]), {"cohort": spring.pk})
    data = analytics.context["analytics"]
    assert data.enrolled == 2
    assert [b.count for b in data.distributions[0].buckets if b.count] == [1, 1]
    assert (
        client.get(reverse("gradebook:analytics", args=[course.pk])).context["analytics"].enrolled
        == 4
    )


def test_a_cohort_instructor_reads_only_their_cohort(client, course, classes):
    spring, autumn, _people = classes
    client.force_login(cohort_instructor(spring))
    url = reverse("gradebook:course", args=[course.pk])
    assert _names(client.get(url)) == ["Ada", "Bob"]
    # Asking for another cohort is not a choice they have: they see their own, never Autumn's.
    assert _names(client.get(url, {"cohort": autumn.pk})) == ["Ada", "Bob"]
    csv_url = reverse("gradebook:csv", args=[course.pk])
    assert _csv_names(client.get(csv_url)) == ["Ada", "Bob"]
    assert _csv_names(client.get(csv_url, {"cohort": autumn.pk})) == ["Ada", "Bob"]
    analytics = client.get(reverse("gradebook:analytics", args=[course.pk])).context["analytics"]
    assert analytics.enrolled == 2
    index = client.get(reverse("gradebook:index")).context["summaries"]
    assert [(s.course, s.active) for s in index] == [(course, 2)]


def test_nobody_reads_another_courses_cohorts(client, catalog, course, classes):
    spring, _autumn, _people = classes
    theirs = other_course(catalog)
    client.force_login(theirs.instructors.get())
    for name in ("course", "csv", "analytics"):
        url = reverse(f"gradebook:{name}", args=[course.pk])
        assert client.get(url, {"cohort": spring.pk}).status_code == 404


def _count(client, url, query):
    client.get(url, query)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, query)
    assert response.status_code == 200
    return len(queries), response


def test_the_cohort_filtered_gradebook_keeps_a_constant_query_count(client, catalog):
    ian = instructor_user()
    counts = []
    for size, slug in ((3, "small"), (30, "big")):
        course = course_tree(catalog, slug=slug, title=slug, modules=1, lessons_per_module=2)
        course.instructors.set([ian])
        course.save_revision().publish()
        spring, _autumn = cohorts_of(course)
        exercise = ExerciseFactory(slug=f"ex-{slug}")
        CourseExercise.objects.create(course=course, exercise=exercise, title="Ex", max_points=10)
        for _ in range(size):
            person = UserFactory()
            enrolment_create(learner=person, course=course, cohort=spring)
            exercise_score_record(
                learner=person, course=course, exercise=exercise, points=3, max_points=6
            )
        client.force_login(ian)
        n, response = _count(
            client, reverse("gradebook:course", args=[course.pk]), {"cohort": spring.pk}
        )
        assert len(response.context["rows"]) == min(size, 50)
        counts.append(n)
    assert counts[0] == counts[1]
    # A cohort instructor's page costs the same, plus the lookup of their cohorts.
    client.force_login(cohort_instructor(spring))
    n, response = _count(client, reverse("gradebook:course", args=[course.pk]), {})
    assert len(response.context["rows"]) == 30
    assert n <= counts[1] + 2
    print(f"cohort-filtered gradebook: {counts[0]} queries at 3 and at 30 learners")
