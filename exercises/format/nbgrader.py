"""Parse source notebooks in nbgrader's cell-metadata format (schema 3) and check them statically.

The static rules are nbgrader 0.9's (``nbgrader/nbgraderformat/v3.py`` and ``v3.json``, which
``CheckCellMetadata`` applies, and the ``enforce_metadata`` checks of ClearSolutions,
ClearHiddenTests and ClearMarkScheme), each reported with the cell's number and what to change.
"""

from __future__ import annotations

import hashlib
import json
import re
from fractions import Fraction
from typing import Any

from nbformat.notebooknode import NotebookNode

from exercises.format.texts import gettext_noop

from . import markers
from .autotest import autotest_problems
from .model import CellKind, ExerciseSource, Problem, SourceCell, format_points, parse_points
from .release import carry_attachments
from .sealed import SealedSpecError, parse_sealed

#: The cell-metadata schema nbgrader 0.6 to 0.9 write (nbgrader/nbgraderformat/v3.json).
CURRENT_SCHEMA = 3
#: Earlier versions of docs/exercise-format.md listed a "schema 4" that nbgrader does not have;
#: sources written to those docs mean schema 3 by it, so it is read as 3.
LEGACY_SCHEMAS = (4,)
SUPPORTED_SCHEMAS = (CURRENT_SCHEMA, *LEGACY_SCHEMAS)
MAX_GRADE_ID_CHARS = 100
#: nbgrader's grade_id pattern (v3.json): letters, digits, "_" and "-".
GRADE_ID = re.compile(r"^[a-zA-Z0-9_\-]*$")
#: The keys v3.json allows ("additionalProperties": false) and the ones it requires.
KNOWN_KEYS = frozenset(
    {
        "schema_version",
        "grade",
        "locked",
        "solution",
        "task",
        "grade_id",
        "points",
        "checksum",
        "cell_type",
    }
)
REQUIRED_KEYS = ("schema_version", "grade", "locked", "solution")
BOOLEAN_KEYS = ("grade", "locked", "solution", "task")
UPDATE_FIX = (
    "back up the notebook, run `nbgrader update <notebook>.ipynb` on it (nbgrader 0.6 or newer), "
    "and upload the updated notebook."
)


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
        #: Cells (0-based index, grade_id) whose nbgrader metadata is not schema 3, by its schema.
        self.outdated: dict[int | str, list[tuple[int, str]]] = {}

    def add(self, index: int | None, grade_id: str, message: str, fix: str) -> None:
        self.problems.append(Problem(cell=index, grade_id=grade_id, message=message, fix=fix))

    def schema_problems(self) -> list[Problem]:
        """One problem per schema found, naming its cells, with nbgrader's own remedy."""
        problems = []
        for schema, cells in self.outdated.items():
            where = _cell_list([index for index, _ in cells])
            if schema == 0:
                message = gettext_noop(
                    "the nbgrader metadata of %(where)s has no schema_version, so it is nbgrader's schema 0 (nbgrader before 0.4); PM Academy reads schema 3, as nbgrader 0.6 to 0.9 do."
                ) % {"where": where}
                fix = UPDATE_FIX
            elif isinstance(schema, int) and schema < CURRENT_SCHEMA:
                message = gettext_noop(
                    "the nbgrader metadata of %(where)s uses schema version %(schema)s, from nbgrader before 0.6; PM Academy reads schema 3, as nbgrader 0.6 to 0.9 do."
                ) % {"where": where, "schema": schema}
                fix = UPDATE_FIX
            else:
                message = gettext_noop(
                    "the nbgrader metadata of %(where)s says schema version %(schema)s, which no nbgrader release writes (nbgrader 0.6 to 0.9 write schema 3)."
                ) % {"where": where, "schema": schema}
                fix = (
                    "set the cells' types again with nbgrader's Create Assignment toolbar "
                    "(nbgrader 0.9), which writes schema_version 3."
                )
            index, grade_id = cells[0] if len(cells) == 1 else (None, "")
            problems.append(Problem(cell=index, grade_id=grade_id, message=message, fix=fix))
        return problems


def _cell_list(cells: list[int]) -> str:
    numbers = [str(index + 1) for index in cells]
    if len(numbers) == 1:
        return "this cell"
    if len(numbers) > 8:
        return "cells " + ", ".join(numbers[:8]) + f" and {len(numbers) - 8} more"
    return "cells " + ", ".join(numbers[:-1]) + " and " + numbers[-1]


def _schema(meta: dict[str, Any]) -> int | str:
    """The cell's schema version as nbgrader reads it: missing is 0; anything not a whole number is shown as text."""
    raw = meta.get("schema_version", 0)
    if isinstance(raw, bool) or not isinstance(raw, int):
        return repr(raw)[:20]
    return raw


def _classify(index: int, cell: Any, check: _Checker) -> SourceCell:
    cell_type = str(cell.get("cell_type", "code"))
    text = cell_text(cell)
    metadata = cell.get("metadata", {}) or {}
    meta = metadata.get("nbgrader") or {}
    pma = metadata.get("pma") or {}
    keep = {k: v for k, v in metadata.items() if k in ("tags", "pma", "nbgrader")}
    carry_attachments(cell, keep)
    if not isinstance(meta, dict):
        check.add(
            index,
            "",
            gettext_noop("metadata.nbgrader is not an object."),
            gettext_noop("remove it and set the cell type again in nbgrader's toolbar."),
        )
        meta = {}
    grade_id = meta.get("grade_id", "")
    grade_id = grade_id if isinstance(grade_id, str) else str(grade_id)

    if isinstance(pma, dict) and "sealed" in pma:
        return _classify_sealed(index, cell_type, text, grade_id, pma["sealed"], meta, keep, check)

    if not meta:
        kind = CellKind.CODE if cell_type == "code" else CellKind.TEXT
        _check_markers(index, grade_id, kind, text, check)
        return SourceCell(index, cell_type, kind, text, metadata=keep)

    kind = _kind(meta, cell_type)
    schema = _schema(meta)
    if schema not in SUPPORTED_SCHEMAS:
        # Its other rules are checked once the metadata is schema 3 (after `nbgrader update`).
        check.outdated.setdefault(schema, []).append((index, grade_id))
        points = parse_points(meta.get("points")) or Fraction(0)
        return SourceCell(
            index, cell_type, kind, text, grade_id, max(points, Fraction(0)), None, dict(meta), keep
        )
    _check_keys(index, grade_id, meta, cell_type, check)
    points = _check_points(index, grade_id, kind, meta, check)
    _check_cell_type(index, grade_id, kind, cell_type, check)
    _check_grade_id(index, meta.get("grade_id", ""), kind, check)
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
            gettext_noop("the sealed check has no grade_id."),
            gettext_noop(
                "set metadata.nbgrader.grade_id (or sealed.grade_id) to a unique id such as 'rice_sealed'."
            ),
        )
    if cell_type != "code":
        check.add(
            index,
            grade_id,
            gettext_noop("a sealed check must be a code cell holding its input generator."),
            gettext_noop("change the cell to a code cell."),
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


def _check_keys(
    index: int, grade_id: str, meta: dict[str, Any], cell_type: str, check: _Checker
) -> None:
    """nbgrader's schema for the metadata itself (v3.json): the keys it requires, allows and their types."""
    missing = [key for key in REQUIRED_KEYS if key not in meta]
    if missing:
        check.add(
            index,
            grade_id,
            gettext_noop(
                "its nbgrader metadata lacks %(quoted)s, which nbgrader requires in every nbgrader cell."
            )
            % {"quoted": _quoted(missing)},
            gettext_noop(
                "set the cell type again in nbgrader's Create Assignment toolbar, which writes "
                "schema_version, grade, solution and locked."
            ),
        )
    unknown = sorted(str(key) for key in meta if key not in KNOWN_KEYS)
    if unknown:
        check.add(
            index,
            grade_id,
            gettext_noop(
                "its nbgrader metadata holds %(quoted)s, which nbgrader's metadata format does not have."
            )
            % {"quoted": _quoted(unknown)},
            gettext_noop(
                "remove those keys from metadata.nbgrader (`nbgrader update` removes them too)."
            ),
        )
    wrong = [key for key in BOOLEAN_KEYS if key in meta and not isinstance(meta[key], bool)]
    if wrong:
        check.add(
            index,
            grade_id,
            gettext_noop("its nbgrader %(quoted)s must be true or false, not %(shown)s.")
            % {"quoted": _quoted(wrong), "shown": _shown(meta[wrong[0]])},
            gettext_noop("set the cell type again in nbgrader's Create Assignment toolbar."),
        )
    if "cell_type" in meta and meta["cell_type"] not in ("code", "markdown", "raw"):
        check.add(
            index,
            grade_id,
            gettext_noop("its nbgrader cell_type is %(shown)s, not code, markdown or raw.")
            % {"shown": _shown(meta["cell_type"])},
            gettext_noop(
                "remove cell_type from metadata.nbgrader; nbgrader writes it only in releases."
            ),
        )
    elif meta.get("cell_type", cell_type) != cell_type:
        # nbgrader's validator: "Cell type has changed from code to markdown!"
        check.add(
            index,
            grade_id,
            gettext_noop(
                "its type has changed: nbgrader released it as a %(value)s cell, and it is now a %(cell_type)s cell."
            )
            % {"value": meta["cell_type"], "cell_type": cell_type},
            gettext_noop(
                "change it back to a %(value)s cell, or remove cell_type from metadata.nbgrader if the new type is meant."
            )
            % {"value": meta["cell_type"]},
        )
    checksum = meta.get("checksum")
    if "checksum" in meta and not (isinstance(checksum, str) and len(checksum) == 32):
        check.add(
            index,
            grade_id,
            gettext_noop("its nbgrader checksum is not the 32-character text nbgrader writes."),
            gettext_noop(
                "remove checksum from metadata.nbgrader; nbgrader writes it only in releases."
            ),
        )


def _quoted(keys: list[str]) -> str:
    return ", ".join(f"'{key[:40]}'" for key in keys[:8])


def _shown(value: Any) -> str:
    return json.dumps(value, default=str)[:40]


def _check_points(
    index: int, grade_id: str, kind: CellKind, meta: dict[str, Any], check: _Checker
) -> Fraction:
    """The points a cell of ``kind`` is worth: 0 unless it is graded and its points are a number >= 0."""
    if kind in (CellKind.TEST, CellKind.MANUAL_ANSWER, CellKind.TASK):
        parsed = parse_points(meta.get("points"))
        if parsed is None:
            # Wording kept as tests/security/test_notebook_grade_command.py pins it (None when missing).
            check.add(
                index,
                grade_id,
                gettext_noop("it is graded but its points are %(value)s, not a number.")
                % {"value": repr(meta.get("points"))},
                gettext_noop("set the points in nbgrader's toolbar to a number such as 1."),
            )
        elif parsed < 0:
            check.add(
                index,
                grade_id,
                gettext_noop("its points are negative (%(format_points)s).")
                % {"format_points": format_points(parsed)},
                gettext_noop("use zero or more points."),
            )
        else:
            return parsed
    elif parse_points(meta.get("points")):
        check.add(
            index,
            grade_id,
            gettext_noop("it has points but is not a graded cell, so the points would be ignored."),
            gettext_noop(
                "make it an 'Autograder tests' or 'Manually graded' cell, or remove the points."
            ),
        )
    return Fraction(0)


def _check_cell_type(
    index: int, grade_id: str, kind: CellKind, cell_type: str, check: _Checker
) -> None:
    """nbgrader's cell-type rules: tests are code, tasks are markdown, a markdown answer is graded by hand."""
    if kind is CellKind.TEST and cell_type != "code":
        check.add(
            index,
            grade_id,
            gettext_noop("it is marked as autograder tests but is not a code cell."),
            gettext_noop("change it to a code cell, or make it a 'Manually graded answer' cell."),
        )
    if kind is CellKind.TASK and cell_type != "markdown":
        check.add(
            index,
            grade_id,
            gettext_noop("it is a manually graded task but not a markdown cell."),
            gettext_noop("change it to a markdown cell that describes the task."),
        )
    if kind is CellKind.ANSWER and cell_type == "markdown":
        check.add(
            index,
            grade_id,
            gettext_noop(
                "it is a markdown answer cell without grade: true, which nbgrader refuses: "
                "a written answer cannot be autograded."
            ),
            gettext_noop(
                "make it a 'Manually graded answer' cell with points in nbgrader's toolbar."
            ),
        )


def _check_grade_id(index: int, raw: Any, kind: CellKind, check: _Checker) -> None:
    """Whether an nbgrader cell has a grade_id nbgrader accepts: text of letters, digits, '_' and '-'."""
    grade_id = raw if isinstance(raw, str) else str(raw)
    if kind is not CellKind.CODE and kind is not CellKind.TEXT and not grade_id.strip():
        check.add(
            index,
            "",
            gettext_noop("it is an nbgrader %(value)s cell without a grade_id.")
            % {"value": kind.value.replace("_", " ")},
            gettext_noop(
                "give it a unique grade_id (ID field in nbgrader's toolbar), e.g. 'rice_answer'."
            ),
        )
        return
    if not isinstance(raw, str):
        check.add(
            index,
            grade_id[:40],
            gettext_noop("its grade_id is %(shown)s, not text.") % {"shown": _shown(raw)},
            gettext_noop("set the ID field in nbgrader's toolbar to text such as '%(suggest)s'.")
            % {"suggest": _suggest(grade_id)},
        )
    elif not GRADE_ID.match(grade_id):
        bad = sorted({ch for ch in grade_id if not GRADE_ID.match(ch)})
        what = ", ".join("a space" if ch == " " else repr(ch) for ch in bad[:5])
        check.add(
            index,
            grade_id[:40],
            gettext_noop(
                "its grade_id holds characters nbgrader does not allow (%(what)s); nbgrader's ids use letters, digits, '_' and '-' only."
            )
            % {"what": what},
            gettext_noop("rename it in nbgrader's toolbar, e.g. to '%(suggest)s'.")
            % {"suggest": _suggest(grade_id)},
        )
    if len(grade_id) > MAX_GRADE_ID_CHARS:
        check.add(
            index,
            grade_id[:40],
            gettext_noop("its grade_id is %(count)s characters long.") % {"count": len(grade_id)},
            gettext_noop(
                "use a short id (at most %(MAX_GRADE_ID_CHARS)s characters) such as 'rice_answer'."
            )
            % {"MAX_GRADE_ID_CHARS": MAX_GRADE_ID_CHARS},
        )


def _suggest(grade_id: str) -> str:
    """A grade_id nbgrader accepts, made from one it does not."""
    return re.sub(r"[^a-zA-Z0-9_-]+", "_", grade_id).strip("_")[:MAX_GRADE_ID_CHARS] or "answer_1"


def _check_markers(index: int, grade_id: str, kind: CellKind, text: str, check: _Checker) -> None:
    """nbgrader's enforce_metadata: solution, hidden-test and mark-scheme regions only where release removes them."""
    try:
        solutions = markers.solution_regions(text)
        hidden = markers.hidden_regions(text)
        schemes = markers.mark_scheme_regions(text)
    except markers.MarkerError as exc:
        check.add(
            index,
            grade_id,
            f"{exc}.",
            gettext_noop("balance each BEGIN marker with its END marker on its own line."),
        )
        return
    if solutions and kind not in (CellKind.ANSWER, CellKind.MANUAL_ANSWER):
        check.add(
            index,
            grade_id,
            gettext_noop(
                "it has '### BEGIN SOLUTION' but is not a solution cell, so the solution would be released."
            ),
            gettext_noop("mark it as an 'Autograded answer' cell, or remove the markers."),
        )
    if hidden and kind is not CellKind.TEST:
        check.add(
            index,
            grade_id,
            gettext_noop(
                "it has '### BEGIN HIDDEN TESTS' but is not a test cell, so the hidden part would run and be released."
            ),
            gettext_noop("mark it as 'Autograder tests', or remove the markers."),
        )
    if schemes and kind is not CellKind.TASK:
        check.add(
            index,
            grade_id,
            gettext_noop(
                "it has '=== BEGIN MARK SCHEME ===' but is not a task cell, so the mark scheme would be released."
            ),
            gettext_noop("mark it as a 'Manually graded task' cell, or remove the mark scheme."),
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
                gettext_noop(
                    "its grade_id is also used by cell %(value)s; learners' answers are matched by grade_id."
                )
                % {"value": seen[cell.grade_id] + 1},
                gettext_noop("give every nbgrader cell a different grade_id."),
            )
        else:
            seen[cell.grade_id] = cell.index
    if not any(c.kind in (CellKind.ANSWER, CellKind.MANUAL_ANSWER) for c in cells):
        check.add(
            None,
            "",
            gettext_noop("it has no answer cells, so a learner has nowhere to write."),
            gettext_noop(
                "mark at least one cell as 'Autograded answer' with '### BEGIN SOLUTION' markers."
            ),
        )
    if not any(c.points > 0 for c in cells):
        check.add(
            None,
            "",
            gettext_noop("no cell carries points, so every submission would score 0 of 0."),
            gettext_noop("add an 'Autograder tests' cell with points, or a sealed check."),
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
            gettext_noop(
                "it is written for the %(language)s language; the grader runs Python 3 only."
            )
            % {"language": repr(language)},
            gettext_noop("rewrite the exercise in Python and save it with a Python 3 kernel."),
        )


def parse_nbgrader(nb: NotebookNode) -> tuple[ExerciseSource, list[Problem]]:
    check = _Checker()
    cells = [_classify(i, cell, check) for i, cell in enumerate(nb.get("cells", []))]
    check_cells(cells, nb, check)
    check.problems.extend(autotest_problems(cells))
    check.problems[:0] = check.schema_problems()
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
