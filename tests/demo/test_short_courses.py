"""The two short demo courses: finished courses a visitor can take, not placeholders.

Loaded once for the module inside a transaction rolled back at the end, as in
test_flagship_course.py; each test runs in its own savepoint on top of it.
"""

import html
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction

from courses.blocks import knowledge_checks_in
from courses.models import CoursePage, LessonPage, ModulePage
from courses.services import enrolment_create, knowledge_check_answer, lesson_complete
from demo.content import SMALL_COURSES
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SEED = Path("/work/shared/seed/000_1dbb4fe1bcd7c300.txt")
SPECS = {spec.slug: spec for spec in SMALL_COURSES}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        call_command("load_demo", stdout=StringIO())
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


def _text(response) -> str:
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(body))


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower().replace("\u2019", "'"))


@pytest.mark.parametrize("slug", list(SPECS))
def test_each_short_course_has_modules_of_lessons_each_with_a_check(demo, slug):
    course = CoursePage.objects.live().get(slug=slug)
    spec = SPECS[slug]
    modules = list(ModulePage.objects.child_of(course).live())
    assert [m.slug for m in modules] == [m.slug for m in spec.modules]
    lessons = list(LessonPage.objects.live().descendant_of(course).order_by("path"))
    assert len(lessons) >= 3
    assert [lesson.slug for lesson in lessons] == [
        lesson.slug for module in spec.modules for lesson in module.lessons
    ]
    for lesson in lessons:
        checks = knowledge_checks_in(lesson.body)
        assert lesson.knowledge_check_count == len(checks) >= 1, lesson.slug
        assert lesson.required
        for check in checks:
            options = [bound.value for bound in check.value["options"].bound_blocks]
            assert len(options) >= 2
            assert 1 <= sum(o["is_correct"] for o in options) < len(options), lesson.slug
            assert all(len(o["feedback"]) >= 20 for o in options), check.value["question"]
    assert "What it takes to pass" in course.description
    assert len(course.outcome_list) >= 3


@pytest.mark.parametrize("slug", list(SPECS))
def test_every_lesson_renders_its_topics_and_check_for_an_enrolled_learner(client, demo, slug):
    course = CoursePage.objects.get(slug=slug)
    learner = UserFactory()
    enrolment_create(learner=learner, course=course)
    client.force_login(learner)
    for module in SPECS[slug].modules:
        for spec in module.lessons:
            lesson = LessonPage.objects.descendant_of(course).get(slug=spec.slug)
            response = client.get(lesson.url)
            assert response.status_code == 200, spec.slug
            text = _text(response)
            assert spec.title in text
            assert spec.key_phrases, spec.slug
            assert [k for k in spec.key_phrases if k not in text] == [], spec.slug
            for check in knowledge_checks_in(lesson.body):
                assert check.value["question"] in text


@pytest.mark.parametrize("slug", list(SPECS))
def test_a_learner_who_reads_every_lesson_completes_the_course(demo, slug):
    course = CoursePage.objects.get(slug=slug)
    learner = UserFactory()
    enrolment = enrolment_create(learner=learner, course=course)
    for lesson in LessonPage.objects.live().descendant_of(course):
        for check in knowledge_checks_in(lesson.body):
            right = [
                bound.id
                for bound in check.value["options"].bound_blocks
                if bound.value["is_correct"]
            ]
            result = knowledge_check_answer(
                learner=learner, lesson=lesson, block_id=check.id, selected_option_ids=right
            )
            assert result.is_correct
        lesson_complete(learner=learner, lesson=lesson)
    enrolment.refresh_from_db()
    assert enrolment.progress.is_complete


@pytest.mark.skipif(not SEED.exists(), reason="the seed article is not on this machine")
def test_no_lesson_copies_a_run_of_eight_words_from_the_source_article(client, demo):
    """Our own words: no eight-word run of the career article appears in a short course."""
    seed = _words(SEED.read_text())
    runs = {" ".join(seed[i : i + 8]) for i in range(len(seed) - 7)}
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    for slug in SPECS:
        course = CoursePage.objects.get(slug=slug)
        pages = [course, *LessonPage.objects.descendant_of(course)]
        for page in pages:
            words = _words(_text(client.get(page.url)))
            copied = {" ".join(words[i : i + 8]) for i in range(len(words) - 7)} & runs
            assert copied == set(), page.slug
