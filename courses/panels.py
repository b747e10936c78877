"""Extension point for the learner dashboard.

Higher apps (certificates) must not be imported by courses, so they contribute panels
through a Wagtail hook: a function registered under `LEARNER_DASHBOARD_PANELS_HOOK`
takes the request and returns HTML (or an empty string to show nothing).
"""

from __future__ import annotations

from django.utils.safestring import SafeString
from wagtail import hooks

LEARNER_DASHBOARD_PANELS_HOOK = "learner_dashboard_panels"


def dashboard_panels(request) -> list[SafeString]:
    return [
        html for panel in hooks.get_hooks(LEARNER_DASHBOARD_PANELS_HOOK) if (html := panel(request))
    ]
