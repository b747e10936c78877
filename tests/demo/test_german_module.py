"""The demo ships the flagship's course page and first module in German, made with wagtail-localize."""

from io import StringIO

import pytest
from django.core.management import call_command
from wagtail.models import Page, Revision
from wagtail_localize.models import StringSegment, StringTranslation, TranslationSource

from courses.models import CoursePage, LessonPage, ModulePage
from demo.flagship.german import GERMAN


def _load(django_capture_on_commit_callbacks) -> str:
    out = StringIO()
    # wagtail-localize publishes a translation when the transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_demo_publishes_the_first_module_in_german_once(
    client, django_capture_on_commit_callbacks
):
    _load(django_capture_on_commit_callbacks)
    course = CoursePage.objects.get(slug="product-management-foundations")
    module = ModulePage.objects.child_of(course).get(slug="the-role")
    lessons = list(LessonPage.objects.child_of(module).order_by("path"))
    originals = [course, module, *lessons]

    german = Page.objects.filter(locale__language_code="de", alias_of__isnull=True)
    assert german.count() == 5
    assert set(german.values_list("translation_key", flat=True)) == {
        page.translation_key for page in originals
    }
    assert all(page.live for page in german)
    assert sorted(german.values_list("title", flat=True)) == [
        "Aufgaben im Arbeitsalltag",
        "Die Rolle des Produktmanagers",
        "Grundlagen des Produktmanagements",
        "Produktmanager oder Projektmanager?",
        "Was ein Produktmanager tut",
    ]
    # Every text of those pages has its German, in wagtail-localize's translation memory.
    for page in originals:
        source = TranslationSource.objects.get(object_id=page.translation_key)
        for segment in StringSegment.objects.filter(source=source).select_related("string"):
            assert segment.string.data in GERMAN, segment.string.data
            assert StringTranslation.objects.filter(
                translation_of=segment.string, locale__language_code="de"
            ).exists()

    # A second run adds no page, no revision and no translation.
    pages, revisions = Page.objects.count(), Revision.objects.count()
    out = _load(django_capture_on_commit_callbacks)
    assert "nothing changed" in out
    assert (Page.objects.count(), Revision.objects.count()) == (pages, revisions)

    # German readers get German at the lesson's one URL; the second module stays English.
    client.cookies["django_language"] = "de"
    html = client.get(course.url).content.decode()
    assert "<h1>Grundlagen des Produktmanagements</h1>" in html
    assert "1. Die Rolle des Produktmanagers" in html
    assert 'lang="en">2. Skills and tools</h3>' in html
