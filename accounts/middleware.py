"""Keep learners out of the Wagtail and Django admins.

Wagtail already refuses users without `wagtailadmin.access_admin`, but it answers
with its own login page; learners get sent to their dashboard instead.
"""

from django.shortcuts import redirect

ADMIN_PREFIXES = ("/admin/", "/django-admin/")


class LearnersStayOutOfAdminMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and request.path.startswith(ADMIN_PREFIXES)
            and not (user.is_staff or user.is_superuser or user.has_perm("wagtailadmin.access_admin"))
        ):
            return redirect("dashboard")
        return self.get_response(request)
