"""Every receiver of the certificates app, connected in one place: `connect_receivers()`, called
from CertificatesConfig.ready(), explicitly and with a dispatch_uid, so calling it again changes
nothing.

Business logic, on a documented signal (DESIGN.md: events travel up):
- courses.signals.course_completed (sent on commit) → `issue_on_course_completed`, which queues
  the certificate's issuance.
"""

from __future__ import annotations

from courses.signals import course_completed

from .services import certificate_issue_enqueue


def issue_on_course_completed(sender, *, learner, course, **kwargs) -> None:
    # An erased (privacy.erasure) or deactivated account gets no new certificate: it would
    # print a pseudonym, and nobody can sign in to receive it.
    if not learner.is_active:
        return
    certificate_issue_enqueue(learner=learner, course=course)


def connect_receivers() -> None:
    course_completed.connect(
        issue_on_course_completed, dispatch_uid="certificates.issue_on_course_completed"
    )
