"""validate_exercise: static checks, then the reference must score full marks and the release zero."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from exercises.format import (
    CellKind,
    ExerciseSource,
    Problem,
    SourceInvalid,
    format_points_of,
    markers,
    parse_source,
    points_json,
    release_notebook,
)
from exercises.format.texts import gettext_noop

from .autotest import instantiate_autotests
from .judge import judged_test_cells
from .limits import Limits
from .pipeline import CELL_ERROR, JUDGE_SETUP_FAILED, JUDGE_UNTRANSFERABLE, grade_submission
from .report import GradeReport, ReportStatus, TestStatus
from .sandbox.pool import KernelProvider

#: Validation is reproducible: the same source always meets the same generated inputs.
VALIDATION_SEED = 20240601


@dataclass
class ValidationReport:
    valid: bool
    problems: list[Problem] = field(default_factory=list)
    reference: GradeReport | None = None
    release: GradeReport | None = None
    source: ExerciseSource | None = None
    #: Test cells that run in the learner's kernel, where their verdict is not protected.
    in_kernel_tests: list[str] = field(default_factory=list)
    #: What the instructor should know that does not make the exercise invalid.
    notes: list[str] = field(default_factory=list)
    #: nbgrader AUTOTEST cells as instantiated from the reference (0-based index -> text): what
    #: the revision grades with and releases.
    autotests: dict[int, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "in_kernel_tests": self.in_kernel_tests,
            "notes": self.notes,
            "problems": [p.to_dict() | {"text": str(p)} for p in self.problems],
            "reference": self.reference.to_dict() if self.reference else None,
            "release": self.release.to_dict() if self.release else None,
            "max_score": points_json(self.source.max_score) if self.source else 0,
            "autotests": [
                {"cell": index + 1, "source": text}
                for index, text in sorted(self.autotests.items())
            ],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, allow_nan=False)


def solution_notebook(source: ExerciseSource) -> Any:
    """The release notebook with the instructor's solutions in the answer cells."""
    nb = release_notebook(source)
    for cell, released in zip(source.cells, nb.cells, strict=True):
        if cell.kind in (CellKind.ANSWER, CellKind.MANUAL_ANSWER):
            released.source = markers.unmark(cell.source)
    return nb


# Whole sentences, so each language can put the words in its own order.
_VERDICT_SENTENCES = {
    ("reference solution", ReportStatus.TIMEOUT): gettext_noop(
        "the reference solution ran longer than the time limit: %(message)s"
    ),
    ("reference solution", ReportStatus.MEMORY): gettext_noop(
        "the reference solution ran out of memory: %(message)s"
    ),
    ("reference solution", ReportStatus.CRASHED): gettext_noop(
        "the reference solution stopped the kernel: %(message)s"
    ),
    ("release notebook", ReportStatus.TIMEOUT): gettext_noop(
        "the release notebook ran longer than the time limit: %(message)s"
    ),
    ("release notebook", ReportStatus.MEMORY): gettext_noop(
        "the release notebook ran out of memory: %(message)s"
    ),
    ("release notebook", ReportStatus.CRASHED): gettext_noop(
        "the release notebook stopped the kernel: %(message)s"
    ),
}


def _run_problems(report: GradeReport, which: str) -> list[Problem]:
    sentence = _VERDICT_SENTENCES.get((which, report.status))
    if sentence is not None:
        return [
            Problem(
                None,
                "",
                sentence % {"message": report.message},
                gettext_noop("make the notebook finish within the grading limits."),
            )
        ]
    return []


def validate_exercise(
    source_nb: Any, *, kernels: KernelProvider, limits: Limits, autotest_rules: str | None = None
) -> ValidationReport:
    """``autotest_rules``: the author's autotests.yml for nbgrader AUTOTEST lines (None: defaults)."""
    try:
        source = parse_source(source_nb)
    except SourceInvalid as exc:
        return ValidationReport(valid=False, problems=list(exc.problems))
    autotests = instantiate_autotests(
        source, source_nb, rules_text=autotest_rules, kernels=kernels, limits=limits
    )
    if autotests.problems:
        return ValidationReport(valid=False, problems=autotests.problems, source=source)
    source = autotests.source

    problems: list[Problem] = []
    solution = solution_notebook(source)
    reference = grade_submission(
        source, solution, kernels=kernels, limits=limits, seed=VALIDATION_SEED, cell_errors=True
    )
    in_kernel = _judge_fallback(source, reference)
    setup_failed = any(flag.code == JUDGE_SETUP_FAILED for flag in reference.flags)
    if in_kernel:
        reference = grade_submission(
            source,
            solution,
            kernels=kernels,
            limits=limits,
            seed=VALIDATION_SEED,
            in_kernel=in_kernel,
            cell_errors=True,
        )
    problems.extend(_run_problems(reference, "reference solution"))
    for test in reference.tests:
        if test.kind == "manual" or test.max_points <= 0 or test.status is TestStatus.NEEDS_REVIEW:
            # Sealed checks that could not run are explained by their own flag below.
            continue
        if test.points < test.max_points:
            why = f" ({test.message})" if test.message else ""
            problems.append(
                Problem(
                    _author_index(source, test.cell),
                    test.grade_id,
                    gettext_noop(
                        "the reference solution scores %(format_points_of)s points here%(why)s."
                    )
                    % {
                        "format_points_of": format_points_of(test.points, test.max_points),
                        "why": why,
                    },
                    gettext_noop(
                        "fix the solution (between the BEGIN/END SOLUTION markers) or the test so the solution passes."
                    ),
                )
            )
    for flag in reference.flags:
        if flag.review and flag.code == "sealed_check_failed":
            problems.append(
                Problem(
                    _author_index(source, flag.cell or 1),
                    flag.grade_id,
                    flag.message,
                    gettext_noop(
                        "make generate(rng) return a dict of JSON values named after the call's arguments."
                    ),
                )
            )
    # A cell that raised is the likely cause of the failures after it, so it comes first.
    cell_problems, cell_notes = _cell_errors(source, reference, failed=bool(problems))
    problems[:0] = cell_problems

    release = grade_submission(
        source,
        release_notebook(source),
        kernels=kernels,
        limits=limits,
        seed=VALIDATION_SEED,
        in_kernel=in_kernel,
    )
    problems.extend(_run_problems(release, "release notebook"))
    for test in release.tests:
        if test.kind == "manual" or test.max_points <= 0:
            continue
        if test.points > 0:
            problems.append(
                Problem(
                    _author_index(source, test.cell),
                    test.grade_id,
                    gettext_noop(
                        "the release notebook, with no answers filled in, already earns %(format_points_of)s points here, so learners get them without answering."
                    )
                    % {"format_points_of": format_points_of(test.points, test.max_points)},
                    gettext_noop(
                        "make the test fail while the answer is still the placeholder, e.g. check the answer's value."
                    ),
                )
            )
    return ValidationReport(
        valid=not problems,
        problems=problems,
        reference=reference,
        release=release,
        source=source,
        in_kernel_tests=sorted(in_kernel),
        notes=[*cell_notes, *_judge_notes(source, in_kernel, setup_failed=setup_failed)],
        autotests=autotests.expanded,
    )


def judge_fallback_tests(
    source: ExerciseSource, *, kernels: KernelProvider, limits: Limits
) -> frozenset[str]:
    """The test cells validation sends to the learner's kernel, found the same way: by running the
    instructor's solution once. For tools that grade without a stored validation (manage.py grade)."""
    if not any(cell.kind is CellKind.TEST for cell in source.cells):
        return frozenset()
    reference = grade_submission(
        source, solution_notebook(source), kernels=kernels, limits=limits, seed=VALIDATION_SEED
    )
    return _judge_fallback(source, reference)


def _author_index(source: ExerciseSource, cell_number: int) -> int:
    """The 0-based index an instructor knows a report's cell by (Otter's marker cells count too)."""
    cell = next((c for c in source.cells if c.index == cell_number - 1), None)
    return (source.number_of(cell) if cell else cell_number) - 1


def _cell_errors(
    source: ExerciseSource, reference: GradeReport, *, failed: bool
) -> tuple[list[Problem], list[str]]:
    """Setup and solution cells that raised while the reference solution ran, by number and error.

    Problems when the reference lost points (the error is the likely cause); otherwise notes, since
    a cell may raise on purpose (nbgrader runs on past errors too).
    """
    cells = {cell.index: cell for cell in source.cells}
    problems: list[Problem] = []
    notes: list[str] = []
    for flag in reference.flags:
        if flag.code != CELL_ERROR or flag.cell is None:
            continue
        cell = cells.get(flag.cell - 1)
        # Numbered as the author counts cells (Otter's marker cells count too).
        index = (source.number_of(cell) if cell else flag.cell) - 1
        solution = bool(cell and cell.kind in (CellKind.ANSWER, CellKind.MANUAL_ANSWER))
        if solution:
            fix = gettext_noop(
                "fix the solution between the BEGIN/END SOLUTION markers so the cell runs "
                "without errors."
            )
        else:
            fix = gettext_noop(
                "make the cell run without errors; a module the grading kernels cannot import has "
                "to be added to the grading environment by the operator."
            )
        values = {"message": flag.message}
        if failed:
            if solution:
                message = gettext_noop(
                    "its solution raised %(message)s when the reference solution ran, so the "
                    "cells after it may fail too."
                )
            else:
                message = gettext_noop(
                    "it raised %(message)s when the reference solution ran, so the cells after it "
                    "may fail too."
                )
            problems.append(Problem(index, flag.grade_id, message % values, fix))
        else:
            if solution:
                message = gettext_noop(
                    "its solution raised %(message)s when the reference solution ran; the tests "
                    "still passed, so nothing needs to change if the error is intended."
                )
            else:
                message = gettext_noop(
                    "it raised %(message)s when the reference solution ran; the tests still "
                    "passed, so nothing needs to change if the error is intended."
                )
            message = message % values
            label = f"Cell {index + 1}" + (f" ('{flag.grade_id}')" if flag.grade_id else "")
            notes.append(f"{label}: {message}")
    return problems, notes


def _judge_fallback(source: ExerciseSource, reference: GradeReport) -> frozenset[str]:
    """Test cells the judge could not run with the instructor's own solution.

    A read-only cell that fails in the judge sends every test to the learner's kernel (the tests
    may need what it defines); a test that needs a value that cannot cross as plain data goes alone.
    """
    tests = [cell.grade_id for cell in source.cells if cell.kind is CellKind.TEST]
    if any(flag.code == JUDGE_SETUP_FAILED for flag in reference.flags):
        return frozenset(tests)
    return frozenset(flag.grade_id for flag in reference.flags if flag.code == JUDGE_UNTRANSFERABLE)


def _judge_notes(
    source: ExerciseSource, in_kernel: frozenset[str], *, setup_failed: bool = False
) -> list[str]:
    """The instructor's view of which tests learner code could forge, and why."""
    judged = judged_test_cells(source, in_kernel)
    notes = []
    for cell in source.cells:
        if cell.kind is not CellKind.TEST or cell.index in judged:
            continue
        if cell.grade_id in in_kernel and setup_failed:
            why = gettext_noop(
                "the exercise's setup cells could not run in the judge (it has only Python's "
                "standard library and no data files, so cells that import packages such as pandas "
                "or read the exercise's files send every test to the learner's kernel)"
            )
        elif cell.grade_id in in_kernel:
            why = gettext_noop(
                "it needs a value that is not plain data "
                "(numbers, strings, lists, tuples, dicts, sets)"
            )
        else:
            why = gettext_noop("it is not plain Python (IPython magics or shell commands)")
        notes.append(
            gettext_noop(
                "Cell %(number)s ('%(id)s') runs in the learner's own kernel because %(why)s. "
                "Learner code can forge the result of a test that runs there, so its points are "
                "not protected (and any hidden test in it can be read). To protect it, make the "
                "test use plain values only."
            )
            % {"number": source.number_of(cell), "id": cell.grade_id, "why": why}
        )
    return notes
