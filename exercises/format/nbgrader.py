"""Parse source notebooks in nbgrader's cell-metadata format (schema 3 and 4) and check them statically."""

from __future__ import annotations

import hashlib
import json
from fractions import Fraction
from typing import Any

from nbformat.notebooknode import NotebookNode

from . import markers
from .model import CellKind, ExerciseSource, Problem, SourceCell, format_points, parse_points
from .sealed import SealedSpecError, parse_sealed

SUPPORTED_SCHEMAS = (3, 4)
MAX_GRADE_ID_CHARS = 100


def notebook_sha256(nb: NotebookNode | dict[str, Any]) -> str:
    canonical = json.dumps(nb, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def cell_text(cell: Any) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _kind(meta: dict[str, Any], cell_type: str) -> CellKind:
    solution, grade = bool(meta.get("solution")), bool(meta.get("grade"))
    if meta.get("task"):
        return CellKind.TASK
    if solution and grade:
        return CellKind.MANUAL_ANSWER
    if solution:
        return CellKind.ANSWER
    if grade:
        return CellKind.TEST
    if meta.get("locked"):
        return CellKind.READONLY
    return CellKind.CODE if cell_type == "code" else CellKind.TEXT


class _Checker:
    """Collects problems while classifying cells, so an instructor sees all of them at once."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, index: int | None, grade_id: str, message: str, fix: str) -> None:
        self.problems.append(Problem(cell=index, grade_id=grade_id, message=message, fix=fix))


def _classify(index: int, cell: Any, check: _Checker) -> SourceCell:
    cell_type = str(cell.get("cell_type", "code"))
    text = cell_text(cell)
    metadata = cell.get("metadata", {}) or {}
    meta = metadata.get("nbgrader") or {}
    pma = metadata.get("pma") or {}
    keep = {k: v for k, v in metadata.items() if k in ("tags", "pma", "nbgrader")}
    if not isinstance(meta, dict):
        check.add(
            index,
            "",
            "metadata.nbgrader is not an object.",
            "remove it and set the cell type again in nbgrader's toolbar.",
        )
        meta = {}
    grade_id = meta.get("grade_id", "")
    grade_id = grade_id if isinstance(grade_id, str) else str(grade_id)

    if isinstance(pma, dict) and "sealed" in pma:
        return _classify_sealed(index, cell_type, text, grade_id, pma["sealed"], meta, keep, check)

    if not meta:
        kind = CellKind.CODE if cell_type == "code" else CellKind.TEXT
        return SourceCell(index, cell_type, kind, text, metadata=keep)

    schema = meta.get("schema_version")
    if schema is not None and schema not in SUPPORTED_SCHEMAS:
        check.add(
            index,
            grade_id,
            f"its nbgrader metadata uses schema version {schema!r}; we read versions 3 and 4.",
            "open the notebook with nbgrader 0.6 or newer and save it, which upgrades the metadata.",
        )
    kind = _kind(meta, cell_type)
    points = _check_points(index, grade_id, kind, meta, check)
    _check_cell_type(index, grade_id, kind, cell_type, check)
    _check_grade_id(index, grade_id, kind, check)
    _check_markers(index, grade_id, kind, text, check)
    return SourceCell(index, cell_type, kind, text, grade_id, points, None, dict(meta), keep)


def _classify_sealed(
    index: int,
    cell_type: str,
    text: str,
    grade_id: str,
    sealed: Any,
    meta: dict[str, Any],
    keep: dict[str, Any],
    check: _Checker,
) -> SourceCell:
    """The sealed-check cell ``metadata.pma.sealed`` describes, worth 0 points when its spec is invalid."""
    if not grade_id and isinstance(sealed, dict):
        grade_id = str(sealed.get("grade_id", ""))
    if not grade_id.strip():
        check.add(
            index,
            "",
            "the sealed check has no grade_id.",
            "set metadata.nbgrader.grade_id (or sealed.grade_id) to a unique id such as 'rice_sealed'.",
        )
    if cell_type != "code":
        check.add(
            index,
            grade_id,
            "a sealed check must be a code cell holding its input generator.",
            "change the cell to a code cell.",
        )
    try:
        spec, points = parse_sealed(sealed, text)
    except SealedSpecError as exc:
        check.add(index, grade_id, exc.message[0].upper() + exc.message[1:], exc.fix)
        return SourceCell(
            index, cell_type, CellKind.SEALED, text, grade_id, Fraction(0), None, dict(meta), keep
        )
    return SourceCell(
        index, cell_type, CellKind.SEALED, text, grade_id, points, spec, dict(meta), keep
    )


def _check_points(
    index: int, grade_id: str, kind: CellKind, meta: dict[str, Any], check: _Checker
) -> Fraction:
    """The points a cell of ``kind`` is worth: 0 unless it is graded and its points are a number >= 0."""
    if kind in (CellKind.TEST, CellKind.MANUAL_ANSWER, CellKind.TASK):
        parsed = parse_points(meta.get("points"))
        if parsed is None:
            check.add(
                index,
                grade_id,
                f"it is graded but its points are {meta.get('points')!r}, not a number.",
                "set the points in nbgrader's toolbar to a number such as 1.",
            )
        elif parsed < 0:
            check.add(
                index,
                grade_id,
                f"its points are negative ({format_points(parsed)}).",
                "use zero or more points.",
            )
        else:
            return parsed
    elif parse_points(meta.get("points")):
        check.add(
            index,
            grade_id,
            "it has points but is not a graded cell, so the points would be ignored.",
            "make it an 'Autograder tests' or 'Manually graded' cell, or remove the points.",
        )
    return Fraction(0)


def _check_cell_type(
    index: int, grade_id: str, kind: CellKind, cell_type: str, check: _Checker
) -> None:
    """Whether tests sit in a code cell and tasks in a markdown cell, as nbgrader runs and shows them."""
    if kind is CellKind.TEST and cell_type != "code":
        check.add(
            index,
            grade_id,
            "it is marked as autograder tests but is not a code cell.",
            "change it to a code cell, or make it a 'Manually graded answer' cell.",
        )
    if kind is CellKind.TASK and cell_type != "markdown":
        check.add(
            index,
            grade_id,
            "it is a manually graded task but not a markdown cell.",
            "change it to a markdown cell that describes the task.",
        )


def _check_grade_id(index: int, grade_id: str, kind: CellKind, check: _Checker) -> None:
    """Whether an nbgrader cell has a grade_id, and one short and printable enough to match answers by."""
    if kind is not CellKind.CODE and kind is not CellKind.TEXT and not grade_id.strip():
        check.add(
            index,
            "",
            f"it is an nbgrader {kind.value.replace('_', ' ')} cell without a grade_id.",
            "give it a unique grade_id (ID field in nbgrader's toolbar), e.g. 'rice_answer'.",
        )
    if len(grade_id) > MAX_GRADE_ID_CHARS or any(ord(ch) < 32 for ch in grade_id):
        check.add(
            index,
            grade_id[:40],
            "its grade_id is too long or holds control characters.",
            f"use a short id of letters, digits, '_' or '-' (at most {MAX_GRADE_ID_CHARS}).",
        )


def _check_markers(index: int, grade_id: str, kind: CellKind, text: str, check: _Checker) -> None:
    """Whether the solution and hidden-test markers are balanced and sit only in cells whose release removes them."""
    try:
        solutions = markers.solution_regions(text)
        hidden = markers.hidden_regions(text)
    except markers.MarkerError as exc:
        check.add(
            index,
            grade_id,
            f"{exc}.",
            "balance each BEGIN marker with its END marker on its own line.",
        )
        return
    if solutions and kind not in (CellKind.ANSWER, CellKind.MANUAL_ANSWER):
        check.add(
            index,
            grade_id,
            "it has '### BEGIN SOLUTION' but is not a solution cell, so the solution would be released.",
            "mark it as an 'Autograded answer' cell, or remove the markers.",
        )
    if hidden and kind is not CellKind.TEST:
        check.add(
            index,
            grade_id,
            "it has '### BEGIN HIDDEN TESTS' but is not a test cell, so the hidden part would run and be released.",
            "mark it as 'Autograder tests', or remove the markers.",
        )


def check_cells(cells: list[SourceCell], nb: NotebookNode, check: _Checker) -> None:
    seen: dict[str, int] = {}
    for cell in cells:
        if not cell.grade_id:
            continue
        if cell.grade_id in seen:
            check.add(
                cell.index,
                cell.grade_id,
                f"its grade_id is also used by cell {seen[cell.grade_id] + 1}; learners' answers are matched by grade_id.",
                "give every nbgrader cell a different grade_id.",
            )
        else:
            seen[cell.grade_id] = cell.index
    if not any(c.kind in (CellKind.ANSWER, CellKind.MANUAL_ANSWER) for c in cells):
        check.add(
            None,
            "",
            "it has no answer cells, so a learner has nowhere to write.",
            "mark at least one cell as 'Autograded answer' with '### BEGIN SOLUTION' markers.",
        )
    if not any(c.points > 0 for c in cells):
        check.add(
            None,
            "",
            "no cell carries points, so every submission would score 0 of 0.",
            "add an 'Autograder tests' cell with points, or a sealed check.",
        )
    language = (
        ((nb.get("metadata") or {}).get("kernelspec") or {}).get("language")
        or ((nb.get("metadata") or {}).get("language_info") or {}).get("name")
        or "python"
    )
    if str(language).lower() != "python":
        check.add(
            None,
            "",
            f"it is written for the {language!r} language; the grader runs Python 3 only.",
            "rewrite the exercise in Python and save it with a Python 3 kernel.",
        )


def parse_nbgrader(nb: NotebookNode) -> tuple[ExerciseSource, list[Problem]]:
    check = _Checker()
    cells = [_classify(i, cell, check) for i, cell in enumerate(nb.get("cells", []))]
    check_cells(cells, nb, check)
    source = ExerciseSource(
        cells=tuple(cells),
        origin="nbgrader",
        sha256=notebook_sha256(nb),
        notebook_metadata=_release_metadata(nb),
        nbformat_minor=int(nb.get("nbformat_minor", 5)),
    )
    return source, check.problems


def _release_metadata(nb: NotebookNode) -> dict[str, Any]:
    meta = nb.get("metadata") or {}
    return {k: meta[k] for k in ("kernelspec", "language_info", "title", "authors") if k in meta}
