"""DESIGN.md's dependency rules, checked on the source: imports run one way only."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Lowest first: an app may import the tiers before its own, never the ones after it
# (DESIGN.md: accounts, ops <- exercises <- grading <- courses <- certificates; the demo content
# builds on all of them and nothing imports it).
TIERS = [
    ("accounts", "ops", "notifications"),
    ("exercises",),
    ("grading",),
    ("courses",),
    ("certificates", "announcements", "api", "lti", "privacy"),
    ("demo",),
]
LAYERS = [app for tier in TIERS for app in tier]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def python_files(folder: str) -> list[Path]:
    return [p for p in (ROOT / folder).rglob("*.py") if "migrations" not in p.parts]


@pytest.mark.parametrize("app", LAYERS)
def test_an_app_never_imports_a_higher_one(app):
    tier = next(index for index, apps in enumerate(TIERS) if app in apps)
    higher = [other for apps in TIERS[tier + 1 :] for other in apps]
    offenders = sorted(
        f"{path.relative_to(ROOT)} imports {name}"
        for path in python_files(app)
        for name in imported_modules(path)
        if name.split(".")[0] in higher
    )
    assert offenders == []


@pytest.mark.parametrize("package", ["grading/engine", "exercises/format"])
def test_the_engine_and_the_format_know_nothing_of_django(package):
    offenders = sorted(
        f"{path.relative_to(ROOT)} imports {name}"
        for path in python_files(package)
        for name in imported_modules(path)
        if name.split(".")[0] in {"django", "wagtail", *LAYERS}
        and not name.startswith(("exercises.format", "grading.engine"))
    )
    assert offenders == []


def test_browser_tests_live_in_the_e2e_package():
    """The browser fixture lives for the tests/e2e package, so Playwright's event loop stops
    before any other test runs. Imported into another package it outlived that package: every
    later browser test failed to start and DJANGO_ALLOW_ASYNC_UNSAFE stayed set."""
    tests_dir = Path(__file__).resolve().parent
    offenders = [
        str(path.relative_to(tests_dir))
        for path in tests_dir.rglob("*.py")
        if "e2e" not in path.relative_to(tests_dir).parts
        and (
            "tests.e2e.conftest" in path.read_text(encoding="utf-8")
            or "sync_playwright" in path.read_text(encoding="utf-8")
        )
        and path.name != "test_architecture.py"
    ]
    assert offenders == []
