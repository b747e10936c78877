"""Courses: the published catalog, and the courses the caller teaches (published or not)."""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router
from ninja.pagination import paginate

from ..auth import caller_of, token_with
from ..errors import not_found
from ..models import Scope
from ..pagination import KeysetPagination
from ..schemas import CourseOut, Error

router = Router(tags=["courses"], auth=token_with(Scope.COURSES_READ))
ERRORS = {401: Error, 403: Error, 429: Error}


def visible_course(request: HttpRequest, course_id: int):
    """The course if the caller sees it (api.callers.Caller.courses), else a 404."""
    course = caller_of(request).courses().filter(pk=course_id).first()
    if course is None:
        raise not_found(_("No course with this id, or not one you can see."))
    return course


@router.get("", response={200: list[CourseOut], **ERRORS}, summary="List courses")
@paginate(KeysetPagination, key="title")
def list_courses(request: HttpRequest, published: bool | None = None):
    """Published courses, and the courses you teach (published or not), by title.
    Scope `courses:read`."""
    courses = caller_of(request).courses().prefetch_related("skills")
    if published is not None:
        courses = courses.filter(live=published)
    return courses


@router.get("/{course_id}", response={200: CourseOut, 404: Error, **ERRORS}, summary="One course")
def get_course(request: HttpRequest, course_id: int):
    """Scope `courses:read`."""
    return visible_course(request, course_id)
