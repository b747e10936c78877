"""Assemble: rebuild the notebook to run from the instructor's source plus the learner's answer cells.

Nothing else in the upload is trusted: its outputs, metadata, kernelspec, and any edit to locked,
test or sealed cells are ignored (and flagged); a missing answer falls back to the release stub.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from exercises.format import CellKind, ExerciseSource, SourceCell, markers, released_text

from .flags import kernel_internals
from .report import Flag

LOCKED_KINDS = frozenset({CellKind.READONLY, CellKind.TEST, CellKind.SEALED, CellKind.TASK})


@dataclass
class Step:
    """One code cell to execute, and the source cell it came from."""

    cell: SourceCell
    code: str
    from_learner: bool = False


@dataclass
class Assembly:
    steps: list[Step]
    answers: dict[str, str]  # grade_id -> the answer text used (learner's or the stub)
    unanswered: set[str] = field(default_factory=set)  # answer grade_ids left at the release stub
    flags: list[Flag] = field(default_factory=list)
    source: ExerciseSource | None = None

    @property
    def sources(self) -> list[str]:
        return [step.code for step in self.steps]


def _text(cell: Any) -> str:
    source = cell.get("source", "") if isinstance(cell, dict) else ""
    if isinstance(source, list):
        return "".join(s for s in source if isinstance(s, str))
    return source if isinstance(source, str) else ""


def _grade_id(cell: Any) -> str:
    meta = cell.get("metadata") if isinstance(cell, dict) else None
    nbgrader = meta.get("nbgrader") if isinstance(meta, dict) else None
    grade_id = nbgrader.get("grade_id") if isinstance(nbgrader, dict) else None
    return grade_id if isinstance(grade_id, str) else ""


def _index_submission(submission: Any, known_texts: set[str]) -> tuple[dict[str, list[str]], int]:
    """Learner cells by grade_id, and how many code cells the learner added (matching nothing in the source)."""
    cells = submission.get("cells", []) if isinstance(submission, dict) else []
    by_id: dict[str, list[str]] = {}
    added = 0
    for cell in cells if isinstance(cells, list) else []:
        grade_id = _grade_id(cell)
        if grade_id:
            by_id.setdefault(grade_id, []).append(_text(cell))
        elif (
            isinstance(cell, dict)
            and cell.get("cell_type") == "code"
            and _text(cell).strip()
            and _normalise(_text(cell)) not in known_texts
        ):
            added += 1
    return by_id, added


def _normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def assemble(source: ExerciseSource, submission: Any, *, mode: str = "submit") -> Assembly:
    known_texts = {_normalise(c.source) for c in source.cells if not c.grade_id}
    by_id, unmatched = _index_submission(submission, known_texts)
    known = source.by_grade_id()
    unmatched += sum(len(texts) for gid, texts in by_id.items() if gid not in known)
    assembly = Assembly(steps=[], answers={}, source=source)

    for cell in source.cells:
        learner = by_id.get(cell.grade_id, []) if cell.grade_id else []
        if cell.kind in (CellKind.ANSWER, CellKind.MANUAL_ANSWER):
            _take_answer(assembly, cell, learner)
            continue
        if cell.kind in LOCKED_KINDS and cell.grade_id:
            _check_locked(assembly.flags, cell, learner)
        if cell.cell_type != "code" or cell.kind is CellKind.SEALED:
            continue
        assembly.steps.append(Step(cell, _exercise_code(cell, mode)))

    if unmatched:
        assembly.flags.append(
            Flag(
                "cells_added",
                f"{unmatched} cell(s) you added were not run: only answer cells are "
                "taken from your notebook, so put all of your work inside them.",
            )
        )
    return assembly


def _take_answer(assembly: Assembly, cell: SourceCell, learner: list[str]) -> None:
    """Which text answers ``cell``: the learner's first copy, else the release stub (then it is unanswered)."""
    flags = assembly.flags
    number = cell.index + 1
    stub = released_text(cell)
    if learner:
        text = learner[0]
        if len(learner) > 1:
            flags.append(
                Flag(
                    "answer_duplicated",
                    f"Answer cell {cell.grade_id!r} appears {len(learner)} times; "
                    "only the first copy was graded.",
                    number,
                    cell.grade_id,
                )
            )
    else:
        text = stub
        flags.append(
            Flag(
                "answer_missing",
                f"Answer cell {cell.grade_id!r} was not in the upload; "
                "the empty answer from the exercise was used.",
                number,
                cell.grade_id,
            )
        )
    if _normalise(text) == _normalise(stub):
        assembly.unanswered.add(cell.grade_id)
    assembly.answers[cell.grade_id] = text
    if cell.cell_type == "code":
        touched = kernel_internals(text)
        if touched:
            flags.append(
                Flag(
                    "kernel_internals",
                    f"Answer cell {cell.grade_id!r} uses {', '.join(touched)}, which reach into the "
                    "notebook kernel rather than solve the task; an instructor should review it.",
                    number,
                    cell.grade_id,
                    review=True,
                )
            )
        assembly.steps.append(Step(cell, text, from_learner=True))


def _check_locked(flags: list[Flag], cell: SourceCell, learner: list[str]) -> None:
    """Whether the learner deleted, changed or copied a read-only cell (their copy is never used)."""
    number = cell.index + 1
    released = released_text(cell)
    if not learner:
        flags.append(
            Flag(
                "locked_cell_deleted",
                f"The read-only cell {cell.grade_id!r} was deleted; the exercise's copy was used.",
                number,
                cell.grade_id,
            )
        )
    elif any(_normalise(t) != _normalise(released) for t in learner) or len(learner) > 1:
        flags.append(
            Flag(
                "locked_cell_edited",
                f"The read-only cell {cell.grade_id!r} was changed or "
                "copied; the change was ignored and the exercise's copy was used.",
                number,
                cell.grade_id,
            )
        )


def _exercise_code(cell: SourceCell, mode: str) -> str:
    """The code to run for a non-answer cell: tests keep their hidden part only when grading a submission."""
    if cell.kind is CellKind.TEST:
        return (
            markers.unmark(cell.source) if mode == "submit" else markers.strip_hidden(cell.source)
        )
    return cell.source


def reference_steps(source: ExerciseSource) -> list[Step]:
    """The instructor's solution without tests: what runs in the reference kernel for sealed checks."""
    steps = []
    for cell in source.cells:
        if cell.cell_type != "code" or cell.kind in (CellKind.TEST, CellKind.SEALED):
            continue
        steps.append(Step(cell, markers.unmark(cell.source)))
    return steps


def hidden_lines(source: ExerciseSource) -> list[str]:
    """Hidden-test lines worth scrubbing from messages (short lines like ``)`` would match anything)."""
    lines = {
        line.strip()
        for cell in source.cells
        if cell.kind is CellKind.TEST
        for line in markers.hidden_text(cell.source)
    }
    return sorted(line for line in lines if len(line) >= 6)
