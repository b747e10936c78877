"""Course pages run a fixed, small number of queries whatever the size of the course.

Counts are exact and taken on the second request (per-process caches warm, as on a live site).
A logged-in request spends 2 of them outside the page's own code: the user (the session comes
from the cache (cached_db sessions), Wagtail's site and home page from courses.sites, and whether
a learner gets Wagtail's userbar from accounts.admin_access), and the header's count of unread
notifications (one COUNT over a partial index of unread rows: notifications.selectors.unread_count).
"""

import pytest
from django.test import override_settings

from courses.drafts import draft_save
from courses.models import LessonPage
from courses.services import enrolment_create, lesson_complete
from grading.services import submission_create, submission_grade
from tests.factories import UserFactory, course_tree, lesson_body, lessons_of
from tests.grading.submissions_support import CORRECT, PARTIAL, install_fake_engine, make_exercise

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
def test_an_enrolled_learner_reads_any_lesson_in_5_queries(
    client, learner_in_both, course_name, request, django_assert_num_queries
):
    course = request.getfixturevalue(course_name)
    client.force_login(learner_in_both)
    for lesson in (lessons_of(course)[1], lessons_of(course)[-1]):
        # user, unread notifications, lesson (view restrictions included), enrolment with
        # course and progress, completions and check answers in one union.
        assert_queries(client, lesson.url, 5, django_assert_num_queries)


def test_the_first_view_of_a_lesson_adds_only_the_write_of_the_learners_place(
    client, learner_in_both, big, django_assert_num_queries
):
    client.force_login(learner_in_both)
    lessons = lessons_of(big)
    client.get(lessons[3].url)
    with django_assert_num_queries(6):
        client.get(lessons[4].url)


def test_a_lesson_without_knowledge_checks_costs_the_same(
    client, catalog, django_assert_num_queries
):
    course = course_tree(catalog, slug="plain", title="Plain", checks_per_lesson=0)
    learner = UserFactory()
    enrolment_create(learner=learner, course=course)
    client.force_login(learner)
    assert_queries(client, lessons_of(course)[2].url, 5, django_assert_num_queries)


@pytest.mark.parametrize("course_name", ["small", "big"])
def test_course_pages(client, learner_in_both, course_name, request, django_assert_num_queries):
    course = request.getfixturevalue(course_name)
    # the course with its logo.
    assert_queries(client, course.url, 1, django_assert_num_queries)
    client.force_login(learner_in_both)
    # + user, unread notifications, enrolment, completions (whether the learner may edit the
    # course costs nothing), the course's exercises (which wait for review: courses.progress),
    # the announcements the learner may read.
    assert_queries(client, course.url, 7, django_assert_num_queries)


def test_a_module_page_redirects_to_its_course_outline(
    client, learner_in_both, big, django_assert_num_queries
):
    module_url = lessons_of(big)[0].get_parent().url
    # module, its course.
    assert_queries(client, module_url, 2, django_assert_num_queries, status=302)
    client.force_login(learner_in_both)
    # + user (a redirect renders no header).
    assert_queries(client, module_url, 3, django_assert_num_queries, status=302)


def test_catalog_home_and_dashboard(
    client, home, catalog, small, big, learner_in_both, django_assert_num_queries
):
    # catalog, the skills of the filter form; the course cards come from the cache.
    assert_queries(client, catalog.url, 2, django_assert_num_queries)
    assert_queries(client, f"{catalog.url}?level=beginner", 2, django_assert_num_queries)
    # the home page's view restrictions.
    assert_queries(client, home.url, 1, django_assert_num_queries)
    client.force_login(learner_in_both)
    # + user, unread notifications.
    assert_queries(client, catalog.url, 4, django_assert_num_queries)
    assert_queries(client, home.url, 3, django_assert_num_queries)
    # user, unread notifications, enrolments with courses and progress, lessons, completions,
    # certificates.
    assert_queries(client, "/dashboard/", 6, django_assert_num_queries)

    only_small = UserFactory()
    enrolment_create(learner=only_small, course=small)
    client.force_login(only_small)
    assert_queries(client, "/dashboard/", 6, django_assert_num_queries)


@override_settings(PMA_PAGE_CACHE=False)
@pytest.mark.parametrize("course_name", ["small", "big"])
def test_without_the_page_cache_counts_stay_fixed(
    client, home, catalog, learner_in_both, course_name, request, django_assert_num_queries
):
    course = request.getfixturevalue(course_name)
    client.force_login(learner_in_both)
    # + Wagtail's site and home page (courses.sites is part of the page cache), modules and
    # lessons of the course.
    assert_queries(client, lessons_of(course)[1].url, 9, django_assert_num_queries)
    # + site, home, modules, lessons, catalog (breadcrumbs), skills and instructors.
    assert_queries(client, course.url, 14, django_assert_num_queries)
    # + site, home, courses, their skills (no logos here, so no renditions query).
    assert_queries(client, catalog.url, 8, django_assert_num_queries)
    # + site, home, chosen featured courses (none), the newest instead, their skills, the
    # catalog link.
    assert_queries(client, home.url, 9, django_assert_num_queries)


@pytest.fixture
def exercise_lessons(small, big):
    """The first lesson of each course ends with the same notebook exercise."""
    exercise = make_exercise()
    for course in (small, big):
        lesson = lessons_of(course)[0]
        lesson.body = [
            *lesson_body(checks=1),
            {"type": "exercise", "value": {"exercise": exercise.pk}},
        ]
        lesson.save_revision().publish()
    return exercise


@pytest.mark.parametrize("course_name", ["small", "big"])
def test_a_lesson_with_an_exercise_adds_4_queries_however_many_submissions_or_drafts(
    client,
    learner_in_both,
    exercise_lessons,
    course_name,
    request,
    monkeypatch,
    django_assert_num_queries,
):
    install_fake_engine(monkeypatch)
    course = request.getfixturevalue(course_name)
    lesson = LessonPage.objects.get(pk=lessons_of(course)[0].pk)
    client.force_login(learner_in_both)
    # + the exercise with its current revision; the latest submission, the attempt that counts
    # and the number of attempts used in one query; the learner's extension; their draft of it.
    assert_queries(client, lesson.url, 9, django_assert_num_queries)

    for kind, answers in [
        ("submit", CORRECT),
        ("submit", PARTIAL),
        ("check", CORRECT),
        ("submit", CORRECT),
    ]:
        submission = submission_create(
            learner=learner_in_both,
            exercise=exercise_lessons,
            course_page=course,
            answers=answers,
            kind=kind,
        )
        submission_grade(submission_id=submission.pk, worker="w")
    draft_save(
        learner=learner_in_both,
        course=course,
        exercise=exercise_lessons,
        answers={"rice_answer": "# a draft\n"},
        base_version=4,
    )
    assert_queries(client, lesson.url, 9, django_assert_num_queries)
    assert "# a draft" in client.get(lesson.url).text
    assert "Unlimited attempts (3 used)" in client.get(lesson.url).text
