"""Course pages run a fixed, small number of queries whatever the size of the course.

Counts are exact and taken on the second request (per-process caches warm, as on a live site).
A logged-in request spends 4 of them before any page code runs: the session, the user and the
two permission queries of Wagtail's userbar; a Wagtail page 2 more on its site and home page.
"""

import pytest
from django.test import override_settings

from courses.services import enrolment_create, lesson_complete

from .factories import UserFactory, course_tree, lessons_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def small(catalog):
    return course_tree(catalog, slug="small", title="Small", modules=1, lessons_per_module=2)


@pytest.fixture
def big(catalog):
    return course_tree(catalog, slug="big", title="Big", modules=4, lessons_per_module=6)


@pytest.fixture
def learner_in_both(small, big):
    learner = UserFactory()
    for course in (small, big):
        enrolment_create(learner=learner, course=course)
        for lesson in lessons_of(course)[:2]:
            lesson_complete(learner=learner, lesson=lesson)
    return learner


def assert_queries(client, url, expected, django_assert_num_queries, status=200):
    client.get(url)
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == status


@pytest.mark.parametrize("course_name", ["small", "big"])
def test_an_enrolled_learner_reads_any_lesson_in_9_queries(
    client, learner_in_both, course_name, request, django_assert_num_queries
):
    course = request.getfixturevalue(course_name)
    client.force_login(learner_in_both)
    for lesson in (lessons_of(course)[1], lessons_of(course)[-1]):
        # session, user, site, home, lesson (view restrictions included), enrolment with course
        # and progress, completions and check answers in one union, the userbar's two.
        assert_queries(client, lesson.url, 9, django_assert_num_queries)


def test_the_first_view_of_a_lesson_adds_only_the_write_of_the_learners_place(
    client, learner_in_both, big, django_assert_num_queries
):
    client.force_login(learner_in_both)
    lessons = lessons_of(big)
    client.get(lessons[3].url)
    with django_assert_num_queries(10):
        client.get(lessons[4].url)


def test_a_lesson_without_knowledge_checks_costs_the_same(
    client, catalog, django_assert_num_queries
):
    course = course_tree(catalog, slug="plain", title="Plain", checks_per_lesson=0)
    learner = UserFactory()
    enrolment_create(learner=learner, course=course)
    client.force_login(learner)
    assert_queries(client, lessons_of(course)[2].url, 9, django_assert_num_queries)


@pytest.mark.parametrize("course_name", ["small", "big"])
def test_course_pages(client, learner_in_both, course_name, request, django_assert_num_queries):
    course = request.getfixturevalue(course_name)
    # site, home, course with its logo.
    assert_queries(client, course.url, 3, django_assert_num_queries)
    client.force_login(learner_in_both)
    # + session, user, enrolment, completions and the userbar's two (which also answer whether
    # the learner may edit the course).
    assert_queries(client, course.url, 9, django_assert_num_queries)


def test_a_module_page_redirects_to_its_course_outline(
    client, learner_in_both, big, django_assert_num_queries
):
    module_url = lessons_of(big)[0].get_parent().url
    # site, home, module, its course.
    assert_queries(client, module_url, 4, django_assert_num_queries, status=302)
    client.force_login(learner_in_both)
    assert_queries(client, module_url, 6, django_assert_num_queries, status=302)


def test_catalog_home_and_dashboard(
    client, home, catalog, small, big, learner_in_both, django_assert_num_queries
):
    # site, home, catalog, the skills of the filter form; the course cards come from the cache.
    assert_queries(client, catalog.url, 4, django_assert_num_queries)
    assert_queries(client, f"{catalog.url}?level=beginner", 4, django_assert_num_queries)
    # site, home, its view restrictions.
    assert_queries(client, home.url, 3, django_assert_num_queries)
    client.force_login(learner_in_both)
    assert_queries(client, catalog.url, 8, django_assert_num_queries)
    assert_queries(client, home.url, 7, django_assert_num_queries)
    # session, user, enrolments with courses and progress, lessons, completions, certificates,
    # site (for page URLs), the userbar's two.
    assert_queries(client, "/dashboard/", 9, django_assert_num_queries)

    only_small = UserFactory()
    enrolment_create(learner=only_small, course=small)
    client.force_login(only_small)
    assert_queries(client, "/dashboard/", 9, django_assert_num_queries)


@override_settings(PMA_PAGE_CACHE=False)
@pytest.mark.parametrize("course_name", ["small", "big"])
def test_without_the_page_cache_counts_stay_fixed(
    client, home, catalog, learner_in_both, course_name, request, django_assert_num_queries
):
    course = request.getfixturevalue(course_name)
    client.force_login(learner_in_both)
    # + modules and lessons of the course.
    assert_queries(client, lessons_of(course)[1].url, 11, django_assert_num_queries)
    # + modules, lessons, catalog (breadcrumbs), skills and instructors.
    assert_queries(client, course.url, 14, django_assert_num_queries)
    # + courses, their skills (no logos here, so no renditions query).
    assert_queries(client, catalog.url, 10, django_assert_num_queries)
    # + chosen featured courses (none), the newest instead, their skills, the catalog link.
    assert_queries(client, home.url, 11, django_assert_num_queries)
