"""Debian's chromium driven by Playwright for Python (never a browser downloaded by Playwright)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

CHROMIUM = Path(os.environ.get("PMA_CHROMIUM", "/usr/bin/chromium"))

# Flags that let chromium run headless as root in a container, with no traffic of its own:
# no update checks, sync, QUIC probes or first-run pages reaching for the network.
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

#: Every page and screenshot is taken at this size (the README's screenshots are 1280 wide).
VIEWPORT = {"width": 1280, "height": 900}


def chromium_path() -> str:
    """The chromium binary, or a failure that says how to get it."""
    found = CHROMIUM if CHROMIUM.is_file() else None
    if found is None and shutil.which("chromium"):
        found = Path(shutil.which("chromium") or "")
    if found is None:
        raise RuntimeError(
            f"The browser tests need Debian's chromium at {CHROMIUM}, and it is missing. "
            "`make test` installs it (PMA_WITH_TEST_SERVERS=1 bash scripts/system-deps.sh), "
            "or run: apt-get install chromium"
        )
    return str(found)


def launch(playwright):
    """A headless chromium; Playwright gives each launch a fresh, temporary user data directory."""
    return playwright.chromium.launch(
        executable_path=chromium_path(), headless=True, args=LAUNCH_ARGS
    )
