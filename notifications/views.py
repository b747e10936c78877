"""The in-site notification list, e-mail preferences, and the unsubscribe link from e-mails.

Thin views: load, call one service, say what happened, redirect.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from .models import NotificationKind
from .selectors import notifications_for, preferences_for
from .services import (
    notification_mark_read,
    notifications_mark_all_read,
    preference_set,
    unsubscribe_token_read,
)

PAGE_SIZE = 25


@login_required
def notification_list(request):
    page = Paginator(notifications_for(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notifications/notification_list.html",
        {"page_obj": page, "has_unread": any(n.read_at is None for n in page)},
    )


@login_required
@require_POST
def notification_open(request, notification_id: int):
    """Mark read and go where the notification leads (only ever to this site)."""
    notification = notification_mark_read(user=request.user, notification_id=notification_id)
    if notification is None:
        messages.error(request, _("That notification is not yours or no longer exists."))
        return redirect("notifications:list")
    target = notification.url
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read(request, notification_id: int):
    if notification_mark_read(user=request.user, notification_id=notification_id) is None:
        messages.error(request, _("That notification is not yours or no longer exists."))
    return redirect(_back_to_list(request))


@login_required
@require_POST
def notifications_read_all(request):
    count = notifications_mark_all_read(user=request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications:list")


def _back_to_list(request) -> str:
    page = request.POST.get("page", "")
    return f"/notifications/?page={int(page)}" if page.isdigit() else "/notifications/"


@login_required
def preferences(request):
    kinds = preferences_for(user=request.user)
    if request.method == "POST":
        chosen = set(request.POST.getlist("email"))
        for preference in kinds:
            wanted = preference.kind in chosen
            if wanted != preference.email_enabled:
                preference_set(user=request.user, kind=preference.kind, email_enabled=wanted)
        messages.success(request, _("Your e-mail preferences are saved."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"kinds": kinds})


# The token is the credential: a mail client's one-click POST (RFC 8058) carries no CSRF token
# and no session. It can only switch one kind of e-mail off, and doing so twice changes nothing.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    found = unsubscribe_token_read(token)
    if found is None:
        return render(request, "notifications/unsubscribe_invalid.html", status=400)
    user, kind = found
    context = {"kind_label": NotificationKind(kind).label, "email": user.email}
    if request.method == "GET":
        # Link scanners and previews fetch GET: it only asks, never unsubscribes.
        return render(request, "notifications/unsubscribe_confirm.html", context)
    preference_set(user=user, kind=kind, email_enabled=False)
    return render(request, "notifications/unsubscribe_done.html", context)
