"""The LTI tool in the Wagtail admin (staff only: Django model permissions, which instructors do
not hold): LMS registrations with their deployments, LMS courses with an on-demand roster sync,
and the grade passback outbox with each failure's error."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from .models import LtiContext, PlatformRegistration, ScorePost, ScorePostStatus


class RegistrationViewSet(ModelViewSet):
    model = PlatformRegistration
    icon = "link-external"
    menu_label = _("LMS registrations")
    url_prefix = "lti/registrations"
    list_display = ["name", "issuer", "client_id", "active"]
    search_fields = ["name", "issuer", "client_id"]
    copy_view_enabled = False
    add_to_reference_index = False
    panels = [
        FieldPanel("name"),
        MultiFieldPanel(
            [
                FieldPanel("issuer"),
                FieldPanel("client_id"),
                FieldPanel("auth_login_url"),
                FieldPanel("auth_token_url"),
                FieldPanel("auth_audience"),
            ],
            heading=_("From the LMS"),
        ),
        MultiFieldPanel(
            [FieldPanel("key_set_url"), FieldPanel("public_key")],
            heading=_("The LMS's signing key"),
        ),
        InlinePanel("deployments", heading=_("Deployment IDs"), label=_("Deployment")),
        FieldPanel("frame_origins"),
        FieldPanel("instructors_edit_course"),
        FieldPanel("active"),
    ]


class ContextViewSet(ModelViewSet):
    model = LtiContext
    icon = "group"
    menu_label = _("LMS courses")
    url_prefix = "lti/contexts"
    add_view_enabled = False
    copy_view_enabled = False
    inspect_view_enabled = True
    add_to_reference_index = False
    list_filter = ["registration"]
    search_fields = ["title", "context_id"]
    form_fields = ["course"]
    list_display = [
        "title",
        "registration",
        "course",
        DateColumn("roster_synced_at", label=_("Roster synced")),
        Column("roster_error", label=_("Roster error")),
        Column(
            "sync",
            label=_("Roster"),
            accessor=lambda context: (
                format_html(
                    '<a class="button button-small button-secondary" href="{}">{}</a>',
                    reverse("lti_roster_sync", args=[context.pk]),
                    _("Sync now"),
                )
                if context.memberships_url
                else _("No roster service")
            ),
        ),
    ]


class ScorePostViewSet(ModelViewSet):
    model = ScorePost
    icon = "tasks"
    menu_label = _("Grade passback")
    url_prefix = "lti/scores"
    add_view_enabled = False
    edit_view_enabled = False
    copy_view_enabled = False
    inspect_view_enabled = True
    add_to_reference_index = False
    list_filter = ["status"]
    list_display = [
        "identity",
        "link",
        "score_given",
        "score_maximum",
        "status",
        "attempts",
        DateColumn("scored_at", label=_("Score time")),
        Column("last_error", label=_("Last error")),
        Column(
            "retry",
            label=_("Retry"),
            accessor=lambda post: (
                format_html(
                    '<a class="button button-small button-secondary" href="{}">{}</a>',
                    reverse("lti_score_retry", args=[post.pk]),
                    _("Send again"),
                )
                if post.status in (ScorePostStatus.FAILED, ScorePostStatus.GAVE_UP)
                else ""
            ),
        ),
    ]
    form_fields = ["status"]


class LtiViewSetGroup(ViewSetGroup):
    menu_label = _("LTI")
    menu_icon = "link-external"
    menu_order = 360
    items = (RegistrationViewSet, ContextViewSet, ScorePostViewSet)


@hooks.register("register_admin_viewset")
def register_lti_viewsets():
    return LtiViewSetGroup()


@permission_required("lti.change_lticontext", raise_exception=True)
def roster_sync_view(request, pk: int):
    """GET: confirm; POST: sync the LMS course's roster (a task) and say how it went."""
    from .tasks import roster_sync_task

    context = get_object_or_404(LtiContext, pk=pk)
    if request.method != "POST":
        return render(request, "lti/admin/roster_sync_confirm.html", {"context_record": context})
    roster_sync_task.enqueue(context_id=context.pk)
    context.refresh_from_db()
    if context.roster_error:
        messages.error(request, _("The roster could not be read: %s") % context.roster_error)
    else:
        messages.success(request, _("Roster sync for “%s” has started.") % context)
    return redirect(ContextViewSet().get_url_name("index"))


@permission_required("lti.change_scorepost", raise_exception=True)
def score_retry_view(request, pk: int):
    """GET: confirm; POST: send a failed or given-up score to the LMS again, now."""
    from .scores import score_post_retry_now

    post = get_object_or_404(ScorePost, pk=pk)
    if request.method != "POST":
        return render(request, "lti/admin/score_retry_confirm.html", {"post": post})
    attempts = post.attempts
    score_post_retry_now(post=post)
    post.refresh_from_db()
    if post.status == ScorePostStatus.SENT:
        messages.success(request, _("The score was sent to the LMS."))
    elif post.attempts > attempts or post.status == ScorePostStatus.GAVE_UP:
        messages.error(request, _("The LMS refused the score again: %s") % post.last_error)
    else:
        messages.success(request, _("The score will be sent again in a moment."))
    return redirect(ScorePostViewSet().get_url_name("index"))


@hooks.register("register_admin_urls")
def register_lti_admin_urls():
    return [
        path("lti/roster-sync/<int:pk>/", roster_sync_view, name="lti_roster_sync"),
        path("lti/score-retry/<int:pk>/", score_retry_view, name="lti_score_retry"),
    ]
