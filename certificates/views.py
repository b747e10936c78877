"""Public verification, the learner's certificates, downloads, and the issuer's published data."""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import issuer as issuer_module
from .credentials import STATUS_LIST_SIZE
from .forms import CodeForm, CredentialUploadForm, ShareForm
from .models import Certificate, Validity
from .rendering import PageSize
from .selectors import certificate_by_code, learner_certificates
from .services import certificate_letter_render, certificate_share_set
from .sharing import linkedin_add_url
from .throttling import client_address, verification_allowed
from .verification import credential_check, status_list_credential

JSON_LD = "application/ld+json"


def _rate_limited(request) -> HttpResponse | None:
    if verification_allowed(client=client_address(request)):
        return None
    response = render(request, "certificates/rate_limited.html", status=429)
    response["Retry-After"] = "60"
    return response


def _not_found(request) -> HttpResponse:
    # The same page for malformed and for unknown codes: nothing to learn from the difference.
    return render(request, "certificates/verify_not_found.html", {"form": CodeForm()}, status=404)


@require_http_methods(["GET", "POST"])
def verify_index(request):
    code_form = CodeForm(request.GET or None)
    upload_form = CredentialUploadForm()
    check = None
    if request.method == "POST":
        if limited := _rate_limited(request):
            return limited
        upload_form = CredentialUploadForm(request.POST, request.FILES)
        if upload_form.is_valid():
            check = credential_check(data=upload_form.cleaned_data["file"].read())
    elif code_form.is_bound:
        if limited := _rate_limited(request):
            return limited
        if code_form.is_valid():
            certificate = certificate_by_code(code=code_form.cleaned_data["code"])
            if certificate is None:
                return _not_found(request)
            return redirect("certificates:verify", code=certificate.code)
    return render(
        request,
        "certificates/verify_index.html",
        {"code_form": code_form, "upload_form": upload_form, "check": check},
        status=200 if check is None or check.signature_ok else 422,
    )


@require_GET
def verify(request, code: str):
    if limited := _rate_limited(request):
        return limited
    certificate = certificate_by_code(code=code)
    if certificate is None:
        return _not_found(request)
    return render(
        request,
        "certificates/verify.html",
        {
            "certificate": certificate,
            "validity": certificate.validity(),
            "issuer": issuer_module.issuer(),
            "verify_url": issuer_module.verify_url(certificate.code),
        },
    )


@login_required
def my_certificates(request):
    return render(
        request,
        "certificates/my_certificates.html",
        {"certificates": learner_certificates(learner=request.user)},
    )


def _can_see_private(user, certificate: Certificate) -> bool:
    return user.is_authenticated and (
        certificate.learner_id == user.pk or user.has_perm("certificates.view_certificate")
    )


def _certificate_for_viewer(request, code: str) -> Certificate | HttpResponse:
    """The certificate if this viewer may open its share page and files; else a response."""
    certificate = certificate_by_code(code=code)
    if certificate is None:
        raise Http404("No such certificate")
    if certificate.name_withheld:
        return _name_withheld(request, certificate)
    if certificate.shared or _can_see_private(request.user, certificate):
        return certificate
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise Http404("No such certificate")


@require_GET
def share(request, code: str):
    certificate = _certificate_for_viewer(request, code)
    if isinstance(certificate, HttpResponse):
        return certificate
    is_owner = request.user.is_authenticated and certificate.learner_id == request.user.pk
    return render(
        request,
        "certificates/share.html",
        {
            "certificate": certificate,
            "validity": certificate.validity(),
            "is_owner": is_owner,
            "share_url": issuer_module.absolute(request.path),
            "verify_url": issuer_module.verify_url(certificate.code),
            "linkedin_url": linkedin_add_url(certificate=certificate),
            "share_form": ShareForm(initial={"shared": certificate.shared}),
            "issuer": issuer_module.issuer(),
            "page_sizes": PageSize.choices,
        },
    )


@login_required
@require_POST
def sharing(request, code: str):
    certificate = certificate_by_code(code=code)
    if certificate is None or certificate.learner_id != request.user.pk:
        raise Http404("No such certificate")
    form = ShareForm(request.POST)
    shared = form.is_valid() and form.cleaned_data["shared"]
    certificate_share_set(certificate=certificate, learner=request.user, shared=shared)
    if shared:
        messages.success(
            request, _("Anyone with the link can now see and download this certificate.")
        )
    else:
        messages.success(
            request,
            _("Only you can download this certificate now. Verification by code still works."),
        )
    return redirect("certificates:share", code=certificate.code)


def _name_withheld(request, certificate: Certificate) -> HttpResponse:
    """The learner closed their account and had their name removed: its files are gone."""
    return render(
        request,
        "certificates/name_withheld.html",
        {"certificate": certificate, "verify_url": issuer_module.verify_url(certificate.code)},
        status=404,
    )


def _unavailable(request, certificate: Certificate) -> HttpResponse | None:
    if certificate.name_withheld:
        return _name_withheld(request, certificate)
    if certificate.validity() == Validity.REVOKED:
        return render(
            request, "certificates/revoked.html", {"certificate": certificate}, status=410
        )
    if not certificate.is_rendered:
        return _being_prepared(request, certificate)
    return None


def _being_prepared(request, certificate: Certificate) -> HttpResponse:
    response = render(
        request, "certificates/pending.html", {"certificate": certificate}, status=503
    )
    response["Retry-After"] = "30"
    return response


@require_GET
def download_pdf(request, code: str, page_size: str):
    if page_size not in PageSize.values:
        raise Http404("No such page size")
    certificate = _certificate_for_viewer(request, code)
    if isinstance(certificate, HttpResponse):
        return certificate
    if unavailable := _unavailable(request, certificate):
        return unavailable
    if page_size == PageSize.LETTER:
        certificate = certificate_letter_render(certificate=certificate)
    stored = certificate.pdf_for(page_size)
    if not stored:
        return _being_prepared(request, certificate)
    # The stored name sits in a fresh random directory each time the PDF is rendered, so it
    # identifies this exact file without reading it; hashed, it reveals nothing of the path.
    etag = f'"{hashlib.sha256(stored.name.encode()).hexdigest()[:32]}"'
    not_modified = get_conditional_response(
        request, etag=etag, last_modified=_timestamp(certificate.rendered_at)
    )
    if not_modified is not None:
        return _private_cache(not_modified, etag=etag)
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        return _being_prepared(request, certificate)
    download = FileResponse(
        handle,
        content_type="application/pdf",
        as_attachment="inline" not in request.GET,
        filename=f"{certificate.code}-{page_size}.pdf",
    )
    if certificate.rendered_at is not None:
        download["Last-Modified"] = http_date(certificate.rendered_at.timestamp())
    return _private_cache(download, etag=etag)


def _timestamp(moment) -> int | None:
    return int(moment.timestamp()) if moment is not None else None


def _private_cache(response: HttpResponseBase, *, etag: str) -> HttpResponseBase:
    # A browser may keep the file but must ask again every time (a cheap 304), so revoking or
    # unsharing takes effect at once; shared caches must never hold it.
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response


@require_GET
def download_credential(request, code: str):
    certificate = _certificate_for_viewer(request, code)
    if isinstance(certificate, HttpResponse):
        return certificate
    if unavailable := _unavailable(request, certificate):
        return unavailable
    response = HttpResponse(certificate.credential, content_type=JSON_LD + "; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{certificate.code}.credential.json"'
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
@require_GET
def status_list(request, list_number: int):
    if list_number < 1 or list_number > _status_lists_in_use():
        raise Http404("No such status list")
    return _json(status_list_credential(list_number=list_number))


def _status_lists_in_use() -> int:
    highest = (
        Certificate.objects.order_by("-status_index").values_list("status_index", flat=True).first()
    )
    return 1 if highest is None else highest // STATUS_LIST_SIZE + 1


@require_GET
def issuer_profile(request):
    return _json(issuer_module.controller_document())


@require_GET
def issuer_keys(request):
    return _json(issuer_module.controller_document())


def _json(document: dict) -> JsonResponse:
    response = JsonResponse(
        document, content_type=JSON_LD, json_dumps_params={"indent": 2, "ensure_ascii": False}
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response
