"""What the grade and validate_exercise commands share: reading files, settings and exit codes."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NoReturn

from django.conf import settings
from django.core.management.base import BaseCommand

from exercises.format import NotebookRejected, load_notebook_bytes
from grading.engine.limits import Limits
from grading.engine.sandbox.pool import ColdKernels
from grading.uploads import max_upload_bytes

EXIT_INVALID = 2
EXIT_INTERNAL = 1


def grading_settings() -> dict[str, Any]:
    return dict(getattr(settings, "PMA_GRADING", {}))


def kernel_provider(limits: Limits) -> ColdKernels:
    # One submission per process: a pool would start kernels nobody uses.
    return ColdKernels(
        limits, unsafe_local=bool(grading_settings().get("UNSAFE_LOCAL_MODE", False))
    )


def fail(command: BaseCommand, message: str, code: int) -> NoReturn:
    """One line on stderr and the contract's exit code; never a traceback."""
    command.stderr.write(" ".join(message.split()))
    sys.exit(code)


def read_notebook(command: BaseCommand, path: str, what: str) -> Any:
    max_bytes = max_upload_bytes()
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        fail(command, f"Cannot read the {what} {path}: {exc.strerror or exc}.", EXIT_INVALID)
    try:
        return load_notebook_bytes(data, max_bytes=max_bytes)
    except NotebookRejected as exc:
        fail(command, f"Invalid {what} {path}: {exc}", EXIT_INVALID)
