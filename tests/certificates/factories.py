"""Users, a small published course, and completed progress for the certificates tests."""

from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone
from wagtail.models import Locale, Page, Site

from courses.models import (
    CourseIndexPage,
    CoursePage,
    CourseProgress,
    Enrolment,
    HomePage,
    LessonPage,
    ModulePage,
    Skill,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"learner{n}")
    email = factory.Sequence(lambda n: f"learner{n}@example.com")
    certificate_name = factory.Sequence(lambda n: f"Learner Number {n}")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery-staple-42")

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        # The password is set after creation; save it so session auth hashes match.
        if create:
            obj.save()


def _publish(parent: Page, page: Page) -> Page:
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def site_catalog() -> CourseIndexPage:
    root = Page.get_first_root_node()
    if root is None:
        # Without migrations (pytest --nomigrations) Wagtail's root page and locale are missing.
        Locale.objects.get_or_create(language_code="en")
        root = Page.add_root(instance=Page(title="Root", slug="root"))
    for page in Page.objects.child_of(root):
        page.delete()
    root.refresh_from_db()
    home = _publish(root, HomePage(title="PM Academy", slug="home", tagline="Learn product management."))
    Site.objects.all().delete()
    Site.objects.create(hostname="testserver", port=80, root_page=home, is_default_site=True)
    return _publish(home, CourseIndexPage(title="Courses", slug="courses"))


def course_page(catalog: CourseIndexPage, *, slug: str = "prioritization", title: str = "Prioritization in Practice",
                skills: tuple[str, ...] = ("Cost of delay", "RICE"), instructor=None, **fields) -> CoursePage:
    course = _publish(catalog, CoursePage(title=title, slug=slug, summary=f"{title} summary.", **fields))
    if skills:
        course.skills.set([Skill.objects.get_or_create(name=name, slug=name.lower().replace(" ", "-"))[0]
                           for name in skills])
    if instructor is not None:
        course.instructors.set([instructor])
    if skills or instructor is not None:
        course.save_revision().publish()
    module = _publish(course, ModulePage(title="Module 1", slug="module-1"))
    _publish(module, LessonPage(title="Lesson 1", slug="lesson-1",
                                body=[{"type": "paragraph", "value": "<p>Read me.</p>"}]))
    return CoursePage.objects.get(pk=course.pk)


def lesson_of(course: CoursePage) -> LessonPage:
    return LessonPage.objects.descendant_of(course).get()


def completed(learner, course: CoursePage, *, percent: int = 85, days_ago: int = 0) -> CourseProgress:
    """Progress marked complete directly, without sending course_completed."""
    enrolment, _ = Enrolment.objects.get_or_create(
        learner=learner, course=course, defaults={"enrolled_at": timezone.now() - timedelta(days=days_ago + 1)}
    )
    progress, _ = CourseProgress.objects.update_or_create(
        enrolment=enrolment,
        defaults={"percent": percent, "completed_at": timezone.now() - timedelta(days=days_ago),
                  "lessons_done": 1, "lessons_total": 1},
    )
    return progress
