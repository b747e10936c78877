"""Otter's point rules, exactly: what each test of a question is worth, and a manual question.

From ``AssignmentTestsManager._create_test_file_info`` and ``TestFile.resolve_test_file_points``:

* ``points: {each: n}`` is ``n`` times the number of tests (``each`` defaults to 1);
* a list gives each test its value, in order, and must have one entry per test;
* a total is shared among the tests whose config sets no points, after the ones that do;
* with no total, tests without points share 1 point when every test's points are 0 or unset, and
  are worth 0 otherwise;
* a manually graded question is worth its ``points``, or 0 without them.

Values are exact: a point shared among three tests is worth Fraction(1, 3) each.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from exercises.format.texts import gettext_noop

from ..model import format_points, parse_points


class PointsError(ValueError):
    """Point values Otter would refuse (or that are negative); the message says which."""


def _value(raw: Any, what: str) -> Fraction:
    parsed = parse_points(raw)
    if parsed is None:
        raise PointsError(
            gettext_noop("%(what)s is %(raw)s, not a number") % {"what": what, "raw": repr(raw)}
        )
    if parsed < 0:
        raise PointsError(
            gettext_noop("%(what)s is negative (%(format_points)s)")
            % {"what": what, "format_points": format_points(parsed)}
        )
    return parsed


def split_points(question_points: Any, config_points: list[Any]) -> list[Fraction]:
    """Each test's points, from the question's ``points`` and each test config's ``points`` (None: unset)."""
    count = len(config_points)
    total: Fraction | None = None
    given: list[Fraction | None] = [
        None if raw is None else _value(raw, f"test {n + 1}'s points")
        for n, raw in enumerate(config_points)
    ]
    if isinstance(question_points, dict):
        each = question_points.get("each", 1)
        total = _value(each, "points 'each'") * count
    elif isinstance(question_points, list):
        if len(question_points) != count:
            raise PointsError(
                gettext_noop(
                    "its 'points' list has %(count)s entries but the question has %(count2)s tests"
                )
                % {"count": len(question_points), "count2": count}
            )
        given = [
            None if raw is None else _value(raw, f"entry {n + 1} of 'points'")
            for n, raw in enumerate(question_points)
        ]
    elif question_points is not None:
        total = _value(question_points, "its 'points'")
    return _resolve(total, given)


def _resolve(total: Fraction | None, given: list[Fraction | None]) -> list[Fraction]:
    unset = sum(1 for p in given if p is None)
    specified = sum((p for p in given if p is not None), Fraction(0))
    if total is not None:
        if specified > total:
            raise PointsError(
                gettext_noop(
                    "its tests' points add up to %(format_points)s, more than the question's %(format_points2)s"
                )
                % {
                    "format_points": format_points(specified),
                    "format_points2": format_points(total),
                }
            )
        share = (total - specified) / unset if unset else Fraction(0)
    elif specified == 0:
        share = Fraction(1, unset) if unset else Fraction(0)
    else:
        share = Fraction(0)
    return [share if p is None else p for p in given]


def manual_points(question_points: Any) -> Fraction:
    """A manually graded question's points: its ``points``, or 0 when it has none."""
    if question_points is None:
        return Fraction(0)
    if isinstance(question_points, dict | list):
        raise PointsError(gettext_noop("a manually graded question's 'points' must be one number"))
    return _value(question_points, "its 'points'")
