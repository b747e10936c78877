"""Fixtures for the browser tests: chromium, the live site with its grading worker, a fresh page.

See live_site.py for how the live server, the worker and the test share one in-memory database.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connections
from playwright.sync_api import expect, sync_playwright

from . import chromium
from .accessibility import serve_axe
from .live_site import GradingWorker, take_turns

DATABASE_QUEUE = {
    "default": {
        "BACKEND": "django_tasks_db.backend.DatabaseBackend",
        "QUEUES": ["default", "grading", "runs", "certificates", "notifications"],
    }
}

#: Grading runs real kernels in the sandbox; on a busy 2-core machine a grade can take seconds.
GRADING_TIMEOUT_MS = 120_000


@pytest.fixture(scope="package")
def browser():
    """One chromium for the package, stopped before any other tests run.

    Playwright's sync API keeps an asyncio loop running on this thread, which makes Django refuse
    ORM calls here ("you cannot call this from an async context"). The test code's own database
    calls are synchronous and take their turn (live_site.database_turn), so the check is lifted
    for exactly as long as the browser runs.
    """
    # Django keeps connections per context, and Playwright's loop is a new one: the connection
    # Django uses from here on is a new wrapper of the same in-memory database, without the
    # snapshot that serialized rollback restores after a flush. Hand it over.
    snapshots = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            for alias, snapshot in snapshots.items():
                connections[alias]._test_serialized_contents = snapshot
            launched = chromium.launch(playwright)
            expect.set_options(timeout=20_000)
            yield launched
            launched.close()


@pytest.fixture
def site(live_server, settings, tmp_path):
    """The live server with the database task queue, absolute URLs and keys of its own."""
    settings.TASKS = DATABASE_QUEUE
    settings.WAGTAILADMIN_BASE_URL = live_server.url
    settings.PMA_CERT_KEYS_DIR = tmp_path / "keys"
    cache.clear()
    undo = take_turns(live_server)
    yield live_server
    undo()
    cache.clear()


@pytest.fixture
def grading_worker(site):
    worker = GradingWorker().start()
    yield worker
    worker.stop()
    failed = worker.failed_tasks()
    assert not failed, "Background tasks failed:\n" + "\n".join(failed)


@pytest.fixture
def page(browser, site):
    """A fresh browser context (no cookies) on the live site; fails the test on 500s or JS errors."""
    context = browser.new_context(
        base_url=site.url, viewport=chromium.VIEWPORT, accept_downloads=True
    )
    context.set_default_timeout(30_000)
    serve_axe(context, site.url)
    tab = context.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
    tab.on(
        "response",
        lambda response: (
            problems.append(f"HTTP {response.status} from {response.url}")
            if response.status >= 500
            else None
        ),
    )
    yield tab
    context.close()
    assert not problems, "The browser saw errors:\n" + "\n".join(problems)
