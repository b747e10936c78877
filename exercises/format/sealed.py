"""Reading and checking the sealed-check block (``metadata.pma.sealed``) of a source cell."""

from __future__ import annotations

import ast
import math
from fractions import Fraction
from typing import Any

from exercises.format.texts import gettext_noop

from .model import Comparator, ComparatorKind, RankingMethod, SealedSpec, parse_points

MAX_CASES = 20


class SealedSpecError(ValueError):
    """What is wrong with a sealed block, as (message, fix)."""

    def __init__(self, message: str, fix: str) -> None:
        self.message = message
        self.fix = fix
        super().__init__(message)


def _number(raw: Any, name: str, *, default: float = 0.0) -> float:
    if raw is None:
        return default
    if (
        isinstance(raw, bool)
        or not isinstance(raw, int | float)
        or not math.isfinite(raw)
        or raw < 0
    ):
        raise SealedSpecError(
            gettext_noop("the sealed check's '%(name)s' is %(raw)s, not a non-negative number.")
            % {"name": name, "raw": repr(raw)},
            gettext_noop("set '%(name)s' to a number such as 0.01, or remove it.") % {"name": name},
        )
    return float(raw)


def parse_comparator(raw: Any) -> Comparator:
    if isinstance(raw, str):
        raw = {"kind": raw}
    if not isinstance(raw, dict):
        raise SealedSpecError(
            gettext_noop("the sealed check has no comparator."),
            gettext_noop(
                'add "comparator": {"kind": "exact"} (or numeric, set, multiset, categories, ranking).'
            ),
        )
    kinds = ", ".join(k.value for k in ComparatorKind)
    try:
        kind = ComparatorKind(str(raw.get("kind")))
    except ValueError:
        raise SealedSpecError(
            gettext_noop("the comparator kind %(value)s is not one we know.")
            % {"value": repr(raw.get("kind"))},
            gettext_noop("use one of: %(kinds)s.") % {"kinds": kinds},
        ) from None
    methods = ", ".join(m.value for m in RankingMethod)
    try:
        method = RankingMethod(str(raw.get("method", "exact")))
    except ValueError:
        raise SealedSpecError(
            gettext_noop("the ranking method %(value)s is not one we know.")
            % {"value": repr(raw.get("method"))},
            gettext_noop("use one of: %(methods)s.") % {"methods": methods},
        ) from None
    threshold = _number(raw.get("threshold"), "threshold")
    if threshold > 1:
        raise SealedSpecError(
            gettext_noop("the ranking threshold %(threshold)s is above 1.")
            % {"threshold": threshold},
            gettext_noop(
                "use a threshold between 0 and 1 (0.5 means 'no better than a random order' earns nothing)."
            ),
        )
    partial = raw.get("partial", False)
    if not isinstance(partial, bool):
        raise SealedSpecError(
            gettext_noop("'partial' must be true or false."),
            gettext_noop('write "partial": true or leave it out.'),
        )
    return Comparator(
        kind=kind,
        abs_tol=_number(raw.get("abs"), "abs"),
        rel_tol=_number(raw.get("rel"), "rel"),
        partial=partial,
        method=method,
        threshold=threshold,
    )


def parse_sealed(raw: Any, generator: str) -> tuple[SealedSpec, Fraction]:
    """Return the spec and its exact points."""
    if not isinstance(raw, dict):
        raise SealedSpecError(
            gettext_noop("metadata.pma.sealed is not an object."),
            gettext_noop(
                'write it as {"call": "f(x)", "comparator": {"kind": "exact"}, "points": 1}.'
            ),
        )
    call = raw.get("call")
    if not isinstance(call, str) or not call.strip():
        raise SealedSpecError(
            gettext_noop("the sealed check does not say which call to make on the learner's code."),
            gettext_noop('add "call", for example "rice_scores(features)".'),
        )
    try:
        ast.parse(call, mode="eval")
    except SyntaxError:
        raise SealedSpecError(
            gettext_noop("the call %(value)s is not a single Python expression.")
            % {"value": repr(call[:80])},
            gettext_noop("write one expression such as rice_scores(features)."),
        ) from None
    points = parse_points(raw.get("points"))
    if points is None or points <= 0:
        raise SealedSpecError(
            gettext_noop("the sealed check's points are %(value)s, not a positive number.")
            % {"value": repr(raw.get("points"))},
            gettext_noop('add "points", for example "points": 3.'),
        )
    cases = raw.get("cases", 1)
    if isinstance(cases, bool) or not isinstance(cases, int) or not 1 <= cases <= MAX_CASES:
        raise SealedSpecError(
            gettext_noop("the sealed check's cases are %(cases)s.") % {"cases": repr(cases)},
            gettext_noop("use a whole number of generated cases from 1 to %(MAX_CASES)s.")
            % {"MAX_CASES": MAX_CASES},
        )
    try:
        tree = ast.parse(generator)
    except SyntaxError as exc:
        raise SealedSpecError(
            gettext_noop("the input generator has a syntax error on line %(lineno)s.")
            % {"lineno": exc.lineno},
            gettext_noop("fix the Python in the cell; it must define generate(rng)."),
        ) from None
    if not any(isinstance(n, ast.FunctionDef) and n.name == "generate" for n in tree.body):
        raise SealedSpecError(
            gettext_noop("the input generator does not define generate(rng)."),
            gettext_noop(
                "define def generate(rng): return {...} returning a dict of the call's inputs."
            ),
        )
    spec = SealedSpec(
        call=call.strip(),
        comparator=parse_comparator(raw.get("comparator")),
        cases=cases,
        generator=generator,
    )
    return spec, points
