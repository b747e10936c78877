"""Service tokens in the Wagtail admin: staff with the manage_service_tokens permission (and
superusers) list, make (the token shown once) and revoke them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView, View
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.widgets.button import HeaderButton

from .forms import ServiceTokenForm
from .models import TokenKind
from .tokens import service_tokens, token_create, token_revoke

PERMISSION = "api.manage_service_tokens"


def may_manage(user) -> bool:
    return user.is_active and user.has_perm(PERMISSION)


class ManagersOnly:
    def dispatch(self, request, *args, **kwargs):
        if not may_manage(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class ServiceTokenIndexView(ManagersOnly, WagtailAdminTemplateMixin, TemplateView):
    template_name = "api/admin/index.html"
    page_title = gettext_lazy("API service tokens")
    header_icon = "key"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": _("API service tokens")}]

    def get_header_buttons(self):
        return [
            HeaderButton(
                _("Make a service token"), url=reverse("api_service_tokens:add"), icon_name="plus"
            )
        ]

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "tokens": service_tokens()}


class ServiceTokenCreateView(ManagersOnly, WagtailAdminTemplateMixin, FormView):
    template_name = "api/admin/add.html"
    page_title = gettext_lazy("Make a service token")
    header_icon = "key"
    form_class = ServiceTokenForm

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("api_service_tokens:index"), "label": _("API service tokens")},
            {"url": "", "label": _("Make a service token")},
        ]

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            new = token_create(
                kind=TokenKind.SERVICE,
                name=data["name"],
                scopes=data["scopes"],
                expires_at=form.expires_at(),
                created_by=self.request.user,
                user=data["user"],
                courses=data["courses"],
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
            return self.form_invalid(form)
        # Shown in this response only, never stored: a reload shows the form again.
        response = TemplateResponse(
            self.request,
            "api/admin/created.html",
            self.get_context_data(form=form, new_token=new),
        )
        response["Cache-Control"] = "no-store"
        return response


class ServiceTokenRevokeView(ManagersOnly, View):
    def post(self, request, token_id: int):
        token = get_object_or_404(service_tokens(), pk=token_id)
        token_revoke(token=token, by=request.user)
        messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
        return redirect("api_service_tokens:index")


class ServiceTokenMenuItem(MenuItem):
    def is_shown(self, request):
        return may_manage(request.user)


class ServiceTokenViewSet(ViewSet):
    icon = "key"
    menu_label = gettext_lazy("API service tokens")
    menu_order = 910
    add_to_settings_menu = True
    menu_item_class = ServiceTokenMenuItem

    def get_urlpatterns(self):
        return [
            path("", ServiceTokenIndexView.as_view(), name="index"),
            path("add/", ServiceTokenCreateView.as_view(), name="add"),
            path("<int:token_id>/revoke/", ServiceTokenRevokeView.as_view(), name="revoke"),
        ]


service_token_viewset = ServiceTokenViewSet("api_service_tokens", url_prefix="service-tokens")
