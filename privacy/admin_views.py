"""Privacy requests in the Wagtail admin: staff list data exports and erasure requests, process an
erasure now (after a confirmation page) or cancel it. Every action is audited (PrivacyEvent).

Who: superusers, and staff with the `privacy.change_erasurerequest` permission.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from .erasure import ErasureNotDue, erasure_process
from .models import DataExport, ErasureRequest, ErasureStatus, PrivacyEvent
from .services import erasure_cancel

PERMISSION = "privacy.change_erasurerequest"
LIST_LIMIT = 200


def may_manage(user) -> bool:
    return bool(user.is_active and (user.is_superuser or user.has_perm(PERMISSION)))


class ManagersOnly:
    def dispatch(self, request, *args, **kwargs):
        if not may_manage(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class RequestIndexView(ManagersOnly, WagtailAdminTemplateMixin, TemplateView):
    template_name = "privacy/admin/index.html"
    page_title = gettext_lazy("Privacy requests")
    header_icon = "lock"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": _("Privacy requests")}]

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "erasures": ErasureRequest.objects.select_related("user", "processed_by")[:LIST_LIMIT],
            "exports": DataExport.objects.select_related("user")[:LIST_LIMIT],
            "events": PrivacyEvent.objects.select_related("user", "actor")[:50],
        }


class ProcessConfirmView(ManagersOnly, WagtailAdminTemplateMixin, TemplateView):
    template_name = "privacy/admin/confirm.html"
    page_title = gettext_lazy("Erase an account now")
    header_icon = "lock"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("privacy_requests:index"), "label": _("Privacy requests")},
            {"url": "", "label": _("Erase an account now")},
        ]

    def get_context_data(self, **kwargs):
        erasure = get_object_or_404(
            ErasureRequest.objects.select_related("user"),
            pk=self.kwargs["erasure_id"],
            status=ErasureStatus.PENDING,
        )
        return {**super().get_context_data(**kwargs), "erasure": erasure}

    def post(self, request, erasure_id: int):
        erasure = get_object_or_404(ErasureRequest.objects.select_related("user"), pk=erasure_id)
        try:
            erasure_process(erasure=erasure, by=request.user)
        except ErasureNotDue:
            messages.warning(request, _("This request is no longer pending; nothing was changed."))
        except Exception:
            messages.error(
                request,
                _("The erasure failed and nothing was changed. The error is in the server log."),
            )
        else:
            messages.success(request, _("Account %(id)s is erased.") % {"id": erasure.user_id})
        return redirect("privacy_requests:index")


class CancelView(ManagersOnly, View):
    def post(self, request, erasure_id: int):
        erasure = get_object_or_404(ErasureRequest, pk=erasure_id)
        if erasure_cancel(erasure=erasure, actor=request.user):
            messages.success(request, _("The erasure request is cancelled."))
        else:
            messages.warning(request, _("This request is no longer pending; nothing was changed."))
        return redirect("privacy_requests:index")


class PrivacyMenuItem(MenuItem):
    def is_shown(self, request):
        return may_manage(request.user)


class PrivacyViewSet(ViewSet):
    icon = "lock"
    menu_label = gettext_lazy("Privacy requests")
    menu_order = 920
    add_to_settings_menu = True
    menu_item_class = PrivacyMenuItem

    def get_urlpatterns(self):
        return [
            path("", RequestIndexView.as_view(), name="index"),
            path("<int:erasure_id>/process/", ProcessConfirmView.as_view(), name="process"),
            path("<int:erasure_id>/cancel/", CancelView.as_view(), name="cancel"),
        ]


privacy_viewset = PrivacyViewSet("privacy_requests", url_prefix="privacy-requests")
