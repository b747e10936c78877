"""Background work for certificates, on the `certificates` queue. Tasks take ids.

Each task first retries a few renders that failed earlier and are due (a full disk, say),
so a busy site recovers without waiting for `manage.py render_certificates`.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django_tasks import task

from courses.models import CoursePage

from .models import Certificate
from .services import certificate_issue, certificate_render, certificates_render_due

# Few, so that one task is not held up long by earlier failures.
DUE_RENDERS_PER_TASK = 3


@task(queue_name="certificates")
def certificate_issue_task(learner_id: int, course_id: int, issued_by_id: int | None = None) -> str:
    certificates_render_due(limit=DUE_RENDERS_PER_TASK)
    users = get_user_model()
    learner = users.objects.get(pk=learner_id)
    course = CoursePage.objects.get(pk=course_id).specific
    issued_by = users.objects.get(pk=issued_by_id) if issued_by_id is not None else None
    return certificate_issue(learner=learner, course=course, issued_by=issued_by).code


@task(queue_name="certificates")
def certificate_render_task(certificate_id: int) -> str:
    certificates_render_due(limit=DUE_RENDERS_PER_TASK)
    return certificate_render(certificate=Certificate.objects.get(pk=certificate_id)).code
