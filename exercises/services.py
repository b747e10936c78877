"""Writes for exercises: upload a source notebook and its data files, record its validation.

Running the notebooks to validate them is the grading app's job (it owns the engine);
this module only stores what was uploaded and what validation concluded.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from exercises.format import (
    ExerciseSource,
    NotebookRejected,
    SourceInvalid,
    load_notebook_bytes,
    parse_source,
    points_json,
    release_notebook,
)
from exercises.translated import translated_message

from .files import exercise_files_check
from .models import Exercise, ExerciseFile, ExerciseRevision, ValidationStatus
from .points import stored_points

DEFAULT_MAX_SOURCE_BYTES = 5 * 2**20


class ExerciseSourceRejected(ValueError):
    """The upload is not a usable exercise source; `problems` says why, in instructor words."""

    def __init__(self, problems: list[str]) -> None:
        # The format checks write English; the instructor reads their own language.
        self.problems = [translated_message(p) for p in problems]
        super().__init__(" ".join(self.problems))


@dataclass(frozen=True)
class ParsedSource:
    notebook: Any
    source: ExerciseSource


def max_source_bytes() -> int:
    return int(cast(int, settings.PMA_GRADING.get("MAX_SOURCE_BYTES", DEFAULT_MAX_SOURCE_BYTES)))


def exercise_source_parse(*, data: bytes) -> ParsedSource:
    """Check an uploaded source notebook (size first, then format, then the nbgrader/Otter rules)."""
    try:
        notebook = load_notebook_bytes(data, max_bytes=max_source_bytes())
    except NotebookRejected as exc:
        raise ExerciseSourceRejected([str(exc)]) from exc
    try:
        source = parse_source(notebook)
    except SourceInvalid as exc:
        raise ExerciseSourceRejected([str(p) for p in exc.problems]) from exc
    return ParsedSource(notebook=notebook, source=source)


def _structure(source: ExerciseSource) -> list[dict[str, Any]]:
    cells = []
    for cell in source.cells:
        entry: dict[str, Any] = {
            "index": cell.index + 1,
            "cell_type": cell.cell_type,
            "kind": cell.kind.value,
            "grade_id": cell.grade_id,
            "points": points_json(cell.points),
        }
        if cell.sealed is not None:
            entry["sealed"] = {
                "call": cell.sealed.call,
                "comparator": cell.sealed.comparator.kind.value,
                "cases": cell.sealed.cases,
            }
        cells.append(entry)
    return cells


def _unique_slug(title: str) -> str:
    base = slugify(title)[:90] or "exercise"
    slug, n = base, 2
    while Exercise.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def exercise_revision_create(
    *,
    exercise: Exercise,
    data: bytes | None,
    filename: str,
    uploaded_by: Any | None,
    files: Sequence[File] = (),
    remove: Collection[str] = (),
) -> ExerciseRevision:
    """Store a new source notebook for `exercise`, pending validation.

    The revision becomes the one learners are graded against only once it validates
    (see `exercise_revision_record_validation`), so a broken fix never reaches learners.

    Data files carry forward: the new revision keeps the latest revision's files except those
    named in `remove`, and `files` adds uploads (one named like a kept file replaces it). With
    `data` None the latest revision's source is used again, so changing only the files makes a
    revision too: a grade always names the exact source and files it was graded against.
    Everything is checked (files first, by name and size, then the source) before anything is
    stored.
    """
    previous = exercise.revisions.order_by("-number").first()
    kept = _kept_files(previous, remove=remove, replaced=files)
    exercise_files_check(uploads=files, kept=[(f.name, f.size) for f in kept])
    if data is None:
        if previous is None:
            raise ExerciseSourceRejected([_("Upload a source notebook: this exercise has none.")])
        with previous.source.open("rb") as fh:
            data = fh.read()
        filename = filename or previous.original_filename
    revision = _revision_store(
        exercise=exercise,
        parsed=exercise_source_parse(data=data),
        data=data,
        filename=filename,
        uploaded_by=uploaded_by,
    )
    _revision_files_store(revision=revision, kept=kept, uploads=files)
    return revision


def _kept_files(
    previous: ExerciseRevision | None, *, remove: Collection[str], replaced: Sequence[File]
) -> list[ExerciseFile]:
    """The previous revision's files that a new revision keeps as they are."""
    if previous is None:
        return []
    dropped = {name.lower() for name in remove} | {(u.name or "").lower() for u in replaced}
    return [f for f in previous.files.all() if f.name.lower() not in dropped]


def _revision_files_store(
    *, revision: ExerciseRevision, kept: Sequence[ExerciseFile], uploads: Sequence[File]
) -> None:
    """Kept files point at the stored file they had (files are never changed in place); each
    upload is stored under a fresh unguessable name, with its size and sha256."""
    for old in kept:
        ExerciseFile.objects.create(
            revision=revision, name=old.name, file=old.file.name, size=old.size, sha256=old.sha256
        )
    for upload in uploads:
        digest = hashlib.sha256()
        size = 0
        for chunk in upload.chunks():
            digest.update(chunk)
            size += len(chunk)
        upload.seek(0)
        stored = ExerciseFile(
            revision=revision, name=upload.name or "", size=size, sha256=digest.hexdigest()
        )
        stored.file.save("file", upload, save=False)
        stored.save()


def _revision_store(
    *, exercise: Exercise, parsed: ParsedSource, data: bytes, filename: str, uploaded_by: Any | None
) -> ExerciseRevision:
    last = (
        ExerciseRevision.objects.select_for_update()
        .filter(exercise=exercise)
        .aggregate(n=Max("number"))["n"]
        or 0
    )
    revision = ExerciseRevision(
        exercise=exercise,
        number=last + 1,
        original_filename=(filename or "source.ipynb")[-255:],
        source_sha256=parsed.source.sha256,
        origin=parsed.source.origin,
        max_score=stored_points(parsed.source.max_score),
        structure=_structure(parsed.source),
        uploaded_by=uploaded_by,
    )
    revision.source.save("source.ipynb", ContentFile(data), save=False)
    release = json.dumps(release_notebook(parsed.source), indent=1, ensure_ascii=False) + "\n"
    revision.release.save("release.ipynb", ContentFile(release.encode()), save=False)
    revision.save()
    return revision


@transaction.atomic
def exercise_create(
    *,
    title: str,
    data: bytes,
    filename: str,
    created_by: Any | None,
    instructions: str = "",
    slug: str = "",
    files: Sequence[File] = (),
) -> Exercise:
    """Create an exercise from its first source notebook (and data files, exercises.files);
    the caller enqueues validation."""
    exercise_files_check(uploads=files)  # refuse before any row is written
    parsed = exercise_source_parse(data=data)
    exercise = Exercise.objects.create(
        title=title,
        slug=slug or _unique_slug(title),
        instructions=instructions,
        created_by=created_by,
    )
    revision = _revision_store(
        exercise=exercise, parsed=parsed, data=data, filename=filename, uploaded_by=created_by
    )
    _revision_files_store(revision=revision, kept=(), uploads=files)
    return exercise


def _release_replace(*, revision: ExerciseRevision, source: ExerciseSource) -> None:
    """The revision's release rebuilt from ``source``; the file it replaces goes on commit."""
    text = (json.dumps(release_notebook(source), indent=1, ensure_ascii=False) + "\n").encode()
    with revision.release.open("rb") as fh:
        if fh.read() == text:
            return
    replaced = revision.release.name
    revision.release.save("release.ipynb", ContentFile(text), save=False)
    revision.save(update_fields=["release"])
    storage = revision.release.storage
    if replaced:
        transaction.on_commit(lambda: storage.delete(replaced))


@transaction.atomic
def exercise_revision_record_validation(
    *,
    revision: ExerciseRevision,
    report: dict[str, Any] | None,
    error: str = "",
    graded_source: ExerciseSource | None = None,
) -> ExerciseRevision:
    """Store what validation found; a valid revision becomes the exercise's current one.

    `report` is the engine's ValidationReport as a dict (None when validation itself
    could not run, in which case `error` says why). `graded_source` is the source as validation
    graded it when that differs from the upload (nbgrader AUTOTEST lines instantiated from the
    reference): the release is rebuilt from it, as nbgrader releases the instantiated tests.
    """
    revision = ExerciseRevision.objects.select_for_update().get(pk=revision.pk)
    if graded_source is not None:
        _release_replace(revision=revision, source=graded_source)
    if report is None:
        revision.validation_status = ValidationStatus.ERROR
        revision.validation_report = {"valid": False, "error": error, "problems": []}
    else:
        revision.validation_status = (
            ValidationStatus.VALID if report.get("valid") else ValidationStatus.INVALID
        )
        revision.validation_report = report
    revision.validated_at = timezone.now()
    revision.save(update_fields=["validation_status", "validation_report", "validated_at"])

    if revision.validation_status == ValidationStatus.VALID:
        exercise = Exercise.objects.select_for_update().get(pk=revision.exercise_id)
        current = exercise.current_revision
        if current is None or current.number < revision.number:
            exercise.current_revision = revision
            exercise.save(update_fields=["current_revision", "updated_at"])
    return revision
