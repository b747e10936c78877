"""The learner's privacy page: request a data export (with its progress and download link),
request account deletion after a grace period, cancel it. Thin views over privacy.services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .forms import ErasureRequestForm
from .models import ErasureStatus, ExportStatus
from .services import (
    PrivacyRefused,
    erasure_cancel,
    erasure_grace_days,
    erasure_pending,
    erasure_request,
    export_days,
    export_download_url,
    export_downloaded,
    export_from_signature,
    export_is_downloadable,
    export_latest,
    export_of,
    export_request,
)


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response


def _page(request, *, form=None, status=200):
    export = export_latest(user=request.user)
    context = {
        "export": export,
        "export_download_url": (
            export_download_url(export=export)
            if export is not None and export_is_downloadable(export)
            else None
        ),
        "export_days": export_days(),
        "erasure": erasure_pending(user=request.user),
        "grace_days": erasure_grace_days(),
        "form": form or ErasureRequestForm(),
        "may_delete": not (request.user.is_staff or request.user.is_superuser),
    }
    return _no_store(render(request, "privacy/privacy.html", context, status=status))


@login_required
@require_GET
def privacy_page(request):
    return _page(request)


@login_required
@require_POST
def export_request_view(request):
    export, created = export_request(user=request.user)
    if created:
        messages.success(
            request, _("Your data export has started. This page shows when it is ready.")
        )
    else:
        messages.info(request, _("Your data export is already being built."))
    return redirect("privacy:page")


@login_required
@require_GET
def export_status(request, export_id: int):
    export = export_of(user=request.user, export_id=export_id)
    if export is None:
        raise Http404
    ready = export_is_downloadable(export)
    return _no_store(
        JsonResponse(
            {
                "status": export.status,
                "label": str(ExportStatus(export.status).label),
                "progress": export.progress,
                "done": not export.is_active,
                "download_url": export_download_url(export=export) if ready else None,
            }
        )
    )


@login_required
@require_GET
def export_download(request, signature: str):
    export = export_from_signature(user=request.user, signature=signature)
    if export is None:
        raise Http404
    try:
        handle = export.file.storage.open(str(export.file.name), "rb")
    except OSError as error:
        raise Http404 from error
    export_downloaded(export=export)
    response = FileResponse(
        handle, as_attachment=True, filename="pm-academy-data.zip", content_type="application/zip"
    )
    return _no_store(response)


@login_required
@require_POST
def erasure_request_view(request):
    form = ErasureRequestForm(request.POST)
    if not form.is_valid():
        return _page(request, form=form, status=400)
    try:
        erasure, created = erasure_request(
            user=request.user,
            keep_certificates_public=form.cleaned_data["keep_certificates_public"],
        )
    except PrivacyRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("privacy:page")
    if created:
        messages.success(
            request, _("Your account deletion is scheduled. You can cancel it here until then.")
        )
    else:
        messages.info(request, _("Your account deletion was already scheduled."))
    return redirect("privacy:page")


@login_required
@require_POST
def erasure_cancel_view(request):
    erasure = erasure_pending(user=request.user)
    if erasure is not None and erasure_cancel(erasure=erasure, actor=request.user):
        messages.success(
            request, _("Your account deletion is cancelled. Your account stays as it is.")
        )
    elif erasure is None or erasure.status != ErasureStatus.PENDING:
        messages.info(request, _("There is no account deletion to cancel."))
    return redirect("privacy:page")
