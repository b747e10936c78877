"""Admin for courses: skills are snippets instructors and editors pick on each course."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Skill


class SkillViewSet(SnippetViewSet):
    model = Skill
    icon = "tag"
    menu_label = _("Skills")
    list_display = ["name", "slug"]
    search_fields = ["name"]
    ordering = ["name"]


register_snippet(SkillViewSet)


# The instructor's gradebook, CSV export and analytics (courses.admin_views).
from wagtail import hooks  # noqa: E402

from .admin_views import gradebook_viewset  # noqa: E402


@hooks.register("register_admin_viewset")
def register_gradebook_viewset():
    return gradebook_viewset


# Staff enrolment, the CSV import and cohorts (courses.enrolment_admin_views).
from .enrolment_admin_views import enrolment_viewset  # noqa: E402


@hooks.register("register_admin_viewset")
def register_enrolment_viewset():
    return enrolment_viewset


# The grading queue's cohort filter (courses.grading_queue; grading never imports courses).
from .grading_queue import CohortReviewFilter  # noqa: E402


@hooks.register("grading_review_filters")
def register_cohort_review_filter():
    return CohortReviewFilter()
