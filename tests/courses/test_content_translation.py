"""Translated course content (wagtail-localize): German text at the same URL, identity on the original.

Translations are made the way the admin's translation editor makes them: a TranslationSource of
the English page, German strings in the translation memory, then the translation published.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Locale
from wagtail_localize.models import (
    StringSegment,
    StringTranslation,
    Translation,
    TranslationSource,
)

from courses.models import CoursePage, LessonPage, ModulePage
from tests.factories import course_tree, lessons_of

GERMAN = {
    "Foundations": "Grundlagen",
    "Foundations summary.": "Zusammenfassung der Grundlagen.",
    "Module 1": "Modul 1 auf Deutsch",
    "Lesson 1.1": "Lektion 1.1 auf Deutsch",
    "Text of lesson 1.1.": "Text der Lektion 1.1.",
    "Question 1?": "Frage 1?",
}


def translate(page, texts=GERMAN, *, publish=True, language="de"):
    """Translate `page` through wagtail-localize with `texts` (English → German); others fall back."""
    locale, _created = Locale.objects.get_or_create(language_code=language)
    source, _created = TranslationSource.update_or_create_from_instance(page)
    for segment in StringSegment.objects.filter(source=source).select_related("string", "context"):
        if segment.string.data in texts:
            StringTranslation.objects.update_or_create(
                translation_of=segment.string,
                locale=locale,
                context=segment.context,
                defaults={"data": texts[segment.string.data]},
            )
    translation, _created = Translation.objects.get_or_create(source=source, target_locale=locale)
    translation.save_target(publish=publish)
    translated = page.get_translation(locale)
    if publish:
        # wagtail-localize publishes on commit, which a test's transaction never reaches.
        translated.get_latest_revision().publish()
    return translated


@pytest.fixture
def german_course(course):
    """The course page, its first module and first lesson in German; lesson 1.2 untranslated."""
    module = ModulePage.objects.child_of(course).first()
    translate(course)
    translate(module)
    translate(lessons_of(course)[0])
    return course


def german(client):
    client.cookies["django_language"] = "de"
    return client


@pytest.mark.django_db
def test_a_german_visitor_reads_the_german_lesson_at_the_same_url(
    learner_client, enrolled, german_course
):
    lesson = lessons_of(german_course)[0]
    response = german(learner_client).get(lesson.url)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="de">' in html
    assert "<h1>Lektion 1.1 auf Deutsch</h1>" in html
    assert "Text der Lektion 1.1." in html and "Text of lesson 1.1." not in html
    assert "Frage 1?" in html
    assert "<title>Lektion 1.1 auf Deutsch · Grundlagen · PM Academy</title>" in html
    # Breadcrumbs and the contents: the German course and module, the untranslated lesson in
    # English and marked as English.
    assert ">Grundlagen</a>" in html and ">Modul 1 auf Deutsch</a>" in html
    assert 'lang="en">Lesson 1.2</a>' in html
    # The page read is the original: its id is what answers and completion are recorded against.
    assert response.context["page"].pk == lesson.pk
    assert f'action="/lessons/{lesson.pk}/complete/"' in html


@pytest.mark.django_db
def test_an_english_visitor_reads_the_english_lesson(learner_client, enrolled, german_course):
    lesson = lessons_of(german_course)[0]
    html = learner_client.get(lesson.url).content.decode()

    assert '<html lang="en">' in html
    assert "<h1>Lesson 1.1</h1>" in html and "Text of lesson 1.1." in html
    assert "Lektion" not in html and "Grundlagen" not in html


@pytest.mark.django_db
def test_an_untranslated_lesson_falls_back_to_english_marked_as_english(
    learner_client, enrolled, german_course
):
    untranslated = lessons_of(german_course)[1]
    response = german(learner_client).get(untranslated.url)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 lang="en">Lesson 1.2</h1>' in html
    assert '<div class="stack lesson-content" lang="en">' in html
    assert "Text of lesson 1.2." in html
    # The German module around it is still German.
    assert "Modul 1 auf Deutsch" in html


@pytest.mark.django_db
def test_a_half_translated_lesson_shows_english_for_the_untranslated_texts(
    learner_client, enrolled, course
):
    lesson = lessons_of(course)[0]
    translate(lesson, {"Lesson 1.1": "Lektion 1.1 auf Deutsch"})

    html = german(learner_client).get(lesson.url).content.decode()

    assert "<h1>Lektion 1.1 auf Deutsch</h1>" in html
    assert "Text of lesson 1.1." in html and "Question 1?" in html


@pytest.mark.django_db
def test_a_draft_translation_is_not_shown(learner_client, enrolled, course):
    lesson = lessons_of(course)[0]
    translate(lesson, publish=False)

    html = german(learner_client).get(lesson.url).content.decode()

    assert '<h1 lang="en">Lesson 1.1</h1>' in html
    # The interface around it is German ("Lektion 1 von 4"); the draft's own texts are not shown.
    assert "Lektion 1.1 auf Deutsch" not in html and "Text der Lektion 1.1." not in html


@pytest.mark.django_db
def test_an_unknown_language_cookie_reads_english(learner_client, enrolled, german_course):
    learner_client.cookies["django_language"] = "xx-klingon"
    response = learner_client.get(lessons_of(german_course)[0].url)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html and "<h1>Lesson 1.1</h1>" in html


@pytest.mark.django_db
def test_an_enrolled_learner_in_german_sees_their_progress_not_the_enrolment_form(
    learner_client, enrolled, german_course
):
    response = german(learner_client).get(german_course.url)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Grundlagen</h1>" in html and "Zusammenfassung der Grundlagen." in html
    assert response.context["enrolment"].is_active
    assert response.context["enrolment"].course_id == german_course.pk
    assert 'id="course-progress-label"' in html
    assert f'action="/courses/{german_course.pk}/enrol/' not in html
    assert f"/courses/{german_course.pk}/grades/" in html
    # The next lesson is the original's, at its one URL.
    assert f'href="{lessons_of(german_course)[0].url}"' in html
    # The German copy never appears: no link or form names its pages.
    german_ids = set(
        CoursePage.objects.filter(locale__language_code="de").values_list("pk", flat=True)
    )
    assert german_course.pk not in german_ids
    for pk in german_ids:
        assert f"/courses/{pk}/" not in html


@pytest.mark.django_db
def test_the_german_course_outline_shows_german_titles_where_translated(
    learner_client, enrolled, german_course
):
    html = german(learner_client).get(german_course.url).content.decode()

    assert "1. Modul 1 auf Deutsch" in html
    assert 'lang="en">2. Module 2</h3>' in html
    assert ">Lektion 1.1 auf Deutsch</a>" in html
    assert 'lang="en">Lesson 2.2</a>' in html


@pytest.mark.django_db
def test_the_german_route_never_serves_the_german_copy(client, german_course):
    """Wagtail would route a German visitor through the German tree; ours stays on the original."""
    response = german(client).get(german_course.url)

    assert response.status_code == 200
    assert response.context["page"].pk == german_course.pk
    assert response.context["page"].locale.language_code == "en"


def _catalog_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_the_german_catalog_costs_the_same_queries_for_more_courses(client, catalog, settings):
    settings.PMA_PAGE_CACHE = False
    german(client)
    first = course_tree(catalog, slug="one", title="One", modules=1, lessons_per_module=1)
    translate(first, {"One": "Eins"})
    client.get(catalog.url)  # the Locale table, read once per process
    few = _catalog_queries(client, catalog.url)
    for n in range(4):
        course = course_tree(
            catalog, slug=f"more-{n}", title=f"More {n}", modules=1, lessons_per_module=1
        )
        translate(course, {f"More {n}": f"Mehr {n}"})
    many = _catalog_queries(client, catalog.url)

    assert few == many
    html = client.get(catalog.url).content.decode()
    assert ">Eins</a>" in html and ">Mehr 3</a>" in html


@pytest.mark.django_db
def test_the_german_catalog_costs_one_query_more_than_the_english(client, catalog, settings):
    settings.PMA_PAGE_CACHE = False
    for n in range(3):
        course = course_tree(
            catalog, slug=f"c-{n}", title=f"C {n}", modules=1, lessons_per_module=1
        )
        translate(course, {f"C {n}": f"K {n}"})
    english = _catalog_queries(client, catalog.url)
    german(client).get(catalog.url)  # the Locale table, read once per process
    in_german = _catalog_queries(client, catalog.url)

    # The catalog page's own translation, and the titles and summaries of all cards in one.
    assert in_german == english + 2


@pytest.mark.django_db
def test_the_german_course_page_costs_the_same_queries_however_much_is_translated(
    learner_client, enrolled, course, settings
):
    settings.PMA_PAGE_CACHE = False
    translate(course)
    german(learner_client).get(course.url)
    some = _catalog_queries(learner_client, course.url)
    for page in [*ModulePage.objects.child_of(course), *lessons_of(course)]:
        translate(page, {page.title: f"{page.title} (de)"})
    everything = _catalog_queries(learner_client, course.url)

    assert some == everything
    html = learner_client.get(course.url).content.decode()
    assert "Lesson 2.2 (de)" in html


@pytest.mark.django_db
def test_the_original_page_is_never_changed_by_reading_it_in_german(
    learner_client, enrolled, german_course
):
    lesson = lessons_of(german_course)[0]
    german(learner_client).get(lesson.url)
    learner_client.post(f"/lessons/{lesson.pk}/complete/")

    lesson = LessonPage.objects.get(pk=lesson.pk)
    assert lesson.title == "Lesson 1.1"
    assert "Text of lesson 1.1." in str(lesson.body)
