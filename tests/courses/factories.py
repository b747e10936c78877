"""Small factories for users and the course page tree (pages are added with add_child and published)."""

import uuid

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from wagtail.models import Page, Site

from accounts.models import INSTRUCTORS_GROUP
from courses.models import CourseIndexPage, CoursePage, HomePage, LessonPage, ModulePage

PASSWORD = "correct-horse-battery-staple-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.Sequence(lambda n: f"person{n}@example.com")
    certificate_name = factory.Sequence(lambda n: f"Person Number {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)
            obj.save()


def instructor_user(**kwargs):
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=INSTRUCTORS_GROUP))
    return user


def publish_child(parent: Page, page: Page) -> Page:
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def site_home(**fields) -> HomePage:
    """A HomePage as the default site's root, replacing Wagtail's welcome page."""
    root = Page.get_first_root_node()
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
