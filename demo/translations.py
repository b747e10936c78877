"""The demo's German content: the flagship course page and its first module, through wagtail-localize.

Each page goes the way a translator's work goes in the admin ("Translate this page"): its
English text becomes a TranslationSource with one segment per text, each segment gets its
German string in the translation memory, and the translation is published. A text with no German
string keeps its English (wagtail-localize's fallback), as code cells and figures do. Running it
again changes nothing unless the English or the German text changed, and never adds a page.
"""

from dataclasses import dataclass, field

from wagtail.models import Locale, Page
from wagtail_localize.models import (
    StringSegment,
    StringTranslation,
    Translation,
    TranslationSource,
)

from courses.models import CoursePage, LessonPage, ModulePage

from .flagship.german import GERMAN, GERMAN_LANGUAGE, TRANSLATED_MODULE_SLUG


@dataclass
class TranslationReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)


def german_locale() -> Locale:
    """The German Locale (Settings → Locales in the admin); created once."""
    locale, _created = Locale.objects.get_or_create(language_code=GERMAN_LANGUAGE)
    return locale


def translated_pages(course: CoursePage) -> list[Page]:
    """What ships in German: the course page, its first module and that module's lessons."""
    module = ModulePage.objects.child_of(course).filter(slug=TRANSLATED_MODULE_SLUG).first()
    if module is None:
        return [course]
    return [course, module, *LessonPage.objects.child_of(module).order_by("path")]


def _fill_memory(source: TranslationSource, locale: Locale) -> bool:
    """Give every segment of `source` with a German text that text; True when any changed."""
    changed = False
    segments = StringSegment.objects.filter(source=source).select_related("string", "context")
    for segment in segments:
        german = GERMAN.get(segment.string.data)
        if german is None:
            continue
        existing = StringTranslation.objects.filter(
            translation_of=segment.string, locale=locale, context=segment.context
        ).first()
        if existing is not None and existing.data == german:
            continue
        if existing is None:
            StringTranslation.objects.create(
                translation_of=segment.string,
                locale=locale,
                context=segment.context,
                data=german,
                translation_type=StringTranslation.TRANSLATION_TYPE_MANUAL,
            )
        else:
            existing.data = german
            existing.has_error = False
            existing.save(update_fields=["data", "has_error", "updated_at"])
        changed = True
    return changed


def demo_translations_sync(*, course: CoursePage) -> TranslationReport:
    """Publish the German translations of the flagship's course page and first module."""
    report = TranslationReport()
    locale = german_locale()
    for page in translated_pages(course):
        page = page.specific
        before = (
            TranslationSource.objects.filter(
                object_id=page.translation_key, locale_id=page.locale_id
            )
            .values_list("content_json", flat=True)
            .first()
        )
        source, _created = TranslationSource.update_or_create_from_instance(page)
        source_changed = before != source.content_json
        memory_changed = _fill_memory(source, locale)
        translation, created = Translation.objects.get_or_create(
            source=source, target_locale=locale
        )
        exists = page.get_translation_or_none(locale) is not None
        if created or not exists or source_changed or memory_changed:
            translation.save_target(publish=True)
            label = f"German translation of {page.url_path}"
            (report.created if not exists else report.updated).append(label)
    return report
