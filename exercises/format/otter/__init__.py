"""Import Otter-Grader v1 ("otter assign" master) notebooks into the same model as nbgrader sources.

Otter's own rules throughout, from ``otter/assign`` in the Otter-Grader repository:

* ``cells``: the master's cells, with the markdown-fenced form of boundary cells split out;
* ``reader``: the walk over questions and their prompt, solution and test blocks;
* ``solutions``: what the student notebook leaves out (solutions, prompts' delimiters, seeds,
  ignored lines) and the seed variable's student value;
* ``testcases``: test cells as test code; ``points``: what each test is worth;
* ``student``: which cells of a notebook Otter itself released hold the answers.

The model keeps the instructor's text in nbgrader's terms (``### BEGIN SOLUTION`` regions, hidden
tests between ``### BEGIN HIDDEN TESTS`` lines), so grading, validation and the release guard read
Otter sources as they read nbgrader ones; each cell's ``release`` is the text Otter gives students.
Imports run one way: this package imports the model and nothing of nbgrader's parser but its
shared helpers.
"""

from __future__ import annotations

from typing import Any

from nbformat.notebooknode import NotebookNode

from exercises.format.texts import gettext_noop

from .. import markers
from ..model import LEARNER_KINDS, CellKind, ExerciseSource, Problem, SourceCell, format_points
from ..nbgrader import _release_metadata, notebook_sha256
from ..release import carry_attachments
from .cells import Block, FenceError, RawCell, boundary, is_config, read_cells
from .config import AssignmentConfig, ConfigError, assignment_config, read_yaml
from .reader import ANSWER_TAG, Draft, OtterReader
from .solutions import (
    OtterMarkerError,
    empty_region,
    mark_solutions,
    overwrite_seed_variable,
    replace_solutions,
    seed_prelude,
)

__all__ = ["is_otter_v1", "parse_otter", "seed_prelude"]


def is_otter_v1(nb: NotebookNode) -> bool:
    """Whether ``nb`` is an Otter master notebook: it has a question or an assignment config."""
    try:
        cells = read_cells(nb)
    except FenceError:
        return True
    return any(boundary(c, Block.QUESTION, end=False) or is_config(c) for c in cells)


def _configure(cells: list[RawCell]) -> tuple[AssignmentConfig, list[Problem]]:
    config, problems = AssignmentConfig(), []
    for cell in cells:
        if not is_config(cell):
            continue
        try:
            config = assignment_config(read_yaml(cell), config)
        except ConfigError as exc:
            problems.append(
                Problem(
                    cell.position,
                    "",
                    gettext_noop("The '# ASSIGNMENT CONFIG' cell cannot be read: %(exc)s.")
                    % {"exc": exc},
                    gettext_noop(
                        "write the assignment config as YAML under '# ASSIGNMENT CONFIG'."
                    ),
                )
            )
    return config, problems


def parse_otter(nb: NotebookNode) -> tuple[ExerciseSource, list[Problem]]:
    """The exercise an Otter master notebook makes, and every problem Otter (or we) would refuse.

    A master in another language (Otter also reads R) gets that one problem: the rest of what it
    holds would only be read as Python's errors.
    """
    if (language := _language(nb)) != "python":
        return _source(nb, []), [_language_problem(language)]
    try:
        cells = read_cells(nb)
    except FenceError as exc:
        problem = Problem(exc.position, "", f"{str(exc)[0].upper()}{str(exc)[1:]}.", "close it.")
        return _source(nb, []), [problem]
    config, problems = _configure(cells)
    reader = OtterReader(config)
    for cell in cells:
        reader.read(cell)
    drafts = reader.finish()
    problems += reader.problems
    for draft in drafts:
        problems += _release(draft, config)
    source = _source(nb, drafts)
    problems += _notebook_problems(source)
    return source, problems


def _release(draft: Draft, config: AssignmentConfig) -> list[Problem]:
    """Give ``draft`` the text Otter releases, in place; problems if that would show a solution."""
    if draft.kind is CellKind.TEST:
        return []
    problems = _strip(draft, config) if draft.cell_type == "code" else []
    if config.seed_variable:
        text = draft.release if draft.release is not None else draft.source
        seeded = overwrite_seed_variable(text, config.seed_variable, config.seed_student_value)
        draft.release = seeded if seeded != text else draft.release
    if draft.kind in LEARNER_KINDS:
        try:
            regions = markers.solution_regions(draft.source)
        except markers.MarkerError as exc:
            return [
                *problems,
                _problem(draft, f"{exc}.", gettext_noop("balance its solution markers.")),
            ]
        if not regions:
            draft.source = f"{draft.source}\n{empty_region(draft.cell_type)}"
    return problems


def _strip(draft: Draft, config: AssignmentConfig) -> list[Problem]:
    """Otter's solution removal on a code cell outside a solution block (it has had it inside one)."""
    released = draft.release if draft.release is not None else draft.source
    try:
        stripped = "\n".join(replace_solutions(released.split("\n")))
    except OtterMarkerError as exc:
        return [
            _problem(
                draft,
                f"{exc}.",
                gettext_noop("balance every '# BEGIN SOLUTION' with '# END SOLUTION'."),
            )
        ]
    if stripped == released:
        return []
    if config.strip_solutions_from_all_cells:
        _make_answer(draft, stripped)
        return []
    return [_unstripped(draft, released, stripped)]


def _problem(draft: Draft, message: str, fix: str) -> Problem:
    where = f"In question {draft.question!r}, " if draft.question else ""
    text = where + message if where else message[0].upper() + message[1:]
    return Problem(draft.position, "", text, fix)


def _make_answer(draft: Draft, stripped: str) -> None:
    """A code cell Otter strips solutions from outside a solution block: the learner fills it in."""
    draft.source = mark_solutions(draft.source)
    draft.release = stripped
    if draft.kind is CellKind.CODE:
        draft.kind = CellKind.ANSWER
        draft.grade_id = f"cell_{draft.position + 1}"
        draft.tags = [*draft.tags, ANSWER_TAG]


def _unstripped(draft: Draft, released: str, stripped: str) -> Problem:
    before, after = released.split("\n"), set(stripped.split("\n"))
    number, line = next(
        ((n, text) for n, text in enumerate(before, start=1) if text not in after),
        (1, before[0]),
    )
    return _problem(
        draft,
        gettext_noop(
            "line %(number)s, '%(value)s', is marked for Otter to remove from the student notebook, but the cell is not in a solution block, so Otter releases it as written."
        )
        % {"number": number, "value": line.strip()[:60]},
        gettext_noop(
            "move the cell into its question's '# BEGIN SOLUTION' block, remove the mark, or set "
            "'strip_solutions_from_all_cells: true' in the assignment config."
        ),
    )


def _json_points(value: Any) -> int | float:
    return int(value) if value.denominator == 1 else float(value)


def _source_cell(index: int, draft: Draft, raw_cell: Any) -> SourceCell:
    metadata: dict[str, Any] = {"tags": draft.tags} if draft.tags else {}
    if draft.cell_type == "markdown" and raw_cell.get("cell_type") == "markdown":
        # Pasted images travel with the cell when its released text still shows them.
        carry_attachments(raw_cell, metadata)
    if draft.locked or draft.kind is CellKind.TEST:
        metadata.update(editable=False, deletable=False)
    if draft.question and draft.kind in (CellKind.ANSWER, CellKind.MANUAL_ANSWER, CellKind.TEST):
        metadata["pma"] = {"otter_question": draft.question}
    nbgrader: dict[str, Any] = {}
    if draft.kind in (CellKind.ANSWER, CellKind.MANUAL_ANSWER, CellKind.TEST):
        nbgrader = {
            "grade": draft.kind is not CellKind.ANSWER,
            "solution": draft.kind is not CellKind.TEST,
            "locked": draft.kind is CellKind.TEST,
            "schema_version": 3,
            "grade_id": draft.grade_id,
        }
        if draft.kind is not CellKind.ANSWER:
            nbgrader["points"] = _json_points(draft.points)
        metadata["nbgrader"] = nbgrader
    return SourceCell(
        index,
        draft.cell_type,
        draft.kind,
        draft.source,
        draft.grade_id,
        draft.points,
        None,
        nbgrader,
        metadata,
        release=draft.release,
    )


def _source(nb: NotebookNode, drafts: list[Draft]) -> ExerciseSource:
    return ExerciseSource(
        cells=tuple(_source_cell(i, d, nb["cells"][d.position]) for i, d in enumerate(drafts)),
        origin="otter",
        sha256=notebook_sha256(nb),
        notebook_metadata=_release_metadata(nb),
        nbformat_minor=int(nb.get("nbformat_minor", 5)),
        cell_numbers=tuple(d.position + 1 for d in drafts),
    )


def _notebook_problems(source: ExerciseSource) -> list[Problem]:
    """Duplicate answer ids, nowhere to answer, nothing to score."""
    problems: list[Problem] = []
    seen: dict[str, SourceCell] = {}
    for cell in source.cells:
        if cell.grade_id and cell.grade_id in seen:
            problems.append(
                Problem(
                    source.number_of(cell) - 1,
                    "",
                    gettext_noop(
                        "This cell's id %(grade_id)s is also the id of cell %(value)s; answers are matched by it."
                    )
                    % {
                        "grade_id": repr(cell.grade_id),
                        "value": source.number_of(seen[cell.grade_id]),
                    },
                    gettext_noop(
                        "rename the question so that its name differs from every other question's "
                        "and from '<question>_<n>' ids of other questions' answer cells."
                    ),
                )
            )
        seen.setdefault(cell.grade_id, cell)
    if not source.answer_cells:
        problems.append(
            Problem(
                None,
                "",
                gettext_noop(
                    "It has no solution or prompt cells inside a question, so a learner has nowhere "
                    "to write."
                ),
                gettext_noop(
                    "add a raw '# BEGIN SOLUTION' cell, the solution cells and '# END SOLUTION' "
                    "inside a question."
                ),
            )
        )
    if not any(c.points > 0 for c in source.cells):
        problems.append(
            Problem(
                None,
                "",
                gettext_noop(
                    "No test or manually graded question is worth points (total %(format_points)s), so every submission would score 0 of 0."
                )
                % {"format_points": format_points(source.max_score)},
                gettext_noop(
                    "add test cells between '# BEGIN TESTS' and '# END TESTS' in a question, or give "
                    "a manually graded question 'points:'."
                ),
            )
        )
    return problems


def _language_problem(language: str) -> Problem:
    return Problem(
        None,
        "",
        gettext_noop("It is written for the %(language)s language; the grader runs Python 3 only.")
        % {"language": repr(language)},
        gettext_noop("rewrite the exercise in Python and save it with a Python 3 kernel."),
    )


def _language(nb: NotebookNode) -> str:
    meta = nb.get("metadata") or {}
    language = (meta.get("kernelspec") or {}).get("language") or (
        meta.get("language_info") or {}
    ).get("name")
    return str(language or "python").lower()
