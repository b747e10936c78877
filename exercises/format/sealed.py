"""Reading and checking the sealed-check block (``metadata.pma.sealed``) of a source cell."""

from __future__ import annotations

import ast
import math
from fractions import Fraction
from typing import Any

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
            f"the sealed check's '{name}' is {raw!r}, not a non-negative number.",
            f"set '{name}' to a number such as 0.01, or remove it.",
        )
    return float(raw)


def parse_comparator(raw: Any) -> Comparator:
    if isinstance(raw, str):
        raw = {"kind": raw}
    if not isinstance(raw, dict):
        raise SealedSpecError(
            "the sealed check has no comparator.",
            'add "comparator": {"kind": "exact"} (or numeric, set, multiset, categories, ranking).',
        )
    kinds = ", ".join(k.value for k in ComparatorKind)
    try:
        kind = ComparatorKind(str(raw.get("kind")))
    except ValueError:
        raise SealedSpecError(
            f"the comparator kind {raw.get('kind')!r} is not one we know.",
            f"use one of: {kinds}.",
        ) from None
    methods = ", ".join(m.value for m in RankingMethod)
    try:
        method = RankingMethod(str(raw.get("method", "exact")))
    except ValueError:
        raise SealedSpecError(
            f"the ranking method {raw.get('method')!r} is not one we know.",
            f"use one of: {methods}.",
        ) from None
    threshold = _number(raw.get("threshold"), "threshold")
    if threshold > 1:
        raise SealedSpecError(
            f"the ranking threshold {threshold} is above 1.",
            "use a threshold between 0 and 1 (0.5 means 'no better than a random order' earns nothing).",
        )
    partial = raw.get("partial", False)
    if not isinstance(partial, bool):
        raise SealedSpecError(
            "'partial' must be true or false.", 'write "partial": true or leave it out.'
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
            "metadata.pma.sealed is not an object.",
            'write it as {"call": "f(x)", "comparator": {"kind": "exact"}, "points": 1}.',
        )
    call = raw.get("call")
    if not isinstance(call, str) or not call.strip():
        raise SealedSpecError(
            "the sealed check does not say which call to make on the learner's code.",
            'add "call", for example "rice_scores(features)".',
        )
    try:
        ast.parse(call, mode="eval")
    except SyntaxError:
        raise SealedSpecError(
            f"the call {call[:80]!r} is not a single Python expression.",
            "write one expression such as rice_scores(features).",
        ) from None
    points = parse_points(raw.get("points"))
    if points is None or points <= 0:
        raise SealedSpecError(
            f"the sealed check's points are {raw.get('points')!r}, not a positive number.",
            'add "points", for example "points": 3.',
        )
    cases = raw.get("cases", 1)
    if isinstance(cases, bool) or not isinstance(cases, int) or not 1 <= cases <= MAX_CASES:
        raise SealedSpecError(
            f"the sealed check's cases are {cases!r}.",
            f"use a whole number of generated cases from 1 to {MAX_CASES}.",
        )
    try:
        tree = ast.parse(generator)
    except SyntaxError as exc:
        raise SealedSpecError(
            f"the input generator has a syntax error on line {exc.lineno}.",
            "fix the Python in the cell; it must define generate(rng).",
        ) from None
    if not any(isinstance(n, ast.FunctionDef) and n.name == "generate" for n in tree.body):
        raise SealedSpecError(
            "the input generator does not define generate(rng).",
            "define def generate(rng): return {...} returning a dict of the call's inputs.",
        )
    spec = SealedSpec(
        call=call.strip(),
        comparator=parse_comparator(raw.get("comparator")),
        cases=cases,
        generator=generator,
    )
    return spec, points
