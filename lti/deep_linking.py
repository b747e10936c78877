"""Deep linking: what an instructor may place in an LMS course, and the signed answer.

A deep linking launch is remembered in the browser session (by pylti1p3's launch id); the
picker lists the live courses, their lessons and the exercises they count; each pick becomes
an ltiResourceLink whose custom parameter `pma_resource` names it (lti.launches reads it back),
with a line item for each exercise so the LMS makes a gradebook column.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem

from courses.models import CourseExercise, CoursePage, LessonPage, originals

from . import framing
from .launches import CUSTOM_RESOURCE, PmaMessageLaunch

SESSION_KEY = "lti_deep_links"


@dataclass(frozen=True)
class Item:
    reference: str
    title: str
    kind: str  # "course", "lesson" or "exercise"
    max_points: float | None = None


@dataclass
class CourseChoice:
    course: CoursePage
    items: list[Item] = field(default_factory=list)


def remember(request: HttpRequest, *, launch_id: str) -> None:
    request.session[SESSION_KEY] = [*request.session.get(SESSION_KEY, [])[-4:], launch_id]


def is_mine(request: HttpRequest, *, launch_id: str) -> bool:
    return launch_id in request.session.get(SESSION_KEY, [])


def forget(request: HttpRequest, *, launch_id: str) -> None:
    request.session[SESSION_KEY] = [
        other for other in request.session.get(SESSION_KEY, []) if other != launch_id
    ]


def choices() -> list[CourseChoice]:
    """Live, public courses, each with its live lessons (in tree order) and counted exercises.

    Five queries however many courses there are (Wagtail's public() reads restrictions)."""
    courses = list(originals(CoursePage.objects.live().public()).order_by("title"))
    by_path = {course.path: CourseChoice(course=course) for course in courses}
    for choice in by_path.values():
        choice.items.append(
            Item(reference=f"page:{choice.course.pk}", title=choice.course.title, kind="course")
        )
    lengths = {course.depth * CoursePage.steplen for course in courses}
    lessons = LessonPage.objects.live().public().order_by("path") if courses else []
    for lesson in lessons:
        owner = next(
            (by_path[lesson.path[:n]] for n in lengths if lesson.path[:n] in by_path), None
        )
        if owner is not None:
            owner.items.append(
                Item(reference=f"page:{lesson.pk}", title=lesson.title, kind="lesson")
            )
    rows = CourseExercise.objects.filter(course__in=courses).order_by("course", "sort_order")
    by_pk = {choice.course.pk: choice for choice in by_path.values()}
    for row in rows:
        by_pk[row.course_id].items.append(
            Item(
                reference=f"exercise:{row.course_id}:{row.exercise_id}",
                title=row.title,
                kind="exercise",
                max_points=float(row.max_points),
            )
        )
    return [by_path[course.path] for course in courses]


def picked(choices: list[CourseChoice], references: list[str]) -> list[Item]:
    wanted = set(references)
    return [item for choice in choices for item in choice.items if item.reference in wanted]


def respond(request: HttpRequest, *, message: PmaMessageLaunch, picked: list[Item]) -> HttpResponse:
    launch_url = request.build_absolute_uri(reverse("lti:launch"))
    resources = []
    for item in picked:
        resource = (
            DeepLinkResource()
            .set_url(launch_url)
            .set_title(item.title)
            .set_custom_params({CUSTOM_RESOURCE: item.reference})
        )
        if item.kind == "exercise" and item.max_points:
            resource.set_lineitem(
                LineItem()
                .set_label(item.title)
                .set_score_maximum(item.max_points)
                .set_resource_id(item.reference)
            )
        resources.append(resource)
    deep_link = message.get_deep_link()
    return_url = deep_link._deep_link_settings["deep_link_return_url"]
    response = render(
        request,
        "lti/deep_link_return.html",
        {"return_url": return_url, "jwt": deep_link.get_response_jwt(resources), "items": picked},
    )
    framing.allow_form_action(response, return_url)
    return response
