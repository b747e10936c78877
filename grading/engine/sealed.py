"""Sealed checks: verdicts decided in the grader process, never in the learner's kernel.

For each case the input generator runs in a separate reference kernel (the instructor's solution)
seeded per submission; the inputs travel as a JSON literal into one ``call_json`` on the learner's
kernel and the reference's; the two JSON values are compared here. Expected values exist only in
this process and never enter the learner's kernel or the report.
"""

from __future__ import annotations

import json
import keyword
import logging
import math
import time
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from exercises.format import (
    CellKind,
    Comparator,
    ComparatorKind,
    ExerciseSource,
    RankingMethod,
    SealedSpec,
    SourceCell,
)
from exercises.format.texts import gettext_noop

from .assemble import reference_steps
from .report import Flag, TestResult, TestStatus, cap

logger = logging.getLogger(__name__)


NO_CREDIT = Fraction(0)
FULL_CREDIT = Fraction(1)


@dataclass(frozen=True)
class Comparison:
    credit: Fraction  # in [0, 1], exact: 2 of 3 values right is 2/3
    message: str  # learner-safe: counts and kinds of mistakes, never expected values


# The comparators below are total over JSON values: whatever the learner's kernel sends (ints
# beyond float range, infinities written as 1e400, lists nested hundreds deep, big containers)
# gives a Comparison, never an exception. Walks use explicit stacks, not recursion, and a value
# nested deeper than MAX_DEPTH is a verdict of its own before any comparator sees it.

#: Lists and dicts nested deeper than this are not compared: answers are a few levels deep, and
#: json.dumps (in _canon) recurses once per level.
MAX_DEPTH = 100
UNCOMPARABLE = gettext_noop("The value returned could not be compared: %(reason)s.")


def _canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _nested_deeper_than(value: Any, limit: int) -> bool:
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, list | dict):
            if depth >= limit:
                return True
            stack.extend(
                (child, depth + 1) for child in (item.values() if isinstance(item, dict) else item)
            )
    return False


def json_equal(a: Any, b: Any) -> bool:
    """Equality of JSON values in which true is not 1 and "1" is not 1, but 1 equals 1.0."""
    stack = [(a, b)]
    while stack:
        x, y = stack.pop()
        if isinstance(x, bool) or isinstance(y, bool):
            if type(x) is not type(y) or x != y:
                return False
        elif isinstance(x, int | float) and isinstance(y, int | float):
            if x != y:  # exact between int and float, however large the int
                return False
        elif isinstance(x, list):
            if not isinstance(y, list) or len(x) != len(y):
                return False
            stack.extend(zip(x, y, strict=True))
        elif isinstance(x, dict):
            if not isinstance(y, dict) or x.keys() != y.keys():
                return False
            stack.extend((x[k], y[k]) for k in x)
        elif type(x) is not type(y) or x != y:
            return False
    return True


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _as_float(value: int | float) -> float | None:
    """``value`` as a finite float; None for an infinity, NaN or an int beyond float range (10**400)."""
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def _too_large(value: Any) -> bool:
    """A number no tolerance can be checked against: an infinity or an int beyond float range."""
    if isinstance(value, float):
        return math.isinf(value)
    return _is_number(value) and _as_float(value) is None


def _leaves(expected: Any, got: Any, comparator: Comparator) -> tuple[int, int, int] | None:
    """(correct, total, too large) leaf values; None when the shapes differ at the top."""
    if isinstance(expected, list) and (not isinstance(got, list) or len(got) != len(expected)):
        return None
    if isinstance(expected, dict) and not isinstance(got, dict):
        return None
    correct = total = too_large = 0
    stack = [(expected, got)]
    while stack:
        exp, value = stack.pop()
        if isinstance(exp, list):
            if isinstance(value, list) and len(value) == len(exp):
                stack.extend(zip(exp, value, strict=True))
            else:
                total += _count(exp)
        elif isinstance(exp, dict):
            if isinstance(value, dict):
                stack.extend((v, value.get(k, _MISSING)) for k, v in exp.items())
            else:
                total += _count(exp)
        else:
            total += 1
            if _is_number(exp) and _is_number(value):
                if _close(exp, value, comparator):
                    correct += 1
                elif _too_large(value):
                    too_large += 1
            elif not _is_number(exp) and json_equal(exp, value):
                correct += 1
    return correct, total, too_large


_MISSING = object()


def _count(value: Any) -> int:
    """Leaf values in ``value``; an empty list or dict counts as one."""
    total, stack = 0, [value]
    while stack:
        item = stack.pop()
        children = (
            item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        )
        if children:
            stack.extend(children)
        else:
            total += 1
    return total


def _close(expected: int | float, got: int | float, comparator: Comparator) -> bool:
    if isinstance(expected, int) and isinstance(got, int) and expected == got:
        return True  # exact, even beyond float range
    exp, mine = _as_float(expected), _as_float(got)
    if exp is None or mine is None:
        return False
    return abs(exp - mine) <= max(comparator.abs_tol, comparator.rel_tol * abs(exp))


def _compare_exact(expected: Any, got: Any) -> Comparison:
    if json_equal(expected, got):
        return Comparison(FULL_CREDIT, "Correct.")
    return Comparison(
        NO_CREDIT, gettext_noop("The value returned differs from the reference solution's.")
    )


def _compare_numeric(expected: Any, got: Any, comparator: Comparator) -> Comparison:
    counted = _leaves(expected, got, comparator)
    if counted is None:
        return Comparison(
            NO_CREDIT,
            gettext_noop(
                "The value returned has a different shape (length or type) from the expected one."
            ),
        )
    correct, total, too_large = counted
    if correct == total:
        return Comparison(FULL_CREDIT, "Correct.")
    credit = Fraction(correct, total) if comparator.partial else NO_CREDIT
    message = gettext_noop("%(correct)s of %(total)s values are within the tolerance.") % {
        "correct": correct,
        "total": total,
    }
    if too_large and total == 1:
        message = gettext_noop("The value returned is a number too large to compare.")
    elif too_large == 1:
        message = gettext_noop(
            "%(correct)s of %(total)s values are within the tolerance; "
            "%(large)s of them is a number too large to compare."
        ) % {"correct": correct, "total": total, "large": too_large}
    elif too_large:
        message = gettext_noop(
            "%(correct)s of %(total)s values are within the tolerance; "
            "%(large)s of them are numbers too large to compare."
        ) % {"correct": correct, "total": total, "large": too_large}
    return Comparison(credit, message)


def _collection(value: Any) -> list[str] | None:
    return [_canon(v) for v in value] if isinstance(value, list) else None


def _compare_sets(expected: Any, got: Any, comparator: Comparator, *, multiset: bool) -> Comparison:
    exp_items, got_items = _collection(expected), _collection(got)
    if exp_items is None or got_items is None:
        return Comparison(NO_CREDIT, gettext_noop("Return a list of items."))
    if multiset:
        exp_c, got_c = Counter(exp_items), Counter(got_items)
        common = sum((exp_c & got_c).values())
        union = sum((exp_c | got_c).values())
        missing, extra = sum((exp_c - got_c).values()), sum((got_c - exp_c).values())
    else:
        exp_s, got_s = set(exp_items), set(got_items)
        common, union = len(exp_s & got_s), len(exp_s | got_s)
        missing, extra = len(exp_s - got_s), len(got_s - exp_s)
    if missing == 0 and extra == 0:
        return Comparison(FULL_CREDIT, "Correct.")
    credit = Fraction(common, union) if comparator.partial and union else NO_CREDIT
    return Comparison(credit, f"{missing} expected item(s) missing and {extra} unexpected item(s).")


def _as_mapping(value: Any) -> dict[str, str] | None:
    """item -> category, from either {item: category} or {category: [items]}."""
    if not isinstance(value, dict):
        return None
    if value and all(isinstance(v, list) for v in value.values()):
        mapping: dict[str, str] = {}
        for category, items in value.items():
            for item in items:
                mapping[_canon(item)] = _canon(category)
        return mapping
    return {_canon(k): _canon(v) for k, v in value.items()}


def _compare_categories(expected: Any, got: Any) -> Comparison:
    exp_map, got_map = _as_mapping(expected), _as_mapping(got)
    if exp_map is None or got_map is None:
        return Comparison(
            NO_CREDIT,
            gettext_noop(
                "Return a dict mapping each item to its category (or category to a list of items)."
            ),
        )
    if not exp_map:
        return _compare_exact(expected, got)
    right = sum(1 for item, category in exp_map.items() if got_map.get(item) == category)
    credit = Fraction(right, len(exp_map))
    message = (
        "Correct."
        if right == len(exp_map)
        else f"{right} of {len(exp_map)} items are in the right category."
    )
    return Comparison(credit, message)


def kendall_tau(expected: list[str], got: list[str]) -> Fraction:
    position = {item: i for i, item in enumerate(got)}
    n = len(expected)
    concordant = discordant = 0
    for i in range(n):
        for j in range(i + 1, n):
            if position[expected[i]] < position[expected[j]]:
                concordant += 1
            else:
                discordant += 1
    return Fraction(concordant - discordant, n * (n - 1) // 2)


def spearman_rho(expected: list[str], got: list[str]) -> Fraction:
    position = {item: i for i, item in enumerate(got)}
    n = len(expected)
    squared = sum((i - position[item]) ** 2 for i, item in enumerate(expected))
    return 1 - Fraction(6 * squared, n * (n * n - 1))


def ranking_credit(
    expected: list[Any], got: list[Any], *, method: RankingMethod, threshold: float = 0.0
) -> Fraction:
    """Credit in [0, 1]: 1 for the identical order; for correlations (coefficient + 1) / 2, zero below threshold."""
    exp, mine = [_canon(v) for v in expected], [_canon(v) for v in got]
    if len(set(exp)) != len(exp) or sorted(exp) != sorted(mine):
        return NO_CREDIT
    if exp == mine:
        return FULL_CREDIT
    if method is RankingMethod.EXACT or len(exp) < 2:
        return NO_CREDIT
    coefficient = (
        kendall_tau(exp, mine) if method is RankingMethod.KENDALL else spearman_rho(exp, mine)
    )
    mapped = min(FULL_CREDIT, max(NO_CREDIT, (coefficient + 1) / 2))
    return mapped if mapped >= threshold else NO_CREDIT


def _compare_ranking(expected: Any, got: Any, comparator: Comparator) -> Comparison:
    if not isinstance(expected, list) or not isinstance(got, list):
        return Comparison(NO_CREDIT, gettext_noop("Return the items as a list, best first."))
    exp = [_canon(v) for v in expected]
    if sorted(exp) != sorted(_canon(v) for v in got):
        return Comparison(
            NO_CREDIT,
            gettext_noop("The ranking must list each of the %(n)s items exactly once.")
            % {"n": len(expected)},
        )
    credit = ranking_credit(expected, got, method=comparator.method, threshold=comparator.threshold)
    if credit == FULL_CREDIT:
        return Comparison(FULL_CREDIT, "Correct.")
    if comparator.method is RankingMethod.EXACT:
        return Comparison(NO_CREDIT, gettext_noop("The order differs from the reference order."))
    return Comparison(
        credit,
        gettext_noop("The order is partly right (agreement %(agreement)s).")
        % {"agreement": f"{float(credit):.0%}"},
    )


def compare(comparator: Comparator, expected: Any, got: Any) -> Comparison:
    """Credit for the learner's value ``got`` against the reference's ``expected`` (see MAX_DEPTH)."""
    if _nested_deeper_than(got, MAX_DEPTH):
        return Comparison(
            NO_CREDIT,
            UNCOMPARABLE
            % {
                "reason": gettext_noop(
                    "it is nested too deeply (more than %(depth)s levels of lists and dicts)"
                )
                % {"depth": MAX_DEPTH}
            },
        )
    kind = comparator.kind
    if kind is ComparatorKind.EXACT:
        return _compare_exact(expected, got)
    if kind is ComparatorKind.NUMERIC:
        return _compare_numeric(expected, got, comparator)
    if kind in (ComparatorKind.SET, ComparatorKind.MULTISET):
        return _compare_sets(expected, got, comparator, multiset=kind is ComparatorKind.MULTISET)
    if kind is ComparatorKind.CATEGORIES:
        return _compare_categories(expected, got)
    return _compare_ranking(expected, got, comparator)


def compare_learner_value(comparator: Comparator, expected: Any, got: Any) -> Comparison:
    """compare() where a learner's value meets it: a failed check if a comparator still raises.

    The comparators are meant to be total; should one raise anyway, that is a bug to fix (it is
    logged), and for the learner a verdict on their value, never an internal error that would
    cost them the submission.
    """
    try:
        return compare(comparator, expected, got)
    except Exception:
        logger.exception("Sealed comparator %s raised on a learner's value", comparator.kind)
        return Comparison(
            NO_CREDIT,
            UNCOMPARABLE
            % {"reason": gettext_noop("this check cannot compare a value of that kind")},
        )


def call_expression(call: str, inputs: dict[str, Any]) -> str:
    """One Python expression binding the inputs as local names, then making the call."""
    payload = json.dumps(inputs, allow_nan=False, separators=(",", ":"))
    names = ", ".join(inputs)
    return f"(lambda {names}: {call})(**__import__('json').loads({payload!r}))"


def case_seed(seed: int, grade_id: str, case: int) -> str:
    return f"{seed}:{grade_id}:{case}"


def generator_expression(seed: int, grade_id: str, case: int) -> str:
    return f"generate(__import__('random').Random({case_seed(seed, grade_id, case)!r}))"


class InstructorError(Exception):
    """The reference side failed: not the learner's fault, so the check goes to review."""


def _valid_inputs(inputs: Any) -> dict[str, Any]:
    if not isinstance(inputs, dict) or not all(
        isinstance(k, str) and k.isidentifier() and not keyword.iskeyword(k) for k in inputs
    ):
        raise InstructorError("generate(rng) must return a dict whose keys are Python names")
    return inputs


@dataclass
class SealedOutcome:
    results: list[TestResult]
    flags: list[Flag]
    seconds: float


def not_run(cells: list[SourceCell], message: str) -> list[TestResult]:
    return [
        TestResult(
            c.grade_id,
            NO_CREDIT,
            c.points,
            TestStatus.NOT_RUN,
            message,
            True,
            "sealed",
            c.index + 1,
        )
        for c in cells
    ]


def sealed_cells(source: ExerciseSource) -> list[SourceCell]:
    return [c for c in source.cells if c.kind is CellKind.SEALED and c.sealed is not None]


def run_sealed_checks(
    *,
    source: ExerciseSource,
    learner: Any,
    kernels: Any,
    limits: Any,
    seed: int,
    deadline: float | None = None,
) -> SealedOutcome:
    """Run every sealed check of ``source`` against the learner's (already executed) kernel.

    ``deadline`` (time.monotonic()) is the whole submission's: every call waits at most the cell
    limit and never past it, however many calls the checks make.
    """
    from .execute import Verdict, run_cells

    started = time.perf_counter()
    end = deadline if deadline is not None else time.monotonic() + limits.wall_timeout_s
    cells = sealed_cells(source)
    results: list[TestResult] = []
    flags: list[Flag] = []
    reference = kernels.acquire()
    try:
        run = run_cells(
            reference,
            [s.code for s in reference_steps(source)],
            limits,
            stop_on_error=True,
            deadline=end,
        )
        broken = run.verdict is not Verdict.OK or any(c.status != "ok" for c in run.cells)
        if broken and time.monotonic() >= end:
            # The learner's notebook used up the submission's time: its verdict, not the instructor's.
            return SealedOutcome(
                not_run(
                    cells,
                    gettext_noop("Not run: the submission ran longer than %(seconds)s s.")
                    % {"seconds": f"{limits.wall_timeout_s:g}"},
                ),
                flags,
                time.perf_counter() - started,
            )
        checks = _SealedRun(reference, learner, limits, seed, end)
        for cell in cells:
            spec = cell.sealed
            assert spec is not None  # noqa: S101 - sealed_cells() only returns cells with a spec
            try:
                if broken:
                    raise InstructorError("the reference solution did not run cleanly")
                results.append(checks.check_cell(cell, spec))
            except InstructorError as exc:
                results.append(
                    TestResult(
                        cell.grade_id,
                        Fraction(0),
                        cell.points,
                        TestStatus.NEEDS_REVIEW,
                        gettext_noop(
                            "This check could not run on the grader's side; "
                            "an instructor will review it."
                        ),
                        True,
                        "sealed",
                        cell.index + 1,
                    )
                )
                flags.append(
                    Flag(
                        "sealed_check_failed",
                        cap(f"Sealed check {cell.grade_id!r}: {exc}."),
                        cell.index + 1,
                        cell.grade_id,
                        review=True,
                    )
                )
    finally:
        reference.kill(wait=False)
    return SealedOutcome(results, flags, time.perf_counter() - started)


@dataclass
class _SealedRun:
    """The kernels, limits, seed and deadline that every sealed check of one submission shares."""

    reference: Any
    learner: Any
    limits: Any
    seed: int
    end: float

    def wait_s(self) -> float:
        """How long the next call may wait: the cell limit, cut short by the submission's deadline."""
        from .execute import ChannelError

        left = self.end - time.monotonic()
        if left <= 0:
            raise ChannelError(
                f"timeout: the submission's {self.limits.wall_timeout_s:g} s ran out"
            )
        return min(self.limits.cell_timeout_s, left)

    def check_cell(self, cell: SourceCell, spec: SealedSpec) -> TestResult:
        """The learner's result over every case of one sealed check; InstructorError if the reference side fails."""
        from .execute import Verdict, run_cells

        gen = run_cells(
            self.reference, [spec.generator], self.limits, stop_on_error=True, deadline=self.end
        )
        if gen.verdict is not Verdict.OK or gen.cells[0].status != "ok":
            raise InstructorError("the input generator failed")
        credits: list[Fraction] = []
        messages: list[str] = []
        for case in range(spec.cases):
            if time.monotonic() >= self.end:
                credits.append(NO_CREDIT)
                messages.append(
                    gettext_noop("Not checked: the submission ran longer than %(seconds)s s.")
                    % {"seconds": f"{self.limits.wall_timeout_s:g}"}
                )
                continue
            credit, message = self.check_case(cell, spec, case)
            credits.append(credit)
            if message is not None:
                messages.append(message)
        return _result(cell, credits, messages)

    def check_case(
        self, cell: SourceCell, spec: SealedSpec, case: int
    ) -> tuple[Fraction, str | None]:
        """The learner's credit on one generated input, and what to tell them (None when it passed)."""
        from .execute import ChannelError, call_json

        try:
            inputs = _valid_inputs(
                call_json(
                    self.reference,
                    generator_expression(self.seed, cell.grade_id, case),
                    timeout_s=self.wait_s(),
                )
            )
            expression = call_expression(spec.call, inputs)
            expected = call_json(self.reference, expression, timeout_s=self.wait_s())
        except ChannelError as exc:
            raise InstructorError(f"the reference side failed: {exc}") from None
        try:
            got = call_json(self.learner, expression, timeout_s=self.wait_s())
        except ChannelError as exc:
            reason = str(exc).strip().rstrip(":")
            return NO_CREDIT, cap(
                gettext_noop("%(call)s did not return a usable value: %(reason)s")
                % {"call": spec.call, "reason": reason},
                300,
            )
        outcome = compare_learner_value(spec.comparator, expected, got)
        return outcome.credit, outcome.message if outcome.credit < FULL_CREDIT else None


def _result(cell: SourceCell, credits: list[Fraction], messages: list[str]) -> TestResult:
    """The cell's exact points: its worth times the mean credit over the cases, never rounded."""
    credit = sum(credits, NO_CREDIT) / len(credits)
    points = cell.points * credit
    passed = sum(1 for c in credits if c >= FULL_CREDIT)
    if credit >= FULL_CREDIT:
        return TestResult(
            cell.grade_id,
            cell.points,
            cell.points,
            TestStatus.PASSED,
            gettext_noop("Passed on %(n)s hidden input(s).") % {"n": len(credits)},
            True,
            "sealed",
            cell.index + 1,
        )
    status = TestStatus.FAILED if points <= 0 else TestStatus.PARTIAL
    summary = (
        gettext_noop("Passed %(passed)s of %(n)s hidden input(s).")
        % {"passed": passed, "n": len(credits)}
        if len(credits) > 1
        else ""
    )
    detail = messages[0] if messages else ""
    return TestResult(
        cell.grade_id,
        points,
        cell.points,
        status,
        cap(f"{summary} {detail}".strip()),
        True,
        "sealed",
        cell.index + 1,
    )
