"""Exercise files: what an instructor may attach to a revision, checked before anything is stored.

An exercise revision may ship data files (a CSV, an image, a helper module) that learners
download with the release and that every grading kernel finds, read-only, in its working
directory. One rule for their names and sizes, one message for each way an upload breaks it,
called by the services and, through them, by the admin form.

The limits are settings.PMA_GRADING["EXERCISE_FILES"] (docs/operations.md): the files of a
revision are copied into every kernel's working directory, a tmpfs of LIMITS["tmpfs_bytes"]
(64 MiB), and travel in the same request as the source notebook.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Any, cast

from django.conf import settings
from django.core.files import File
from django.utils.translation import gettext as _

from exercises.format.autotest import RULES_FILENAME, RulesInvalid, load_rules
from exercises.translated import translated_message

DEFAULT_MAX_COUNT = 8
DEFAULT_MAX_FILE_BYTES = 5 * 2**20
DEFAULT_MAX_TOTAL_BYTES = 10 * 2**20
MAX_NAME_CHARS = 100
#: Letters, digits, dots, hyphens and underscores, starting with a letter or digit: a name that
#: is the same on every system a learner unzips it on, and never a path or a hidden file.
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


class ExerciseFilesRejected(ValueError):
    """The attached files break a rule; `problems` says which, in instructor words."""

    def __init__(self, problems: list[str]) -> None:
        # The format checks write English; the instructor reads their own language.
        self.problems = [translated_message(p) for p in problems]
        super().__init__(" ".join(self.problems))


@dataclass(frozen=True)
class FileLimits:
    max_count: int
    max_file_bytes: int
    max_total_bytes: int


def exercise_file_limits() -> FileLimits:
    configured = cast(dict[str, Any], settings.PMA_GRADING.get("EXERCISE_FILES") or {})
    return FileLimits(
        max_count=int(configured.get("MAX_COUNT", DEFAULT_MAX_COUNT)),
        max_file_bytes=int(configured.get("MAX_FILE_BYTES", DEFAULT_MAX_FILE_BYTES)),
        max_total_bytes=int(configured.get("MAX_TOTAL_BYTES", DEFAULT_MAX_TOTAL_BYTES)),
    )


def _mb(size: int) -> str:
    return f"{size / 2**20:.1f}"


def exercise_file_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be an exercise file's name, or None when it can."""
    if "/" in name or "\\" in name:
        return _(
            "“%(name)s” is a path, not a file name. Upload the file itself, without its folders."
        ) % {"name": name}
    if name.startswith("."):
        return _(
            "“%(name)s” is a hidden file (its name starts with a dot). Rename it without the dot, "
            "or leave it out."
        ) % {"name": name}
    if len(name) > MAX_NAME_CHARS or not NAME.fullmatch(name):
        return _(
            "“%(name)s” cannot be an exercise file's name: use at most %(limit)d letters, digits, "
            "dots, hyphens and underscores, starting with a letter or digit (no spaces). Rename "
            "the file and upload it again."
        ) % {"name": name[:MAX_NAME_CHARS], "limit": MAX_NAME_CHARS}
    if name.lower().endswith(".ipynb"):
        return _(
            "“%(name)s” is a notebook: the release notebook is the exercise's only notebook. "
            "Put what it should share in a .py module or a data file."
        ) % {"name": name}
    return None


def _rules_problem(upload: File) -> str | None:
    """Why an author's autotests.yml (already within the size limit) cannot be used, or None.

    Read now rather than when validation first needs it, so the instructor hears it on the form.
    """
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    try:
        load_rules(data.decode("utf-8") if isinstance(data, bytes) else str(data))
    except UnicodeDecodeError:
        return _("“%(name)s” is not UTF-8 text. Save it as UTF-8 and upload it again.") % {
            "name": RULES_FILENAME
        }
    except RulesInvalid as exc:
        return _("“%(name)s” cannot be used for AUTOTEST lines: %(why)s Fix: %(fix)s") % {
            "name": RULES_FILENAME,
            "why": exc.message,
            "fix": exc.fix,
        }
    return None


def exercise_files_check(*, uploads: Sequence[File], kept: Iterable[tuple[str, int]] = ()) -> None:
    """Refuse ``uploads`` (added to the ``kept`` files, given as name and size) that break a rule.

    Reads names and declared sizes only, so a file that is too large is refused before a byte of
    it is read or stored. An upload named like a kept file replaces it. Every problem is
    reported at once.
    """
    limits = exercise_file_limits()
    problems: list[str] = []
    seen: dict[str, str] = {}
    for upload in uploads:
        name = upload.name or ""
        problem = exercise_file_name_problem(name)
        if problem is not None:
            problems.append(problem)
            continue
        if name.lower() in seen:
            problems.append(
                _(
                    "“%(name)s” is attached twice (names differing only in capitals count as "
                    "the same: a learner's computer may not tell them apart). Attach it once."
                )
                % {"name": name}
            )
            continue
        seen[name.lower()] = name
        if (upload.size or 0) > limits.max_file_bytes:
            problems.append(
                _(
                    "“%(name)s” is %(size)s MB; each exercise file may be at most %(limit)s MB. "
                    "Make it smaller (a sample of the data, a compressed image) and upload it again."
                )
                % {
                    "name": name,
                    "size": _mb(upload.size or 0),
                    "limit": _mb(limits.max_file_bytes),
                }
            )
        elif name == RULES_FILENAME:
            problem = _rules_problem(upload)
            if problem is not None:
                problems.append(problem)
    files = {name.lower(): size for name, size in kept}
    for upload in uploads:
        if (upload.name or "").lower() in seen:
            files[(upload.name or "").lower()] = upload.size or 0
    if len(files) > limits.max_count:
        problems.append(
            _(
                "This revision would have %(count)d files; an exercise may have at most "
                "%(limit)d. Remove some, or combine them into fewer files."
            )
            % {"count": len(files), "limit": limits.max_count}
        )
    total = sum(files.values())
    if total > limits.max_total_bytes:
        problems.append(
            _(
                "The exercise files would come to %(size)s MB; together they may be at most "
                "%(limit)s MB. Remove or shrink some of them."
            )
            % {"size": _mb(total), "limit": _mb(limits.max_total_bytes)}
        )
    if problems:
        raise ExerciseFilesRejected(problems)


def release_archive(*, revision: Any, folder: str) -> IO[bytes]:
    """A zip of the release notebook and the revision's data files, all in ``folder/``, so the
    notebook finds its files beside it wherever the learner unzips it. Built in a temporary file
    (in memory up to 2 MiB), rewound; the caller closes it."""
    archive = tempfile.SpooledTemporaryFile(max_size=2 * 2**20)  # noqa: SIM115 - returned open
    stamp = revision.uploaded_at.timetuple()[:6]
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        entries = [
            (f"{folder}.ipynb", revision.release),
            *((f.name, f.file) for f in revision.files.all()),
        ]
        for name, stored in entries:
            info = zipfile.ZipInfo(f"{folder}/{name}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o100644 << 16  # a regular file, rw-r--r--
            with stored.open("rb") as source, bundle.open(info, "w") as target:
                shutil.copyfileobj(source, target, 2**16)
    archive.seek(0)
    return archive
