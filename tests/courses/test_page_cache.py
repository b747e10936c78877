"""The page cache serves shared parts of course pages, never one learner's state to another,
and every publish, unpublish, move or delete shows on the next request."""

import pytest
from django.test import override_settings
from wagtail.models import PageViewRestriction

from courses.caching import pages_generation
from courses.models import LessonPage
from courses.services import enrolment_create, knowledge_check_answer, lesson_complete
from tests.factories import UserFactory, check_block, course_tree, lesson_body, lessons_of

pytestmark = pytest.mark.django_db


def html(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def republish(page, **changes):
    page = page.specific_class.objects.get(pk=page.pk)
    for name, value in changes.items():
        setattr(page, name, value)
    page.save_revision().publish()
    return page


def test_a_published_change_to_a_lesson_shows_at_once(client, enrolled, course):
    lesson = lessons_of(course)[0]
    client.force_login(enrolled)
    assert "Text of lesson 1.1." in html(client, lesson.url)

    republish(lesson, body=lesson_body(text="Rewritten text."), title="Renamed lesson")

    page = html(client, lesson.url)
    assert "Rewritten text." in page and "Text of lesson 1.1." not in page
    assert "Renamed lesson" in html(client, lessons_of(course)[1].url)  # in the outline
    assert "Renamed lesson" in html(client, course.url)


def test_unpublished_moved_and_deleted_lessons_leave_the_navigation(client, enrolled, course):
    first, second, third, fourth = lessons_of(course)
    client.force_login(enrolled)
    assert "Lesson 1.2" in html(client, first.url)

    second.unpublish()
    page = html(client, first.url)
    assert "Lesson 1.2" not in page and "Lesson 1 of 3" in page

    fourth.move(first.get_parent(), pos="last-child")
    assert "Lesson 2.2" in html(client, course.url).split("Module 2")[0]

    LessonPage.objects.get(pk=third.pk).delete()
    assert "Lesson 2.1" not in html(client, course.url)


def test_one_learners_answers_and_progress_never_show_to_another(client, course):
    lesson = lessons_of(course)[0]
    check = lesson.knowledge_check(lesson.body[1].id)
    right = [option.id for option in check.value["options"].bound_blocks][0]
    ann, bob = UserFactory(), UserFactory()
    for person in (ann, bob):
        enrolment_create(learner=person, course=course)
    knowledge_check_answer(
        learner=ann, lesson=lesson, block_id=check.id, selected_option_ids=[right]
    )
    lesson_complete(learner=ann, lesson=lesson)

    client.force_login(ann)
    page = html(client, lesson.url)
    assert "<strong>Correct.</strong>" in page and "You completed this lesson." in page
    assert "Course progress: 25%" in page  # one of four lessons, one of four checks

    client.force_login(bob)
    page = html(client, lesson.url)
    assert "<strong>Correct.</strong>" not in page and "checked" not in page
    assert "You completed this lesson." not in page and "Mark lesson as complete" in page
    assert "Course progress: 0%" in page


def test_a_new_knowledge_check_is_personal_at_once(client, enrolled, course):
    lesson = lessons_of(course)[0]
    client.force_login(enrolled)
    html(client, lesson.url)
    republish(lesson, body=[*lesson_body(checks=0), check_block(question="A brand new question?")])
    assert "A brand new question?" in html(client, lesson.url)


def test_catalog_cards_and_home_follow_publishing(client, home, catalog, course):
    assert "Foundations" in html(client, catalog.url)
    other = course_tree(
        catalog, slug="other", title="Other course", modules=1, lessons_per_module=1
    )
    assert "Other course" in html(client, catalog.url)
    assert "Other course" in html(client, home.url)
    other.unpublish()
    assert "Other course" not in html(client, catalog.url)
    assert "Other course" not in html(client, home.url)


def test_the_home_page_varies_on_being_logged_in(client, home, learner):
    assert "Create a free account" in html(client, home.url)
    client.force_login(learner)
    page = html(client, home.url)
    assert "Go to your dashboard" in page and "Create a free account" not in page


def test_publishing_starts_a_new_generation(course):
    before = pages_generation()
    republish(lessons_of(course)[0], title="Again")
    assert pages_generation() > before


@override_settings(PMA_PAGE_CACHE=False)
def test_with_the_cache_off_pages_render_the_same(client, enrolled, course):
    client.force_login(enrolled)
    page = html(client, lessons_of(course)[0].url)
    assert "Text of lesson 1.1." in page and "Question 1?" in page
    assert "Lesson 1 of 4" in page and "Next: Lesson 1.2" in page


def test_view_restrictions_still_apply_to_routed_and_listed_pages(client, catalog, course):
    assert "Foundations" in html(client, catalog.url)
    PageViewRestriction.objects.create(page=course, restriction_type=PageViewRestriction.LOGIN)

    response = client.get(course.url)
    assert (
        response.status_code == 302 and "login/?next=/courses/foundations/" in response["Location"]
    )
    assert client.get(lessons_of(course)[0].url).status_code == 302
    assert "Foundations" not in html(client, catalog.url)
