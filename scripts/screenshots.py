"""`make screenshots`: saves the key pages of the flagship demo course as 1280-wide PNGs in
docs/screenshots/ (the README's pictures).

It runs tests/e2e/screenshots.py with pytest, so the pages come from the same live server,
grading worker and chromium as the browser tests, with the content `make run` loads.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    env.setdefault("PMA_SCREENSHOTS_DIR", str(ROOT / "docs" / "screenshots"))
    command = [
        str(ROOT / ".venv" / "bin" / "pytest"),
        "-q",
        "-p",
        "no:cacheprovider",
        "tests/e2e/screenshots.py",
    ]
    status = subprocess.call(command, cwd=ROOT, env=env)  # noqa: S603 (our own pytest, fixed arguments)
    if status == 0:
        saved = sorted(Path(env["PMA_SCREENSHOTS_DIR"]).glob("*.png"))
        print("Saved:", *(str(path.relative_to(ROOT)) for path in saved), sep="\n  ")
    return status


if __name__ == "__main__":
    sys.exit(main())
