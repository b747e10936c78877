"""Reading an exercise revision's notebooks: its answer cells, its release, a learner's answers."""

from __future__ import annotations

import json
import logging
from typing import Any

from exercises.models import ExerciseRevision

logger = logging.getLogger(__name__)


ANSWER_KINDS = ("answer", "manual_answer")


def answer_grade_ids(*, revision: ExerciseRevision) -> list[str]:
    return [
        c["grade_id"]
        for c in revision.structure
        if c.get("kind") in ANSWER_KINDS and c.get("grade_id")
    ]


def release_notebook_of(*, revision: ExerciseRevision) -> dict[str, Any]:
    with revision.release.open("rb") as fh:
        return json.loads(fh.read().decode("utf-8"))


def _cell_text(cell: Any) -> str:
    source = cell.get("source", "") if isinstance(cell, dict) else ""
    return "".join(source) if isinstance(source, list) else str(source)


def cell_grade_id(cell: Any) -> str:
    nbgrader = (cell.get("metadata") or {}).get("nbgrader") if isinstance(cell, dict) else None
    grade_id = nbgrader.get("grade_id") if isinstance(nbgrader, dict) else None
    return grade_id if isinstance(grade_id, str) else ""


def release_answer_stubs(*, revision: ExerciseRevision) -> dict[str, str]:
    """The release notebook's text of each answer cell: what a learner starts from."""
    wanted = set(answer_grade_ids(revision=revision))
    return {
        cell_grade_id(cell): _cell_text(cell)
        for cell in release_notebook_of(revision=revision).get("cells", [])
        if cell_grade_id(cell) in wanted
    }


def notebook_answers(*, notebook: Any, revision: ExerciseRevision) -> dict[str, str]:
    """The answer cells of a learner's notebook (the first copy of each, as the grader takes it)."""
    wanted = set(answer_grade_ids(revision=revision))
    answers: dict[str, str] = {}
    for cell in notebook.get("cells", []):
        grade_id = cell_grade_id(cell)
        if grade_id in wanted and grade_id not in answers:
            answers[grade_id] = _cell_text(cell)
    return answers


def normalise_answer(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines())
