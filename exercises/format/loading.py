"""Safe loading of uploaded notebook bytes: every check happens before the notebook is trusted."""

from __future__ import annotations

import json
from typing import Any

import nbformat
from nbformat.notebooknode import NotebookNode

from .texts import gettext_noop

#: Deeper than any real notebook (widget state and rich JSON outputs stay well below this).
MAX_DEPTH = 100
MAX_CELLS = 2000
MAX_CELL_SOURCE_CHARS = 512 * 1024


class NotebookRejected(ValueError):
    """An upload that is not a usable Jupyter notebook; the message is one sentence for a person."""


def _megabytes(n: int) -> str:
    return f"{n / 2**20:.1f} MB"


def _too_deep(value: Any, limit: int) -> bool:
    # Iterative, so a hostile document cannot exhaust the Python stack here.
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return False


def _decode(data: bytes, max_bytes: int) -> Any:
    if len(data) > max_bytes:
        raise NotebookRejected(
            gettext_noop(
                "The notebook is %(size)s, larger than the %(limit)s limit; "
                "clear its outputs (Kernel > Restart & Clear Output) and upload it again."
            )
            % {"size": _megabytes(len(data)), "limit": _megabytes(max_bytes)}
        )
    if not data.strip():
        raise NotebookRejected(
            gettext_noop("The file is empty; upload the .ipynb file saved by Jupyter.")
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise NotebookRejected(
            gettext_noop(
                "The file is not UTF-8 text, so it is not a Jupyter notebook; "
                "upload the .ipynb file saved by Jupyter."
            )
        ) from None
    try:
        return json.loads(text)
    except RecursionError:
        raise NotebookRejected(
            gettext_noop("The file nests JSON too deeply to be a Jupyter notebook.")
        ) from None
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        if line:
            raise NotebookRejected(
                gettext_noop(
                    "The file is not valid JSON (line %(line)s), so it is not a Jupyter notebook; "
                    "upload the .ipynb file saved by Jupyter."
                )
                % {"line": line}
            ) from None
        raise NotebookRejected(
            gettext_noop(
                "The file is not valid JSON, so it is not a Jupyter notebook; "
                "upload the .ipynb file saved by Jupyter."
            )
        ) from None


def _check_version(doc: dict[str, Any]) -> None:
    major = doc.get("nbformat")
    if major is None:
        raise NotebookRejected(
            gettext_noop("The file has no 'nbformat' version, so it is not a Jupyter notebook.")
        )
    if major == 3:
        raise NotebookRejected(
            gettext_noop(
                "The notebook uses format version 3 (from before 2015); open it in a current "
                "Jupyter and save it again to convert it to version 4."
            )
        )
    if major != 4 or isinstance(major, bool):
        raise NotebookRejected(
            gettext_noop(
                "The notebook declares format version %(version)s; "
                "only version 4 notebooks are accepted."
            )
            % {"version": repr(str(major)[:20])}
        )
    minor = doc.get("nbformat_minor")
    if not isinstance(minor, int) or isinstance(minor, bool) or minor < 0:
        raise NotebookRejected(gettext_noop("The notebook has no valid 'nbformat_minor' version."))


def _check_cells(doc: dict[str, Any]) -> None:
    cells = doc.get("cells")
    if not isinstance(cells, list):
        raise NotebookRejected(gettext_noop("The notebook has no list of cells."))
    if len(cells) > MAX_CELLS:
        raise NotebookRejected(
            gettext_noop("The notebook has %(cells)s cells; at most %(max)s are accepted.")
            % {"cells": len(cells), "max": MAX_CELLS}
        )
    seen: set[str] = set()
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict):
            raise NotebookRejected(
                gettext_noop("Cell %(number)s is not a JSON object.") % {"number": number}
            )
        source = cell.get("source", "")
        length = (
            sum(len(s) for s in source if isinstance(s, str))
            if isinstance(source, list)
            else len(str(source))
        )
        if length > MAX_CELL_SOURCE_CHARS:
            raise NotebookRejected(
                gettext_noop(
                    "Cell %(number)s holds %(length)s characters of source; "
                    "at most %(max)s are accepted."
                )
                % {"number": number, "length": length, "max": MAX_CELL_SOURCE_CHARS}
            )
        cell_id = cell.get("id")
        if isinstance(cell_id, str):
            if cell_id in seen:
                raise NotebookRejected(
                    gettext_noop(
                        "Cell %(number)s repeats the cell id %(id)s; every cell id must be unique. "
                        "Open the notebook in a current Jupyter and save it again."
                    )
                    % {"number": number, "id": repr(cell_id[:64])}
                )
            seen.add(cell_id)


def load_notebook_bytes(data: bytes, *, max_bytes: int) -> NotebookNode:
    """Parse uploaded bytes into a validated nbformat 4 notebook or raise NotebookRejected."""
    doc = _decode(data, max_bytes)
    if not isinstance(doc, dict):
        kind = {list: "array", str: "string", bool: "boolean", int: "number", float: "number"}.get(
            type(doc), "null"
        )
        raise NotebookRejected(
            gettext_noop(
                "The file holds a JSON %(kind)s, not a notebook; "
                "upload the .ipynb file saved by Jupyter."
            )
            % {"kind": kind}
        )
    if _too_deep(doc, MAX_DEPTH):
        raise NotebookRejected(
            gettext_noop("The file nests JSON too deeply to be a Jupyter notebook.")
        )
    _check_version(doc)
    _check_cells(doc)
    try:
        nbformat.validate(doc, version=4)
    except nbformat.ValidationError as exc:
        detail = str(getattr(exc, "message", exc)).splitlines()[0][:160]
        raise NotebookRejected(
            gettext_noop("The notebook does not follow the Jupyter notebook format: %(detail)s.")
            % {"detail": detail}
        ) from None
    except (
        Exception
    ):  # jsonschema can fail in odd ways on hostile input; the learner gets one sentence
        raise NotebookRejected(
            gettext_noop("The notebook does not follow the Jupyter notebook format.")
        ) from None
    return nbformat.from_dict(doc)
