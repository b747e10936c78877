"""Where answer keys live: the private storage, its unguessable names, and the move out of media.

An exercise's source notebook holds every solution, hidden test and sealed-check generator, so
it is never stored where `/media/` (a public proxy location) or a public bucket could serve it.
Release notebooks live beside them: learners receive them only through the enrolled-learner
download (courses.exercise_views.exercise_release), staff read both only through the exercise
admin's download view, which checks a permission. Nothing here has a URL.

The storage is the `private` alias of settings.STORAGES: on one host a directory outside
MEDIA_ROOT (`PMA_PRIVATE_ROOT`, by default `var/private`), with S3 a private bucket or prefix
(exercises/answer_keys_s3.py).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property, partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.db import transaction

logger = logging.getLogger(__name__)

PRIVATE_STORAGE_ALIAS = "private"
#: The FileFields of ExerciseRevision that hold answer keys, and the word each file's name ends in.
REVISION_FILES = ("source", "release")


class PrivateFileSystemStorage(FileSystemStorage):
    """Files on disk under `settings.PMA_PRIVATE_ROOT` (unless given a location), with no URL.

    The root is read from the setting when first needed, as FileSystemStorage reads
    MEDIA_ROOT, so a test (or an operator's override) that changes it is honoured.
    """

    @cached_property
    def base_location(self) -> str:
        return self._value_or_setting(self._location, settings.PMA_PRIVATE_ROOT)  # type: ignore[attr-defined]  # FileSystemStorage's own

    @cached_property
    def base_url(self) -> None:  # type: ignore[override]  # a private file has no URL
        # FileSystemStorage.url() raises ValueError when base_url is None: a template or a
        # view that asks for a private file's URL fails loudly instead of leaking a path.
        return None

    def _clear_cached_properties(self, setting: str, **kwargs: Any) -> None:
        super()._clear_cached_properties(setting, **kwargs)  # type: ignore[arg-type]  # it ignores other settings
        if setting == "PMA_PRIVATE_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)


def answer_key_storage() -> Storage:
    """The storage of ExerciseRevision's files (a callable, so migrations name it, not its settings)."""
    return storages[PRIVATE_STORAGE_ALIAS]


def answer_key_name(kind: str) -> str:
    """A fresh, unguessable name: a random directory (144 bits), never the exercise's slug."""
    return f"exercises/{secrets.token_urlsafe(18)}/{kind}.ipynb"


@dataclass
class FilesMoved:
    """What `revision_files_move` did, by stored name."""

    moved: dict[str, str] = field(default_factory=dict)
    already_there: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def revision_files_move(
    *, revisions: Iterable[Any], source: Storage, target: Storage
) -> FilesMoved:
    """Copy each revision's source and release notebook from `source` to `target` storage under
    a fresh unguessable name, point the row at it, and delete the old file once the transaction
    commits (a rolled-back migration leaves every row pointing at a file that still exists).

    A file found in neither storage is logged and its row left as it is; a file already in
    `target` (uploaded by new code before the migration ran) is left where it is.
    `revisions` are ExerciseRevision rows, current or historical (the data migration passes the
    historical model's).
    """
    result = FilesMoved()
    for revision in revisions:
        changed: dict[str, str] = {}
        for kind in REVISION_FILES:
            name = getattr(revision, kind).name
            if not name:
                continue
            if not source.exists(name):
                if target.exists(name):
                    result.already_there.append(name)
                else:
                    logger.warning(
                        "The %s notebook of exercise revision %s is missing (%s); its row is left as it is.",
                        kind,
                        revision.pk,
                        name,
                    )
                    result.missing.append(name)
                continue
            with source.open(name, "rb") as fh:
                changed[kind] = target.save(answer_key_name(kind), File(fh, name=Path(name).name))
            result.moved[name] = changed[kind]
        if changed:
            type(revision)._default_manager.using(revision._state.db).filter(pk=revision.pk).update(
                **changed
            )
            old = [getattr(revision, kind).name for kind in changed]
            transaction.on_commit(partial(_delete_all, source, old))
    return result


def _delete_all(storage: Storage, names: list[str]) -> None:
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            logger.warning(
                "Could not delete %s after moving it to private storage.", name, exc_info=True
            )


@checks.register(checks.Tags.security)
def check_answer_keys_are_not_served(
    app_configs: Any = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """The private storage exists, and on disk it lies outside every directory a proxy serves."""
    if PRIVATE_STORAGE_ALIAS not in settings.STORAGES:
        return [
            checks.Error(
                "settings.STORAGES has no 'private' storage for exercise source notebooks.",
                hint="Add STORAGES['private'] (see config/settings/base.py).",
                id="exercises.E001",
            )
        ]
    storage = storages[PRIVATE_STORAGE_ALIAS]
    if not isinstance(storage, FileSystemStorage):
        return []
    private = Path(storage.location).resolve()
    errors: list[checks.CheckMessage] = []
    for setting in ("MEDIA_ROOT", "STATIC_ROOT"):
        served = getattr(settings, setting, None)
        if served and private.is_relative_to(Path(served).resolve()):
            errors.append(
                checks.Error(
                    f"The private storage ({private}) lies inside {setting}, which is served publicly.",
                    hint="Set PMA_PRIVATE_ROOT to a directory outside MEDIA_ROOT and STATIC_ROOT.",
                    id="exercises.E002",
                )
            )
    return errors
