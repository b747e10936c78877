"""Instructors post announcements from the Wagtail admin, to their own courses only.

"Their own" is the staff scope of courses.cohorts (built on courses.gradebook.instructor_courses):
a course's own instructors (who can edit its page; superusers) post to the whole course or any of
its cohorts; an instructor named only on some cohorts posts to those cohorts only. A course or
cohort outside that is not offered, and a forged one in a POST is refused by the form; Wagtail's
admin URLs already refuse people without admin access.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.widgets.button import HeaderButton

from courses.cohorts import staff_courses, staff_scope
from courses.gradebook import instructor_courses
from courses.models import Cohort, CoursePage

from .selectors import instructor_announcements
from .services import AnnouncementError, announcement_post


class CohortChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.course.title} — {obj.name}"


class AnnouncementForm(forms.Form):
    course: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Course"), queryset=CoursePage.objects.none(), empty_label=None
    )
    cohort = CohortChoiceField(
        label=_("Cohort"),
        queryset=Cohort.objects.none(),
        required=False,
        empty_label=_("Every learner of the course"),
        help_text=_("Send to one cohort only, or to the whole course."),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Plain text. Learners see it on the course page and get it by e-mail."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["course"].queryset = staff_courses(user=user)  # type: ignore[attr-defined]
        self.fields["cohort"].queryset = (  # type: ignore[attr-defined]
            staff_cohorts(user=user).select_related("course").order_by("course__title", "name")
        )

    def clean(self):
        data = super().clean() or {}
        course, cohort = data.get("course"), data.get("cohort")
        if course is None or self.has_error("cohort"):
            return data
        scope = staff_scope(user=self.user, course_id=course.pk)
        if cohort is not None and cohort.course_id != course.pk:
            self.add_error("cohort", _("Choose a cohort of the course you are posting to."))
        elif scope is None or (cohort is not None and not scope.reaches_cohort(cohort)):
            self.add_error("cohort", _("You do not teach that cohort."))
        elif cohort is None and not scope.whole_course:
            self.add_error(
                "cohort",
                _("You teach some cohorts of this course only: choose the cohort to tell."),
            )
        return data


def staff_cohorts(*, user):
    """The cohorts the user may post to: all of their own courses', and those they teach."""
    return Cohort.objects.filter(
        Q(course__in=instructor_courses(user=user)) | Q(instructors=user)
    ).distinct()


class AnnouncementIndexView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "announcements/admin/index.html"
    page_title = _("Announcements")
    header_icon = "info-circle"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": _("Announcements")}]

    def get_header_buttons(self):
        if not staff_courses(user=self.request.user).exists():
            return []
        return [
            HeaderButton(
                _("Post an announcement"), url=reverse("announcements:post"), icon_name="plus"
            )
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["announcements"] = instructor_announcements(
            courses=instructor_courses(user=user), cohorts=staff_cohorts(user=user)
        )
        context["has_courses"] = staff_courses(user=user).exists()
        return context


class AnnouncementPostView(WagtailAdminTemplateMixin, FormView):
    template_name = "announcements/admin/post.html"
    page_title = _("Post an announcement")
    header_icon = "info-circle"
    form_class = AnnouncementForm

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("announcements:index"), "label": _("Announcements")},
            {"url": "", "label": _("Post an announcement")},
        ]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        course = self.request.GET.get("course", "")
        return {"course": course} if course.isdigit() else {}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            announcement_post(
                course=data["course"],
                cohort=data["cohort"],
                title=data["title"],
                body=data["body"],
                posted_by=self.request.user,
            )
        except AnnouncementError as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Announcement posted. Learners see it on the course page and are told by e-mail."),
        )
        return redirect("announcements:index")


class AnnouncementMenuItem(MenuItem):
    def is_shown(self, request):
        return staff_courses(user=request.user).exists()


class AnnouncementViewSet(ViewSet):
    icon = "info-circle"
    menu_label = _("Announcements")
    menu_order = 275
    add_to_admin_menu = True
    menu_item_class = AnnouncementMenuItem

    def get_urlpatterns(self):
        return [
            path("", AnnouncementIndexView.as_view(), name="index"),
            path("post/", AnnouncementPostView.as_view(), name="post"),
        ]


announcement_viewset = AnnouncementViewSet("announcements")
