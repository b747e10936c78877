"""Assemble: rebuild the notebook to run from the instructor's source plus the learner's answer cells.

Nothing else in the upload is trusted: its outputs, metadata, kernelspec, and any edit to locked,
test or sealed cells are ignored (and flagged); a missing answer falls back to the release stub, and
so does an answer whose cell type the learner changed (nbgrader's "cell type changed" rule: a code
answer turned into markdown is not run, a markdown one turned into code is not run either).

Answers are found by nbgrader ``grade_id``. A notebook Otter-Grader released has none: for an Otter
exercise, its answers are found by question name and position (``exercises.format.otter.student``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from exercises.format import CellKind, ExerciseSource, SourceCell, markers, released_text
from exercises.format.otter import seed_prelude
from exercises.format.otter.student import LearnerCell, learner_cell, match_release
from exercises.format.texts import gettext_noop

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


def _grade_id(cell: Any) -> str:
    meta = cell.get("metadata") if isinstance(cell, dict) else None
    nbgrader = meta.get("nbgrader") if isinstance(meta, dict) else None
    grade_id = nbgrader.get("grade_id") if isinstance(nbgrader, dict) else None
    return grade_id if isinstance(grade_id, str) else ""


def _cells(submission: Any) -> list[Any]:
    cells = submission.get("cells", []) if isinstance(submission, dict) else []
    return cells if isinstance(cells, list) else []


def _index_submission(
    cells: list[Any], known_texts: set[str]
) -> tuple[dict[str, list[LearnerCell]], int]:
    """Learner cells by grade_id, and how many code cells the learner added (matching nothing in the source)."""
    by_id: dict[str, list[LearnerCell]] = {}
    added = 0
    for cell in cells:
        learner = learner_cell(cell)
        if learner is None:
            continue
        grade_id = _grade_id(cell)
        if grade_id:
            by_id.setdefault(grade_id, []).append(learner)
        elif (
            learner.cell_type == "code"
            and learner.text.strip()
            and _normalise(learner.text) not in known_texts
        ):
            added += 1
    return by_id, added


def _normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def _learner_answers(
    source: ExerciseSource, cells: list[Any]
) -> tuple[dict[str, list[LearnerCell]], int, bool]:
    """Learner cells by grade_id, cells added, and whether the notebook is one Otter released."""
    known_texts = {
        _normalise(text)
        for c in source.cells
        if not c.grade_id
        for text in (c.source, released_text(c))
    }
    by_id, added = _index_submission(cells, known_texts)
    answer_ids = {c.grade_id for c in source.answer_cells}
    if source.origin == "otter" and not answer_ids & by_id.keys():
        match = match_release(source, cells)
        return match.answers, match.added, True
    return by_id, added, False


def assemble(source: ExerciseSource, submission: Any, *, mode: str = "submit") -> Assembly:
    cells = _cells(submission)
    by_id, unmatched, otter_release = _learner_answers(source, cells)
    known = source.by_grade_id()
    unmatched += sum(len(texts) for gid, texts in by_id.items() if gid not in known)
    assembly = Assembly(steps=[], answers={}, source=source)

    for cell in source.cells:
        learner = by_id.get(cell.grade_id, []) if cell.grade_id else []
        if cell.kind in (CellKind.ANSWER, CellKind.MANUAL_ANSWER):
            _take_answer(assembly, cell, learner)
            continue
        # Otter's releases hold no test cells (nor any other locked cell): nothing to check.
        if cell.kind in LOCKED_KINDS and cell.grade_id and not otter_release:
            _check_locked(assembly.flags, cell, [c.text for c in learner])
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


def _take_answer(assembly: Assembly, cell: SourceCell, learner: list[LearnerCell]) -> None:
    """Which text answers ``cell``: the learner's first copy, else the release stub (then it is unanswered)."""
    flags = assembly.flags
    number = cell.index + 1
    stub = released_text(cell)
    text = stub
    if learner:
        text = _learner_text(flags, cell, learner)
    else:
        flags.append(
            Flag(
                "answer_missing",
                gettext_noop(
                    "Answer cell %(id)s was not in the upload; "
                    "the empty answer from the exercise was used."
                )
                % {"id": repr(cell.grade_id)},
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
                    gettext_noop(
                        "Answer cell %(id)s uses %(names)s, which reach into the "
                        "notebook kernel rather than solve the task; an instructor should review it."
                    )
                    % {"id": repr(cell.grade_id), "names": ", ".join(touched)},
                    number,
                    cell.grade_id,
                    review=True,
                )
            )
        assembly.steps.append(Step(cell, _with_seeds(assembly, cell, text), from_learner=True))


def _learner_text(flags: list[Flag], cell: SourceCell, learner: list[LearnerCell]) -> str:
    """The learner's first copy of the answer; the release stub when its cell type was changed."""
    number = cell.index + 1
    first = learner[0]
    if len(learner) > 1:
        flags.append(
            Flag(
                "answer_duplicated",
                gettext_noop(
                    "Answer cell %(id)s appears %(n)s times; only the first copy was graded."
                )
                % {"id": repr(cell.grade_id), "n": len(learner)},
                number,
                cell.grade_id,
            )
        )
    if first.cell_type == cell.cell_type:
        return first.text
    flags.append(
        Flag(
            "answer_cell_type_changed",
            gettext_noop(
                "Answer cell %(id)s was changed from a %(was)s "
                "cell to a %(now)s cell, so it was not run and was graded as "
                "unanswered. Change it back to a %(was)s cell and submit again."
            )
            % {
                "id": repr(cell.grade_id),
                "was": _type_name(cell.cell_type),
                "now": _type_name(first.cell_type),
            },
            number,
            cell.grade_id,
        )
    )
    return released_text(cell)


def _type_name(cell_type: str) -> str:
    return {"code": "code", "markdown": "Markdown", "raw": "raw"}.get(cell_type, repr(cell_type))


def _with_seeds(assembly: Assembly, cell: SourceCell, text: str) -> str:
    """An Otter answer runs after its solution's ``# SEED`` lines, as the master's solution did."""
    source = assembly.source
    if source is None or source.origin != "otter" or text.lstrip().startswith("%%"):
        return text
    prelude = seed_prelude(cell.source)
    return f"{prelude}\n{text}" if prelude else text


def _check_locked(flags: list[Flag], cell: SourceCell, learner: list[str]) -> None:
    """Whether the learner deleted, changed or copied a read-only cell (their copy is never used)."""
    number = cell.index + 1
    released = released_text(cell)
    if not learner:
        flags.append(
            Flag(
                "locked_cell_deleted",
                gettext_noop("The read-only cell %(id)s was deleted; the exercise's copy was used.")
                % {"id": repr(cell.grade_id)},
                number,
                cell.grade_id,
            )
        )
    elif any(_normalise(t) != _normalise(released) for t in learner) or len(learner) > 1:
        flags.append(
            Flag(
                "locked_cell_edited",
                gettext_noop(
                    "The read-only cell %(id)s was changed or "
                    "copied; the change was ignored and the exercise's copy was used."
                )
                % {"id": repr(cell.grade_id)},
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
