"""What the grade and validate_exercise commands share: reading files, settings and exit codes."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Any, NoReturn

from django.conf import settings
from django.core.files import File
from django.core.management.base import BaseCommand

from exercises.files import ExerciseFilesRejected, exercise_files_check
from exercises.format import NotebookRejected, load_notebook_bytes
from exercises.format.autotest import RULES_FILENAME
from grading.engine.limits import Limits
from grading.engine.sandbox.files import KernelFile, with_files
from grading.engine.sandbox.pool import ColdKernels, KernelProvider
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


def add_autotests_argument(parser: Any) -> None:
    parser.add_argument(
        "--autotests",
        metavar="YML",
        help=f"rules for nbgrader AUTOTEST lines (default: {RULES_FILENAME} beside the source "
        "notebook if there is one, else nbgrader's defaults)",
    )


def add_files_argument(parser: Any) -> None:
    parser.add_argument(
        "--file",
        metavar="PATH",
        action="append",
        default=[],
        dest="files",
        help="a data file the exercise ships (CSV, image, helper module); every kernel finds it "
        "read-only in its working directory, as on the site. Repeat for more files.",
    )


def read_exercise_files(command: BaseCommand, paths: list[str]) -> list[KernelFile]:
    """The data files given with --file, checked by the rules the exercise admin applies."""
    with contextlib.ExitStack() as stack:
        handles = []
        for path in paths:
            try:
                stream = stack.enter_context(Path(path).open("rb"))
            except OSError as exc:
                fail(
                    command,
                    f"Cannot read the data file {path}: {exc.strerror or exc}.",
                    EXIT_INVALID,
                )
            handles.append(File(stream, name=Path(path).name))
        try:
            exercise_files_check(uploads=handles)
        except ExerciseFilesRejected as exc:
            fail(command, f"Invalid data files: {' '.join(exc.problems)}", EXIT_INVALID)
        return [KernelFile(name=str(handle.name), data=handle.read()) for handle in handles]


def exercise_kernels(limits: Limits, files: list[KernelFile]) -> KernelProvider:
    """The command's kernels, each holding the exercise's data files."""
    return with_files(kernel_provider(limits), files)


def read_autotest_rules(command: BaseCommand, given: str | None, source: str) -> str | None:
    """The author's autotests.yml: the file given, else the one beside the source (where nbgrader
    looks first, in the assignment's directory), else None for nbgrader's defaults."""
    path = Path(given) if given else Path(source).with_name(RULES_FILENAME)
    if not given and not path.is_file():
        return None
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(command, f"Cannot read the AUTOTEST rules {path}: {exc}.", EXIT_INVALID)


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
