"""The design system's contract: the shared class vocabulary, AA contrast, nothing from the network."""

import re
from pathlib import Path

import pytest
from django.conf import settings

CSS_PATH = Path(settings.BASE_DIR) / "static" / "css" / "pma.css"
CSS = CSS_PATH.read_text()

# The vocabulary other apps' templates rely on (see the course and grading templates).
VOCABULARY = [
    "container",
    "container--narrow",
    "stack",
    "cluster",
    "grid",
    "grid--cards",
    "sidebar-layout",
    "page-header",
    "breadcrumbs",
    "card",
    "card__title",
    "card__meta",
    "badge",
    "badge--level",
    "tag",
    "tag-list",
    "btn",
    "btn--primary",
    "btn--secondary",
    "btn--link",
    "progress",
    "progress__label",
    "callout",
    "callout--info",
    "callout--tip",
    "callout--warning",
    "empty-state",
    "visually-hidden",
    "table-wrap",
    "prose",
    "form",
    "form-field",
    "field-help",
    "errorlist",
    "form-actions",
    "messages",
    "message--success",
    "message--error",
    "message--info",
    "message--warning",
    "skip-link",
]


def custom_properties() -> dict[str, str]:
    return dict(re.findall(r"(--pma-color-[a-z-]+):\s*(#[0-9a-fA-F]{6})\s*;", CSS))


def relative_luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(foreground: str, background: str) -> float:
    lighter, darker = sorted(
        (relative_luminance(foreground), relative_luminance(background)), reverse=True
    )
    return (lighter + 0.05) / (darker + 0.05)


TEXT_PAIRS = [
    ("text", "bg"),
    ("text", "surface"),
    ("text", "subtle"),
    ("text-muted", "bg"),
    ("text-muted", "surface"),
    ("text-muted", "subtle"),
    ("primary", "bg"),
    ("primary", "surface"),
    ("primary", "subtle"),
    ("primary-hover", "bg"),
    ("primary-hover", "subtle"),
    ("on-primary", "primary"),
    ("on-primary", "primary-hover"),
    ("danger", "bg"),
    ("info-text", "info-bg"),
    ("tip-text", "tip-bg"),
    ("warning-text", "warning-bg"),
    ("error-text", "error-bg"),
    ("level-text", "level-bg"),
    ("tag-text", "tag-bg"),
    ("text", "info-bg"),
    ("text", "warning-bg"),
]
# WCAG 1.4.11: borders of controls and focus indicators need 3:1 against what surrounds them.
NON_TEXT_PAIRS = [
    ("control-border", "bg"),
    ("focus", "bg"),
    ("focus", "surface"),
    ("primary", "subtle"),
]


@pytest.mark.parametrize("class_name", VOCABULARY)
def test_every_shared_class_is_styled(class_name):
    assert re.search(rf"\.{re.escape(class_name)}(?![\w-])", CSS), f".{class_name} has no rule"


@pytest.mark.parametrize(("foreground", "background"), TEXT_PAIRS)
def test_text_colours_meet_wcag_aa(foreground, background):
    colours = custom_properties()
    ratio = contrast_ratio(
        colours[f"--pma-color-{foreground}"], colours[f"--pma-color-{background}"]
    )
    assert ratio >= 4.5, f"{foreground} on {background}: {ratio:.2f}:1"


@pytest.mark.parametrize(("foreground", "background"), NON_TEXT_PAIRS)
def test_control_borders_and_focus_rings_meet_wcag_aa(foreground, background):
    colours = custom_properties()
    ratio = contrast_ratio(
        colours[f"--pma-color-{foreground}"], colours[f"--pma-color-{background}"]
    )
    assert ratio >= 3, f"{foreground} on {background}: {ratio:.2f}:1"


def test_contrast_formula_matches_the_wcag_reference_values():
    assert round(contrast_ratio("#000000", "#ffffff"), 2) == 21.0
    assert round(contrast_ratio("#767676", "#ffffff"), 2) == 4.54


def test_motion_and_focus_are_handled():
    assert "@media (prefers-reduced-motion: reduce)" in CSS
    assert ":focus-visible" in CSS
    assert "@font-face" not in CSS
    assert "system-ui" in CSS


def own_front_end_files() -> list[Path]:
    base = Path(settings.BASE_DIR)
    blocks = base / "templates" / "blocks"
    files = [
        *base.joinpath("templates").rglob("*.html"),
        *base.joinpath("accounts", "templates").rglob("*.html"),
        *base.joinpath("static").rglob("*.css"),
        *base.joinpath("static").rglob("*.js"),
    ]
    return [path for path in files if blocks not in path.parents]


def test_nothing_is_loaded_from_another_site():
    remote = re.compile(
        r"""(?:src|href)\s*=\s*["'](?:https?:)?//|url\(\s*["']?(?:https?:)?//|@import"""
    )
    offenders = [str(path) for path in own_front_end_files() if remote.search(path.read_text())]
    assert offenders == []
    assert len(own_front_end_files()) > 20
