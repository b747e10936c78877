"""The learner's profile page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from .forms import ProfileForm
from .selectors import user_account_security
from .services import user_set_certificate_name


@login_required
def profile(request):
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            user_set_certificate_name(
                user=request.user, certificate_name=form.cleaned_data["certificate_name"]
            )
            messages.success(request, "Your name on certificates is saved.")
            return redirect("profile")
    else:
        form = ProfileForm(initial={"certificate_name": request.user.certificate_name})
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "security": user_account_security(user=request.user)},
    )
