"""The learner's grades page: /courses/<id>/grades/."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .grades import learner_course_grades
from .models import CoursePage, originals
from .selectors import enrolment_for


@require_GET
@login_required
def course_grades(request, course_id: int):
    """Every score, attempt and piece of feedback of the learner in one course.

    Only for someone who is or was enrolled: a former learner still reads their grades.
    Anyone else gets the same 404 as for a course that does not exist.
    """
    course = originals(CoursePage.objects.live()).filter(pk=course_id).first()
    enrolment = enrolment_for(learner=request.user, course=course) if course else None
    if course is None or enrolment is None:
        raise Http404
    grades = learner_course_grades(learner=request.user, course=course, enrolment=enrolment)
    return render(request, "courses/grades.html", {"grades": grades, "course": course})
