"""The lesson page and the dashboard run the same number of queries whatever the course size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.services import enrolment_create, lesson_complete

from .factories import UserFactory, course_tree, lessons_of


def _count(client, url):
    client.get(url)  # warm per-process caches (site root paths, content types)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_lesson_page_and_dashboard_queries_do_not_grow_with_lessons(
    client, catalog, django_assert_max_num_queries
):
    small = course_tree(catalog, slug="small", title="Small", modules=1, lessons_per_module=2)
    big = course_tree(catalog, slug="big", title="Big", modules=3, lessons_per_module=5)
    learner = UserFactory()
    for course in (small, big):
        enrolment_create(learner=learner, course=course)
        for lesson in lessons_of(course)[:2]:
            lesson_complete(learner=learner, lesson=lesson)
    client.force_login(learner)

    small_lesson = _count(client, lessons_of(small)[1].url)
    big_lesson = _count(client, lessons_of(big)[1].url)
    assert small_lesson == big_lesson
    last_big = lessons_of(big)[-1].url
    assert _count(client, last_big) == small_lesson
    with django_assert_max_num_queries(small_lesson):
        client.get(last_big)

    only_small = UserFactory()
    enrolment_create(learner=only_small, course=small)
    client.force_login(only_small)
    small_dashboard = _count(client, "/dashboard/")
    client.force_login(learner)
    both_dashboard = _count(client, "/dashboard/")
    assert both_dashboard == small_dashboard
    print(f"lesson page: {small_lesson} queries; dashboard: {small_dashboard} queries")
