"""Every factory and page builder the tests use: people, exercises, and the published page tree
(pages are added with add_child and published)."""

import uuid
from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from wagtail.models import Locale, Page, Site

from accounts.models import INSTRUCTORS_GROUP
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
from exercises.models import Exercise

PASSWORD = "correct-horse-battery-staple-42"


class UserFactory(factory.django.DjangoModelFactory):
    """A person with a verified primary e-mail address who can log in with PASSWORD."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.Sequence(lambda n: f"person{n}@example.com")
    certificate_name = factory.Sequence(lambda n: f"Person Number {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        # The password is set after creation; saving it here keeps session auth hashes matching.
        if create:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)
            obj.save()


def instructor_user(**kwargs):
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=INSTRUCTORS_GROUP))
    return user


class ExerciseFactory(factory.django.DjangoModelFactory):
    """An exercise without a notebook: enough for a course to count it or a lesson to embed it.

    A slug that exists already gives that exercise back. For an exercise learners can submit, use
    tests.grading.submissions_support.make_exercise (a validated RICE notebook).
    """

    class Meta:
        model = Exercise
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"exercise-{n}")
    title = factory.LazyAttribute(lambda exercise: exercise.slug.replace("-", " ").capitalize())


def publish_child(parent: Page, page: Page) -> Page:
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def site_home(**fields) -> HomePage:
    """A HomePage as the default site's root, replacing Wagtail's welcome page."""
    root = Page.get_first_root_node()
    if root is None:
        # Without migrations (pytest --nomigrations) Wagtail's root page and locale are missing.
        Locale.objects.get_or_create(language_code="en")
        root = Page.add_root(instance=Page(title="Root", slug="root"))
    for page in Page.objects.child_of(root):
        page.delete()
    root.refresh_from_db()
    defaults = {"title": "PM Academy", "slug": "home", "tagline": "Learn product management."}
    home = publish_child(root, HomePage(**{**defaults, **fields}))
    Site.objects.all().delete()
    Site.objects.create(hostname="testserver", port=80, root_page=home, is_default_site=True)
    return home


def catalog_page(home: HomePage) -> CourseIndexPage:
    return publish_child(home, CourseIndexPage(title="Courses", slug="courses"))


def site_catalog() -> CourseIndexPage:
    """A fresh site (site_home) with its course catalog."""
    return catalog_page(site_home())


def check_block(
    question: str = "Which options are right?",
    options: tuple[tuple[str, bool, str], ...] = (
        ("Right answer", True, "Because it is right."),
        ("Wrong answer", False, "Because it is wrong."),
    ),
) -> dict:
    return {
        "type": "knowledge_check",
        "value": {
            "question": question,
            "options": [
                {
                    "type": "item",
                    "id": str(uuid.uuid4()),
                    "value": {"text": text, "is_correct": right, "feedback": why},
                }
                for text, right, why in options
            ],
            "explanation": "<p>The explanation.</p>",
        },
    }


def quiz_block(
    questions: int = 3,
    *,
    per_learner: int | None = None,
    max_attempts: int = 3,
    reveal: str = "after_last_attempt",
    due_at: str | None = None,
    block_id: str | None = None,
) -> dict:
    """A graded quiz of questions "Quiz question N?" (ids qN), each with options AN, BN and CN
    (ids qNa, qNb, qNc) of which AN is the right one: ids and texts say nothing about which."""
    block_id = block_id or str(uuid.uuid4())
    return {
        "type": "quiz",
        "id": block_id,
        "value": {
            "questions_per_learner": per_learner,
            "max_attempts": max_attempts,
            "reveal": reveal,
            "due_at": due_at,
            "questions": [
                {
                    "type": "item",
                    "id": f"q{n}",
                    "value": {
                        "question": f"Quiz question {n}?",
                        "options": [
                            {
                                "type": "item",
                                "id": f"q{n}{letter.lower()}",
                                "value": {
                                    "text": f"{letter}{n}",
                                    "is_correct": letter == "A",
                                    "feedback": f"Feedback on {letter}{n}.",
                                },
                            }
                            for letter in "ABC"
                        ],
                        "explanation": f"<p>Explanation {n}.</p>",
                    },
                }
                for n in range(1, questions + 1)
            ],
        },
    }


def lesson_body(checks: int = 1, text: str = "Lesson text.") -> list[dict]:
    body = [{"type": "paragraph", "value": f"<p>{text}</p>"}]
    body += [check_block(question=f"Question {n + 1}?") for n in range(checks)]
    return body


def course_tree(
    catalog: CourseIndexPage,
    *,
    slug: str = "course",
    title: str = "Course",
    modules: int = 2,
    lessons_per_module: int = 2,
    checks_per_lesson: int = 1,
    **fields,
) -> CoursePage:
    defaults = {"summary": f"{title} summary.", "level": "beginner", "estimated_hours": 2}
    skills = fields.pop("skills", [])
    course = publish_child(catalog, CoursePage(title=title, slug=slug, **{**defaults, **fields}))
    if skills:
        course.skills.set(skills)
        course.save_revision().publish()
    for m in range(modules):
        module = publish_child(course, ModulePage(title=f"Module {m + 1}", slug=f"module-{m + 1}"))
        for n in range(lessons_per_module):
            publish_child(
                module,
                LessonPage(
                    title=f"Lesson {m + 1}.{n + 1}",
                    slug=f"lesson-{m + 1}-{n + 1}",
                    body=lesson_body(
                        checks=checks_per_lesson, text=f"Text of lesson {m + 1}.{n + 1}."
                    ),
                ),
            )
    return CoursePage.objects.get(pk=course.pk)


def lessons_of(course: CoursePage) -> list[LessonPage]:
    return list(LessonPage.objects.descendant_of(course).order_by("path"))


def course_page(
    catalog: CourseIndexPage,
    *,
    slug: str = "prioritization",
    title: str = "Prioritization in Practice",
    skills: tuple[str, ...] = ("Cost of delay", "RICE"),
    instructor=None,
    **fields,
) -> CoursePage:
    """A published course of one module with one lesson, with skills and (optionally) its instructor:
    what a certificate prints."""
    course = publish_child(
        catalog, CoursePage(title=title, slug=slug, summary=f"{title} summary.", **fields)
    )
    if skills:
        course.skills.set(
            [
                Skill.objects.get_or_create(name=name, slug=name.lower().replace(" ", "-"))[0]
                for name in skills
            ]
        )
    if instructor is not None:
        course.instructors.set([instructor])
    if skills or instructor is not None:
        course.save_revision().publish()
    module = publish_child(course, ModulePage(title="Module 1", slug="module-1"))
    publish_child(
        module,
        LessonPage(
            title="Lesson 1",
            slug="lesson-1",
            body=[{"type": "paragraph", "value": "<p>Read me.</p>"}],
        ),
    )
    return CoursePage.objects.get(pk=course.pk)


def lesson_of(course: CoursePage) -> LessonPage:
    return LessonPage.objects.descendant_of(course).get()


def completed(
    learner, course: CoursePage, *, percent: int = 85, days_ago: int = 0
) -> CourseProgress:
    """Progress marked complete directly, without sending course_completed."""
    enrolment, _ = Enrolment.objects.get_or_create(
        learner=learner,
        course=course,
        defaults={"enrolled_at": timezone.now() - timedelta(days=days_ago + 1)},
    )
    progress, _ = CourseProgress.objects.update_or_create(
        enrolment=enrolment,
        defaults={
            "percent": percent,
            "completed_at": timezone.now() - timedelta(days=days_ago),
            "lessons_done": 1,
            "lessons_total": 1,
        },
    )
    return progress
