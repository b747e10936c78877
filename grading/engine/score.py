"""Score: points for each graded cell from the kernel's execute replies, as nbgrader awards them.

A test cell earns its points when its execute_reply status is "ok" and nothing when it is "error".
nbgrader's partial credit applies: when the cell's first execute_result is a single number, the
cell earns min(max_points, that number); a result that is not a number means full credit. One
deliberate difference: nbgrader treats a result of 0 (or less) as "not partial credit" and awards
full marks; a test that computes 0 of N means zero, so we clamp to [0, max_points] instead.

Points are exact: the printed number is read as the decimal it shows (0.1 is 1/10), an exact
fraction prints as ``Fraction(1, 3)`` or ``1/3``, and a cell passes only when its points equal its
maximum exactly. Nothing is rounded here; people see points rounded by format_points.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from exercises.format import CellKind, SourceCell, format_points_of, markers, parse_points
from exercises.format.texts import gettext_noop

from .assemble import Assembly
from .judge import first_hidden_line, literal_messages
from .report import TestResult, TestStatus, cap

HIDDEN_FAILED = gettext_noop("A hidden test in this cell failed.")
CELL_TIMEOUT = gettext_noop("This cell ran longer than %(seconds)s s and was stopped.")


_FRACTION_REPR = re.compile(r"^Fraction\(\s*([+-]?\d+)\s*,\s*(\d+)\s*\)$")


def printed_number(text: str) -> Fraction | None:
    """The exact number a cell's result prints, None when it prints no number; NaN and infinities are 0.

    ``0.1`` is 1/10 (the decimal shown, not the float behind it); ``Fraction(1, 3)`` and ``1/3``
    are a third.
    """
    text = text.strip()
    match = _FRACTION_REPR.match(text)
    if match:
        text = f"{match.group(1)}/{match.group(2)}"
    if "/" in text:
        return parse_points(text)
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return Fraction(value) if value.is_finite() else Fraction(0)


def partial_credit(outputs: Iterable[dict[str, Any]], max_points: Fraction) -> Fraction:
    """The points a test cell earns from its first execute_result, clamped to [0, max_points]."""
    for output in outputs:
        if output.get("output_type") != "execute_result":
            continue
        text = (output.get("data") or {}).get("text/plain", "")
        if isinstance(text, list):
            if len(text) != 1:
                return max_points
            text = text[0]
        value = printed_number(str(text))
        if value is None:
            return max_points
        return min(max_points, max(Fraction(0), value))
    return max_points


def scrub(message: str, hidden: list[str]) -> str:
    """Drop a message that quotes hidden test source (a learner can make errors echo the next cell)."""
    if any(line in message for line in hidden):
        return gettext_noop(
            "The check failed; its details come from a hidden test and are not shown."
        )
    return message


def error_message(ename: str, evalue: str, hidden: list[str], cell_timeout_s: float) -> str:
    if ename == "TimeoutError":
        return CELL_TIMEOUT % {"seconds": f"{cell_timeout_s:g}"}
    text = f"{ename}: {evalue}" if evalue else ename
    return cap(scrub(text, hidden), 300)


def hidden_cell_message(
    cell: SourceCell, run: Any, hidden: list[str], cell_timeout_s: float
) -> str:
    """What a learner may read when a cell holding hidden tests fails: only text the instructor wrote.

    That is an assert's (or ``raise X("...")``'s) literal message when the failure is exactly that
    statement's; otherwise a fixed sentence. Never text made at run time once a hidden test has run:
    a learner function can raise whatever it likes, built from the hidden inputs it was called with.
    Before the first hidden line (the judge says where the cell failed) the message is the usual one.
    """
    ename, evalue = run.ename, run.evalue
    first_hidden = first_hidden_line(cell.source)
    if run.line is not None and first_hidden is not None and run.line < first_hidden:
        return error_message(ename, evalue, hidden, cell_timeout_s)
    if ename == "TimeoutError":
        return CELL_TIMEOUT % {"seconds": f"{cell_timeout_s:g}"}
    if literal_messages(markers.unmark(cell.source)).get(evalue) == ename:
        return cap(f"{ename}: {evalue}", 300)
    return HIDDEN_FAILED


def score_cells(
    assembly: Assembly,
    cells: list[Any],
    *,
    hidden: list[str],
    run_message: str,
    cell_timeout_s: float,
    mode: str,
    judged: set[int] | frozenset[int] = frozenset(),
) -> list[TestResult]:
    """TestResults for test, manual-answer and task cells; ``cells`` are the CellRuns by step.

    ``judged`` holds the test cells whose verdict the judge reached (``sealed`` in the result).
    """
    runs = {
        step.cell.index: (step, cells[i] if i < len(cells) else None)
        for i, step in enumerate(assembly.steps)
    }
    results: list[TestResult] = []
    source_cells = assembly.source.cells if assembly.source is not None else ()
    for cell in source_cells:
        number = cell.index + 1
        if cell.kind is CellKind.TEST:
            step, run = runs[cell.index]
            sealed = cell.index in judged
            has_hidden = mode == "submit" and bool(markers.hidden_text(cell.source))
            if mode == "check" and not step.code.strip():
                results.append(
                    TestResult(
                        cell.grade_id,
                        Fraction(0),
                        cell.points,
                        TestStatus.NOT_RUN,
                        gettext_noop("This test is hidden; it runs when you submit."),
                        False,
                        "test",
                        number,
                    )
                )
            elif run is None or run.status == "not_run":
                results.append(
                    TestResult(
                        cell.grade_id,
                        Fraction(0),
                        cell.points,
                        TestStatus.NOT_RUN,
                        cap(
                            gettext_noop("Not run: %(reason)s") % {"reason": run_message}
                            if run_message
                            else gettext_noop("Not run.")
                        ),
                        sealed,
                        "test",
                        number,
                    )
                )
            elif run.status == "ok":
                points = partial_credit(run.outputs, cell.points)
                if points == cell.points:
                    status, message = TestStatus.PASSED, ""
                elif points > 0:
                    status, message = (
                        TestStatus.PARTIAL,
                        gettext_noop("Partial credit: %(points)s.")
                        % {"points": format_points_of(points, cell.points)},
                    )
                else:
                    status, message = (
                        TestStatus.FAILED,
                        gettext_noop("The test ran and awarded 0 points."),
                    )
                results.append(
                    TestResult(
                        cell.grade_id, points, cell.points, status, message, sealed, "test", number
                    )
                )
            else:
                if has_hidden:
                    message = hidden_cell_message(cell, run, hidden, cell_timeout_s)
                else:
                    message = error_message(run.ename, run.evalue, hidden, cell_timeout_s)
                results.append(
                    TestResult(
                        cell.grade_id,
                        Fraction(0),
                        cell.points,
                        TestStatus.FAILED,
                        message,
                        sealed,
                        "test",
                        number,
                    )
                )
        elif cell.kind is CellKind.MANUAL_ANSWER:
            if cell.grade_id in assembly.unanswered:
                results.append(
                    TestResult(
                        cell.grade_id,
                        Fraction(0),
                        cell.points,
                        TestStatus.FAILED,
                        gettext_noop("No answer given."),
                        False,
                        "manual",
                        number,
                    )
                )
            else:
                results.append(
                    TestResult(
                        cell.grade_id,
                        Fraction(0),
                        cell.points,
                        TestStatus.NEEDS_REVIEW,
                        gettext_noop("An instructor grades this answer."),
                        False,
                        "manual",
                        number,
                    )
                )
        elif cell.kind is CellKind.TASK:
            results.append(
                TestResult(
                    cell.grade_id,
                    Fraction(0),
                    cell.points,
                    TestStatus.NEEDS_REVIEW,
                    gettext_noop("An instructor grades this task."),
                    False,
                    "manual",
                    number,
                )
            )
    return results
