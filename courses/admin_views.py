"""The instructor's gradebook, its CSV export and course analytics in the Wagtail admin.

Instructors reach the courses whose pages they can edit, and an instructor of cohorts only
those cohorts' learners (courses.cohorts.staff_scope); any other course id answers 404, so ids of
other instructors' courses reveal nothing. Wagtail's admin URLs already refuse people without
admin access. Every page filters by cohort (`?cohort=<id>`), within the reader's scope.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import TYPE_CHECKING

from django import forms
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.widgets.button import HeaderButton

from exercises.format import format_points
from exercises.points import POINTS_PLACES

from .analytics import course_analytics
from .cohorts import StaffScope, staff_courses, staff_scope
from .gradebook import (
    GRADEBOOK_PAGE_SIZE,
    GradebookEnrolments,
    LearnerState,
    course_exercises,
    course_lesson_ids,
    gradebook_enrolments,
    gradebook_rows,
    instructor_course_summaries,
)
from .models import CoursePage, EnrolmentStatus

# Spreadsheets run a cell starting with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class GradebookFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or e-mail"), required=False, max_length=200)
    cohort = forms.TypedChoiceField(label=_("Cohort"), required=False, coerce=int, empty_value=None)
    state = forms.ChoiceField(
        label=_("Progress"), required=False, choices=[("", _("Any")), *LearnerState.choices]
    )
    enrolment = forms.ChoiceField(
        label=_("Enrolment"), required=False, choices=[("", _("Any")), *EnrolmentStatus.choices]
    )

    def __init__(self, *args, scope: StaffScope, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        cohorts = [(c.pk, c.name) for c in scope.cohorts()]
        blank = _("Any") if scope.whole_course else _("All my cohorts")
        self.fields["cohort"].choices = [("", blank), *cohorts]  # type: ignore[attr-defined]
        if not cohorts:
            del self.fields["cohort"]

    def filters(self) -> dict:
        """Keyword arguments for gradebook_enrolments; a field with an invalid value filters
        nothing while the valid ones still apply. The cohort filter never reaches beyond the
        reader's scope."""
        if self.is_bound:
            self.is_valid()  # an invalid field is left out of cleaned_data; the rest apply
        data = self.cleaned_data if self.is_bound else {}
        return {
            "search": data.get("q", ""),
            "state": data.get("state", ""),
            "enrolment_status": data.get("enrolment", ""),
            "cohort_ids": self.scope.cohort_filter(data.get("cohort")),
        }

    def is_filtered(self) -> bool:
        data = self.cleaned_data if self.is_bound else {}
        return any(data.get(name) for name in ("q", "state", "enrolment", "cohort"))


if TYPE_CHECKING:
    from django.views import View as _ViewBase  # the mixin is always combined with one
else:
    _ViewBase = object


class CourseMixin(_ViewBase):
    """Loads the course named in the URL with the user's scope in it, or answers 404 when they
    teach none of it."""

    course: CoursePage
    scope: StaffScope

    def dispatch(self, request, *args, **kwargs):
        scope = staff_scope(user=request.user, course_id=kwargs["course_id"])
        if scope is None:
            raise Http404(_("No course you teach has that id."))
        self.scope = scope
        self.course = scope.course
        return super().dispatch(request, *args, **kwargs)

    def filter_form(self) -> GradebookFilterForm:
        return GradebookFilterForm(self.request.GET or None, scope=self.scope)


class GradebookIndexView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "courses/admin/gradebook_index.html"
    page_title = _("Gradebook")
    header_icon = "table"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": _("Gradebook")}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["summaries"] = instructor_course_summaries(user=self.request.user)
        return context


def _course_breadcrumbs(view, label) -> list[dict]:
    return [
        *view.breadcrumbs_items,
        {"url": reverse("gradebook:index"), "label": _("Gradebook")},
        {"url": "", "label": label},
    ]


class GradebookView(CourseMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "courses/admin/gradebook.html"
    header_icon = "table"

    def get_page_title(self):
        return _("Gradebook: %(course)s") % {"course": self.course.title}

    def get_breadcrumbs_items(self):
        return _course_breadcrumbs(self, self.course.title)

    def get_header_buttons(self):
        query = self.request.GET.copy()
        query.pop("p", None)
        csv_url = reverse("gradebook:csv", args=[self.course.pk])
        analytics_url = reverse("gradebook:analytics", args=[self.course.pk])
        cohort = self.request.GET.get("cohort", "")
        return [
            HeaderButton(
                _("Download CSV"),
                url=f"{csv_url}?{query.urlencode()}" if query else csv_url,
                icon_name="download",
            ),
            HeaderButton(
                _("Analytics"),
                url=f"{analytics_url}?cohort={cohort}" if cohort.isdigit() else analytics_url,
                icon_name="history",
            ),
            HeaderButton(
                _("Extensions"),
                url=reverse("gradebook:extensions", args=[self.course.pk]),
                icon_name="date",
            ),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = self.filter_form()
        filters = form.filters()
        lesson_ids = course_lesson_ids(course=self.course)
        enrolments = GradebookEnrolments(course=self.course, lesson_ids=lesson_ids, **filters)
        page = Paginator(enrolments, GRADEBOOK_PAGE_SIZE).get_page(self.request.GET.get("p"))  # type: ignore[arg-type, var-annotated]  # count() and slices
        exercises = course_exercises(course=self.course)
        context.update(
            {
                "course": self.course,
                "form": form,
                "is_filtered": form.is_filtered(),
                "has_cohorts": "cohort" in form.fields,
                "exercises": exercises,
                "page_obj": page,
                "rows": list(
                    gradebook_rows(
                        enrolments=page.object_list,
                        exercises=exercises,
                        lessons_total=len(lesson_ids),
                    )
                ),
            }
        )
        return context


class _Echo:
    """csv.writer writes into this and gets the line back, so rows stream one at a time."""

    def write(self, value: str) -> str:
        return value


def csv_safe(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


def _csv_lines(*, course: CoursePage, filters: dict) -> Iterator[str]:
    exercises = course_exercises(course=course)
    writer = csv.writer(_Echo())
    header = ["Name", "E-mail", "Enrolment", "Enrolled at", "Progress"]
    for exercise in exercises:
        header += [f"{exercise.title} (points)", f"{exercise.title} (out of)"]
    header += ["Overall %", "Lessons done", "Lessons total", "Completed at", "Cohort"]
    # Added last, so the columns before them keep their places in spreadsheets built on the
    # export: per exercise, the counted attempt's score before its late penalty and the penalty.
    for exercise in exercises:
        header += [
            f"{exercise.title} (before late penalty)",
            f"{exercise.title} (late penalty %)",
        ]
    yield writer.writerow([csv_safe(cell) for cell in header])
    lesson_ids = course_lesson_ids(course=course)
    enrolments = gradebook_enrolments(course=course, lesson_ids=lesson_ids, **filters)
    rows = gradebook_rows(
        enrolments=enrolments.iterator(chunk_size=500),
        exercises=exercises,
        lessons_total=len(lesson_ids),
    )
    for row in rows:
        cells: list[object] = [
            row.name,
            row.email,
            row.status_label,
            row.enrolment.enrolled_at.isoformat(timespec="seconds"),
            row.state_label,
        ]
        for cell in row.cells:
            # As stored (exercises.points), without trailing zeros: 4.5, 0.333333.
            cells += [
                "" if value is None else format_points(value, POINTS_PLACES)
                for value in (cell.points, cell.max_points)
            ]
        cells += [
            row.percent,
            row.lessons_done,
            row.lessons_total,
            row.completed_at.isoformat(timespec="seconds") if row.completed_at else "",
            row.cohort_name,
        ]
        for cell in row.cells:
            raw = cell.raw_points if cell.raw_points is not None else cell.points
            cells += [
                "" if raw is None else format_points(raw, POINTS_PLACES),
                cell.late_penalty_percent if cell.has_score else "",
            ]
        yield writer.writerow([csv_safe(cell) for cell in cells])


class GradebookCsvView(CourseMixin, View):
    def get(self, request, course_id: int):
        filters = self.filter_form().filters()
        response = StreamingHttpResponse(
            _csv_lines(course=self.course, filters=filters), content_type="text/csv; charset=utf-8"
        )
        filename = f"gradebook-{self.course.slug}-{timezone.localdate().isoformat()}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class AnalyticsView(CourseMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "courses/admin/analytics.html"
    header_icon = "history"

    def get_page_title(self):
        return _("Analytics: %(course)s") % {"course": self.course.title}

    def get_breadcrumbs_items(self):
        return _course_breadcrumbs(self, self.course.title)

    def get_header_buttons(self):
        return [
            HeaderButton(
                _("Gradebook"),
                url=reverse("gradebook:course", args=[self.course.pk]),
                icon_name="table",
            )
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = self.filter_form()
        analytics = course_analytics(course=self.course, cohort_ids=form.filters()["cohort_ids"])
        context.update(
            {
                "course": self.course,
                "analytics": analytics,
                "chart_data": analytics.chart_data(),
                "cohort_form": form if "cohort" in form.fields else None,
            }
        )
        return context


class GradebookMenuItem(MenuItem):
    def is_shown(self, request):
        # Instructors without a course or cohort of their own have nothing to read here.
        return staff_courses(user=request.user).exists()


class GradebookViewSet(ViewSet):
    icon = "table"
    menu_label = _("Gradebook")
    menu_order = 270
    add_to_admin_menu = True
    menu_item_class = GradebookMenuItem

    def get_urlpatterns(self):
        # Extensions build on this module's course mixin, so they are imported here.
        from .extension_views import ExtensionListView, ExtensionRevokeView

        return [
            path("", GradebookIndexView.as_view(), name="index"),
            path("<int:course_id>/", GradebookView.as_view(), name="course"),
            path("<int:course_id>/csv/", GradebookCsvView.as_view(), name="csv"),
            path("<int:course_id>/analytics/", AnalyticsView.as_view(), name="analytics"),
            path("<int:course_id>/extensions/", ExtensionListView.as_view(), name="extensions"),
            path(
                "<int:course_id>/extensions/<int:extension_id>/revoke/",
                ExtensionRevokeView.as_view(),
                name="extension_revoke",
            ),
        ]


gradebook_viewset = GradebookViewSet("gradebook")
