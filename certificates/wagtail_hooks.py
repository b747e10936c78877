"""Certificates in the Wagtail admin: list with filters, inspect, issue by hand, revoke.

There is no edit and no delete: a certificate's printed facts are fixed at issue time
and certificates are revoked, never deleted. The permission policy says so, which
removes those buttons and refuses those URLs.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton, MenuItem
from wagtail.permission_policies.base import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from courses.models import CoursePage, originals
from courses.panels import LEARNER_DASHBOARD_PANELS_HOOK

from .models import Certificate, Validity
from .selectors import learner_certificates
from .services import CertificateError, certificate_issue, certificate_revoke
from .tasks import certificate_render_task


class CertificatePermissionPolicy(ModelPermissionPolicy):
    def user_has_permission(self, user, action):
        if action in {"change", "delete"}:
            return False
        if action == "add":
            return user.has_perm("certificates.issue_certificate")
        if action == "revoke":
            return user.has_perm("certificates.revoke_certificate")
        return super().user_has_permission(user, action)


certificate_permission_policy = CertificatePermissionPolicy(Certificate)
register_permission_policy(Certificate, certificate_permission_policy)


class CertificateFilterSet(WagtailFilterSet):
    validity = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"),
        choices=Validity.choices,
        method="filter_validity",
        empty_label=gettext_lazy("Any"),
    )
    course = django_filters.ModelChoiceFilter(
        queryset=originals(CoursePage.objects.all()).order_by("title"),
        label=gettext_lazy("Course"),
        empty_label=gettext_lazy("Any course"),
    )
    issued_at = django_filters.DateFromToRangeFilter(
        label=gettext_lazy("Issued"), widget=DateRangePickerWidget
    )

    class Meta:
        model = Certificate
        fields = ["validity", "course", "issued_at"]

    def filter_validity(self, queryset, name, value):
        return queryset.with_validity(value, at=timezone.now())


class IssueForm(forms.Form):
    learner = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(is_active=True).order_by("email"),
        label=gettext_lazy("Learner"),
        help_text=gettext_lazy(
            "The learner must be enrolled in the course; their course percent sets the score band."
        ),
    )
    course = forms.ModelChoiceField(
        queryset=originals(CoursePage.objects.all()).order_by("title"),
        label=gettext_lazy("Course"),
    )


class CertificateIssueView(generic.CreateView):
    """Issue by hand: the record is written now, the PDFs rendered by the worker."""

    page_title = gettext_lazy("Issue a certificate")

    def get_form_class(self):
        return IssueForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("instance", None)
        kwargs.pop("for_user", None)
        return kwargs

    def form_valid(self, form):
        learner, course = form.cleaned_data["learner"], form.cleaned_data["course"].specific
        try:
            certificate = certificate_issue(
                learner=learner, course=course, issued_by=self.request.user, render=False
            )
        except CertificateError as exc:
            form.add_error(None, str(exc))
            self.produced_error_message = str(exc)
            return self.form_invalid(form)
        if not certificate.is_rendered:
            certificate_render_task.enqueue(certificate.pk)
        messages.success(
            self.request,
            _("Certificate %(code)s issued to %(name)s.")
            % {"code": certificate.code, "name": certificate.holder_name},
        )
        return redirect(self.inspect_url_for(certificate))

    def inspect_url_for(self, certificate: Certificate) -> str:
        return reverse("certificates_admin:inspect", args=[certificate.pk])


class RevokeForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        label=gettext_lazy("Reason"),
        help_text=gettext_lazy(
            "Kept in the audit record with your name and the time. "
            "Verifiers see that the certificate is revoked, not why."
        ),
    )


def revoke_view(request, pk):
    if not certificate_permission_policy.user_has_permission(request.user, "revoke"):
        raise PermissionDenied
    certificate = get_object_or_404(Certificate, pk=pk)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            certificate_revoke(
                certificate=certificate, by=request.user, reason=form.cleaned_data["reason"]
            )
        except CertificateError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("Certificate %(code)s is revoked.") % {"code": certificate.code}
            )
            return redirect("certificates_admin:inspect", certificate.pk)
    return TemplateResponse(
        request,
        "certificates/admin/revoke.html",
        {
            "certificate": certificate,
            "form": form,
            "page_title": _("Revoke %(code)s") % {"code": certificate.code},
        },
    )


class CertificateIndexView(generic.IndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if instance.status != "revoked" and self.permission_policy.user_has_permission(
            self.request.user, "revoke"
        ):
            buttons.append(
                MenuItem(
                    _("Revoke"),
                    url=reverse("certificates_admin:revoke", args=[instance.pk]),
                    icon_name="cross",
                    priority=40,
                )
            )
        return buttons


class CertificateInspectView(generic.InspectView):
    @cached_property
    def header_buttons(self):
        buttons = []
        if self.object.status != "revoked" and self.permission_policy.user_has_permission(
            self.request.user, "revoke"
        ):
            buttons.append(
                HeaderButton(
                    _("Revoke"),
                    url=reverse("certificates_admin:revoke", args=[self.object.pk]),
                    icon_name="cross",
                )
            )
        buttons.append(
            HeaderButton(
                _("Verification page"),
                url=reverse("certificates:verify", args=[self.object.code]),
                icon_name="link-external",
            )
        )
        return buttons


class CertificateViewSet(ModelViewSet):
    model = Certificate
    name = "certificates_admin"
    url_prefix = "certificates"
    icon = "doc-full-inverse"
    menu_label = gettext_lazy("Certificates")
    menu_order = 350
    add_to_admin_menu = True
    filterset_class = CertificateFilterSet
    index_view_class = CertificateIndexView
    add_view_class = CertificateIssueView
    inspect_view_class = CertificateInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    add_to_reference_index = False
    search_fields = ["code", "learner_name", "course_title"]
    list_display = [
        "code",
        Column("learner_name", label=gettext_lazy("Name printed"), accessor="holder_name"),
        "course_title",
        Column("validity", label=gettext_lazy("Status"), accessor=lambda c: c.validity().label),
        "score_band",
        DateColumn("issued_at", label=gettext_lazy("Issued")),
    ]
    inspect_view_fields = [
        "code",
        "learner",
        "learner_name",
        "course",
        "course_title",
        "skills",
        "instructor_name",
        "final_percent",
        "score_band",
        "issued_at",
        "expires_at",
        "issued_by",
        "status",
        "revoked_at",
        "revoked_by",
        "revocation_reason",
        "shared",
        "status_index",
        "rendered_at",
        "pdf_status",
        "render_attempts",
        "render_error",
        "render_retry_at",
        "language",
        "erasure",
        "learner_erased_at",
    ]
    form_fields = ["learner", "course"]

    def get_queryset(self, request):
        return Certificate.objects.select_related("learner", "course", "revoked_by")

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("revoke/<int:pk>/", revoke_view, name="revoke"),
        ]


@hooks.register("register_admin_viewset")
def register_certificate_viewset():
    return CertificateViewSet()


@hooks.register(LEARNER_DASHBOARD_PANELS_HOOK)
def learner_dashboard_certificates(request):
    """The learner's certificates on their dashboard, with download and share links."""
    return render_to_string(
        "certificates/includes/certificate_list.html",
        {"certificates": learner_certificates(learner=request.user)},
        request=request,
    )
