"""Listens to courses.signals.course_completed (sent on commit) and queues issuance."""

from __future__ import annotations

from django.dispatch import receiver

from courses.signals import course_completed

from .services import certificate_issue_enqueue


@receiver(course_completed, dispatch_uid="certificates.issue_on_course_completed")
def issue_on_course_completed(sender, *, learner, course, **kwargs) -> None:
    certificate_issue_enqueue(learner=learner, course=course)
