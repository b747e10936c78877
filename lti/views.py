"""The LTI endpoints: the tool's JWKS, OIDC login initiation, the launch, and the deep linking
picker. Thin: validation is pylti1p3's (through lti.launches), the rest is services; every
refusal becomes a translated page with a 4xx status, and is logged."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from pylti1p3.exception import LtiException, OIDCException

from . import deep_linking, framing
from .keys import tool_jwks
from .launches import (
    LaunchRefused,
    PmaMessageLaunch,
    PmaOIDCLogin,
    launch_registration,
    refusal_for,
    resource_launch_accept,
    validated_launch,
)
from .models import LtiRole
from .roster import roster_sync_soon

logger = logging.getLogger("pma.lti")

LOGIN_PARAMS = (
    "iss",
    "login_hint",
    "target_link_uri",
    "lti_message_hint",
    "lti_deployment_id",
    "client_id",
)
CHECKED_PARAM = "pma_cookies_checked"
COOKIE_CHECK = "pma_lti_cookie_check"


def refused(request: HttpRequest, refusal: LaunchRefused, *, step: str) -> HttpResponse:
    logger.warning(
        "LTI %s refused (%s): %s",
        step,
        refusal.status,
        refusal.reason,
        extra={"lti_step": step, "lti_reason": refusal.reason},
    )
    return render(request, "lti/refused.html", {"message": refusal.message}, status=refusal.status)


@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(tool_jwks())
    # LMSs cache it; short enough that a rotation reaches them within minutes.
    response["Cache-Control"] = "public, max-age=300"
    return response


def _param(request: HttpRequest, name: str) -> str:
    return request.GET.get(name) or request.POST.get(name) or ""


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def login_initiation(request: HttpRequest) -> HttpResponse:
    """Step 1 of the launch: the LMS sends the browser here; the tool sends it back to the LMS's
    authorization endpoint with a state (cookie) and a nonce.

    Inside an iframe, a browser that blocks third-party cookies would lose the state cookie, so
    the first visit is a small page whose script (lti/cookie-check.js, no inline script: CSP)
    checks that cookies stick and otherwise offers to open the tool in a new window."""
    params = {name: _param(request, name) for name in LOGIN_PARAMS if _param(request, name)}
    if not _param(request, CHECKED_PARAM):
        continue_url = f"{request.path}?{urlencode({**params, CHECKED_PARAM: '1'})}"
        response = render(request, "lti/cookie_check.html", {"continue_url": continue_url})
        # Set by the server with the attributes pylti1p3 gives its state cookie, so the page's
        # script sees whether such a cookie sticks in this frame (readable: not HttpOnly).
        secure = request.is_secure()
        response.set_cookie(
            COOKIE_CHECK,
            "1",
            max_age=300,
            secure=secure,
            httponly=False,
            samesite="None" if secure else None,  # type: ignore[arg-type]
        )
        return response
    try:
        oidc = PmaOIDCLogin(request)
        return oidc.redirect(request.build_absolute_uri(reverse("lti:launch")))
    except (LtiException, OIDCException) as error:
        return refused(request, refusal_for(error), step="login")


@csrf_exempt
@never_cache
@require_POST
def launch(request: HttpRequest) -> HttpResponse:
    """Step 2: the LMS posts the id_token here. A resource launch signs the person in and opens
    the course, lesson or exercise; a deep linking launch opens the picker."""
    try:
        message = validated_launch(request)
        if message.is_deep_link_launch():
            return _deep_link_start(request, message)
        accepted = resource_launch_accept(launch=message, request=request)
    except LaunchRefused as refusal:
        return refused(request, refusal, step="launch")
    user = accepted.identity.user
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    framing.remember_launch(request, registration=accepted.registration)
    if accepted.context is not None:
        roster_sync_soon(context=accepted.context)
    return redirect(accepted.resource.url)


def _deep_link_start(request: HttpRequest, message: PmaMessageLaunch) -> HttpResponse:
    from .launches import identity_for, launch_role

    if launch_role(message) != LtiRole.INSTRUCTOR:
        raise LaunchRefused(
            reason="deep linking request without an instructor role",
            message=_("Only instructors can choose PM Academy content for an LMS course."),
        )
    registration = launch_registration(message)
    body = message.body
    identity = identity_for(
        registration=registration,
        issuer=body["iss"],
        sub=body.get("sub", ""),
        name=body.get("name", ""),
        email=body.get("email", ""),
    )
    login(request, identity.user, backend="django.contrib.auth.backends.ModelBackend")
    framing.remember_launch(request, registration=registration)
    launch_id = message.get_launch_id()
    deep_linking.remember(request, launch_id=launch_id)
    return redirect("lti:deep_link", launch_id=launch_id)


@never_cache
@require_http_methods(["GET", "POST"])
def deep_link(request: HttpRequest, launch_id: str) -> HttpResponse:
    """Step 3 of deep linking: the instructor picks lessons and exercises; the tool answers the
    LMS with a signed deep linking response (pylti1p3's DeepLink), posted by the browser."""
    if not deep_linking.is_mine(request, launch_id=launch_id):
        return refused(
            request,
            LaunchRefused(
                reason=f"deep linking session {launch_id} not in this browser session",
                message=_(
                    "This content picker has expired or belongs to another session. Choose "
                    "“Select content” in your LMS again."
                ),
            ),
            step="deep link",
        )
    try:
        message = PmaMessageLaunch.restore(launch_id, request)
    except LtiException as error:
        return refused(request, refusal_for(error), step="deep link")
    choices = deep_linking.choices()
    if request.method == "POST":
        picked = deep_linking.picked(choices, request.POST.getlist("item"))
        if not picked:
            return render(
                request,
                "lti/deep_link.html",
                {"choices": choices, "error": _("Pick at least one lesson or exercise.")},
                status=400,
            )
        response = deep_linking.respond(request, message=message, picked=picked)
        deep_linking.forget(request, launch_id=launch_id)
        return response
    return render(request, "lti/deep_link.html", {"choices": choices})
