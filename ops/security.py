"""Content-Security-Policy and Permissions-Policy, built from settings.

The public site runs no inline script or style, so its policy is strict. The Wagtail and Django
admins render inline <script> blocks (inline panels, date widgets) and style attributes, so paths
under PMA_CSP_RELAXED_PATHS get PMA_CSP_RELAXED merged over the strict policy. The plain 500
page carries its own inline <style> (it may not load static files); its hash is allowed.
"""

import base64
import hashlib
import re
from functools import cache
from pathlib import Path
from typing import cast

from django.conf import settings

_INLINE_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)


def csp_header(directives: dict[str, list[str]]) -> str:
    return "; ".join(
        f"{name} {' '.join(sources)}" if sources else name for name, sources in directives.items()
    )


def csp_for_path(path: str, *, status_code: int = 200) -> str:
    directives = {name: list(sources) for name, sources in settings.PMA_CSP.items()}
    if path.startswith(tuple(settings.PMA_CSP_RELAXED_PATHS)):
        directives.update(
            {name: list(sources) for name, sources in settings.PMA_CSP_RELAXED.items()}
        )
    elif status_code >= 500:
        directives["style-src"] = [*directives.get("style-src", []), *server_error_style_hashes()]
    return csp_header(directives)


@cache
def server_error_style_hashes() -> tuple[str, ...]:
    """CSP hash sources for the inline styles of templates/500.html, read once per process."""
    folders = cast(list[str], settings.TEMPLATES[0].get("DIRS", []))
    for folder in folders:
        template = Path(folder) / "500.html"
        if template.is_file():
            styles = _INLINE_STYLE.findall(template.read_text(encoding="utf-8"))
            return tuple(f"'sha256-{_sha256_base64(style)}'" for style in styles)
    return ()


def _sha256_base64(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def permissions_policy_header(features: dict[str, list[str]]) -> str:
    return ", ".join(f"{feature}=({' '.join(allow)})" for feature, allow in features.items())
