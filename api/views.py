"""A person's own API tokens, in their account settings: list, make (shown once), revoke."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .forms import PersonalTokenForm
from .models import TokenKind
from .tokens import personal_tokens, token_create, token_revoke


def _page(request, form, *, new_token=None, status=200):
    response = render(
        request,
        "api/tokens.html",
        {"form": form, "tokens": personal_tokens(user=request.user), "new_token": new_token},
        status=status,
    )
    # The page may show a token once; no cache may keep it.
    response["Cache-Control"] = "no-store"
    return response


@login_required
def token_list(request):
    if request.method != "POST":
        return _page(request, PersonalTokenForm())
    form = PersonalTokenForm(request.POST)
    if form.is_valid():
        try:
            new = token_create(
                kind=TokenKind.PERSONAL,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_at=form.expires_at(),
                user=request.user,
                created_by=request.user,
            )
        except ValidationError as error:
            for field, errors in (
                error.message_dict.items()
                if hasattr(error, "error_dict")
                else [(None, error.messages)]
            ):
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            # Shown in this response only: reloading does not show it again.
            return _page(request, PersonalTokenForm(), new_token=new)
    return _page(request, form, status=400)


@login_required
@require_POST
def token_revoke_view(request, token_id: int):
    token = get_object_or_404(personal_tokens(user=request.user), pk=token_id)
    token_revoke(token=token, by=request.user)
    messages.success(
        request,
        _("Token “%(name)s” revoked. Requests with it are refused from now on.")
        % {"name": token.name},
    )
    return redirect("api_tokens:list")
