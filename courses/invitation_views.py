"""The link in an invitation e-mail: it proves the address, then signs up, logs in or enrols.

- Nobody logged in, no account for the address: the address is stashed as verified (allauth's
  adapter) and the sign-up form opens with it filled in; signing up accepts the invitation
  (courses.receivers → courses.invitations.invitations_accept_for).
- Nobody logged in, an account exists: log in first, then back here.
- Logged in with the invited address: accepted at once, on to the course.
- Logged in as someone else, or the link used, withdrawn or expired: a page that says so.
"""

from __future__ import annotations

from urllib.parse import urlencode

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .invitations import invitation_find, invitations_accept_for


@require_GET
def invitation_open(request, token: str):
    invitation = invitation_find(token=token)
    if invitation is None:
        return render(request, "courses/invitation_invalid.html", status=404)
    course_url = invitation.course.url or "/"
    here = request.get_full_path()
    if request.user.is_authenticated:
        mine = EmailAddress.objects.filter(
            user=request.user, email__iexact=invitation.email, verified=True
        ).exists() or (request.user.email.lower() == invitation.email)
        if not mine:
            return render(
                request,
                "courses/invitation_invalid.html",
                {"other_account": True, "invitation": invitation},
                status=403,
            )
        if not EmailAddress.objects.filter(
            user=request.user, email__iexact=invitation.email, verified=True
        ).exists():
            # Following the e-mailed link proves the address.
            EmailAddress.objects.update_or_create(
                user=request.user, email=request.user.email, defaults={"verified": True}
            )
        invitations_accept_for(user=request.user)
        messages.success(
            request, _("You are enrolled in %(course)s.") % {"course": invitation.course.title}
        )
        return HttpResponseRedirect(course_url)
    if get_user_model().objects.filter(email__iexact=invitation.email).exists():
        messages.info(request, _("Log in to accept your invitation."))
        return redirect(f"{reverse('account_login')}?{urlencode({'next': here})}")
    get_adapter(request).stash_verified_email(request, invitation.email)
    query = urlencode({"email": invitation.email, "next": course_url})
    return redirect(f"{reverse('account_signup')}?{query}")
