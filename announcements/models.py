"""Announcements an instructor posts to a course, or to one cohort of it.

Above courses: imports courses, imported by none. Written through announcements.services only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.models import Cohort, CoursePage


class Announcement(models.Model):
    course = models.ForeignKey(CoursePage, on_delete=models.CASCADE, related_name="announcements")
    cohort = models.ForeignKey(
        Cohort,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="announcements",
        verbose_name=_("cohort"),
        help_text=_("Leave empty to tell every learner of the course."),
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), max_length=5000)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    posted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-posted_at", "-pk"]
        indexes = [models.Index(fields=["course", "-posted_at"], name="announcement_course_latest")]
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")

    def __str__(self) -> str:
        return self.title
