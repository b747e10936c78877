"""The internal model of an exercise: what every source format (nbgrader, Otter) is parsed into."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from fractions import Fraction
from typing import Any

from .texts import gettext_noop

#: Points are exact: a test worth a third of a question is worth Fraction(1, 3), not 0.3333.
Points = Fraction

_FRACTION_TEXT = re.compile(r"^\s*[+-]?\d+\s*/\s*\d+\s*$")


def parse_points(raw: Any) -> Fraction | None:
    """The exact value of a points entry an author wrote, or None when it is not a finite number.

    Ints are exact; a float or a decimal string is read as the decimal the author typed (0.1 is
    1/10, not the binary float nearest to it); "1/3" is a third. Booleans are not numbers here.
    """
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return Fraction(raw)
    if isinstance(raw, float):
        return Fraction(repr(raw)) if math.isfinite(raw) else None
    if isinstance(raw, Fraction):
        return raw
    if isinstance(raw, Decimal):
        return Fraction(raw) if raw.is_finite() else None
    if isinstance(raw, str):
        text = raw.strip()
        if _FRACTION_TEXT.match(text):
            numerator, denominator = (int(part) for part in text.split("/"))
            return Fraction(numerator, denominator) if denominator else None
        try:
            value = Decimal(text)
        except InvalidOperation:
            return None
        return Fraction(value) if value.is_finite() else None
    return None


def format_points(value: Fraction | Decimal | float | int, places: int = 2) -> str:
    """Points as people read them: rounded to ``places`` decimals, trailing zeros dropped (1/3 -> "0.33")."""
    exact = value if isinstance(value, Fraction) else parse_points(value) or Fraction(0)
    rounded = round(exact, places)
    text = f"{Decimal(rounded.numerator) / Decimal(rounded.denominator):.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_points_of(points: Fraction, max_points: Fraction) -> str:
    """ "0.5 of 1": rounded as format_points, with more decimals (up to 6) while unequal values read alike."""
    for places in (2, 4, 6):
        shown, of = format_points(points, places), format_points(max_points, places)
        if shown != of or points == max_points:
            break
    return f"{shown} of {of}"


def points_text(value: Fraction) -> str:
    """Exact points as text that ``parse_points`` reads back: "2", "0.25", or "1/3" when no decimal is exact.

    For stored reports (JSON has no exact non-integer numbers); never for people: see format_points.
    """
    if value.denominator == 1:
        return str(value.numerator)
    rest, places = value.denominator, 0
    for prime in (2, 5):
        count = 0
        while rest % prime == 0:
            rest //= prime
            count += 1
        places = max(places, count)
    if rest != 1:
        return f"{value.numerator}/{value.denominator}"
    scaled = value.numerator * 10**places // value.denominator
    return f"{Decimal(scaled).scaleb(-places):f}"


def points_json(value: Fraction) -> int | float | str:
    """Exact points for JSON: a number when the number is exact (2, 0.25), else text ("1/3").

    A JSON number is read back as a float whose repr is the decimal written, and parse_points
    reads that decimal exactly; a value no float repr writes exactly stays text.
    """
    if value.denominator == 1:
        return value.numerator
    text = points_text(value)
    if "/" not in text and Fraction(repr(float(text))) == value:
        return float(text)
    return text


class CellKind(StrEnum):
    """The role a source cell plays when a submission is assembled, run and scored."""

    TEXT = "text"  # markdown/raw the instructor wrote; never run
    CODE = "code"  # ordinary code cell; always taken from the source
    READONLY = "readonly"  # nbgrader "read-only" (locked) cell
    ANSWER = "answer"  # nbgrader "autograded answer": the learner's code replaces it
    MANUAL_ANSWER = "manual_answer"  # nbgrader "manually graded answer" (solution + grade)
    TASK = "task"  # nbgrader "manually graded task"
    TEST = "test"  # nbgrader "autograder tests": scored from the execute reply
    SEALED = "sealed"  # PM Academy sealed check: scored outside the learner's kernel


#: Kinds whose text comes from the learner's copy.
LEARNER_KINDS = frozenset({CellKind.ANSWER, CellKind.MANUAL_ANSWER})
#: Kinds that carry points.
GRADED_KINDS = frozenset({CellKind.TEST, CellKind.SEALED, CellKind.MANUAL_ANSWER, CellKind.TASK})
#: Kinds that need a person to award their points.
MANUAL_KINDS = frozenset({CellKind.MANUAL_ANSWER, CellKind.TASK})


class ComparatorKind(StrEnum):
    EXACT = "exact"
    NUMERIC = "numeric"
    SET = "set"
    MULTISET = "multiset"
    CATEGORIES = "categories"
    RANKING = "ranking"


class RankingMethod(StrEnum):
    EXACT = "exact"
    KENDALL = "kendall"
    SPEARMAN = "spearman"


@dataclass(frozen=True)
class Comparator:
    """How a learner's value is compared with the reference value (see docs/exercise-format.md)."""

    kind: ComparatorKind
    abs_tol: float = 0.0
    rel_tol: float = 0.0
    partial: bool = False
    method: RankingMethod = RankingMethod.EXACT
    threshold: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "abs": self.abs_tol,
            "rel": self.rel_tol,
            "partial": self.partial,
            "method": self.method.value,
            "threshold": self.threshold,
        }


@dataclass(frozen=True)
class SealedSpec:
    """A sealed check: inputs from a generator, one call on the learner's code, a comparator."""

    call: str  # e.g. "rice_scores(features)"; names are the generator's keys
    comparator: Comparator
    cases: int = 1
    #: Source of the generator (defines ``generate(rng) -> dict``); runs only in the reference kernel.
    generator: str = ""


@dataclass(frozen=True)
class SourceCell:
    """One cell of the instructor's source notebook, classified."""

    index: int
    cell_type: str  # "code" | "markdown" | "raw"
    kind: CellKind
    source: str  # the instructor's full text, with solutions and hidden tests
    grade_id: str = ""
    points: Fraction = Fraction(0)
    sealed: SealedSpec | None = None
    nbgrader: dict[str, Any] = field(default_factory=dict)
    #: Extra cell metadata kept in the release notebook (tags, our own "pma" block).
    metadata: dict[str, Any] = field(default_factory=dict)
    #: The text learners are given when the source format defines it (Otter's ``...`` and prompts);
    #: None: nbgrader's stubs (``release.released_text``). ``source`` still marks what is hidden.
    release: str | None = None

    def __post_init__(self) -> None:
        # Points are exact whatever a parser handed in (an int, or a float read as its decimal).
        if not isinstance(self.points, Fraction):
            object.__setattr__(self, "points", parse_points(self.points) or Fraction(0))

    @property
    def label(self) -> str:
        """How an instructor recognises the cell: its number (1-based) and grade_id."""
        if self.grade_id:
            return f"cell {self.index + 1} ({self.grade_id!r})"
        return f"cell {self.index + 1}"


@dataclass(frozen=True)
class Problem:
    """Something wrong with a source notebook, in words an instructor acts on."""

    cell: int | None  # 0-based index, None for the whole notebook
    grade_id: str
    message: str
    fix: str

    def __str__(self) -> str:
        values = {"message": self.message, "fix": self.fix}
        if self.cell is None:
            return gettext_noop("Notebook: %(message)s Fix: %(fix)s") % values
        if self.grade_id:
            return gettext_noop("Cell %(number)s (%(id)s): %(message)s Fix: %(fix)s") % {
                **values,
                "number": self.cell + 1,
                "id": repr(self.grade_id),
            }
        return gettext_noop("Cell %(number)s: %(message)s Fix: %(fix)s") % {
            **values,
            "number": self.cell + 1,
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "cell": self.cell,
            "grade_id": self.grade_id,
            "message": self.message,
            "fix": self.fix,
        }


class SourceInvalid(ValueError):
    """The source notebook cannot be used as an exercise; ``problems`` says why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


@dataclass(frozen=True)
class ExerciseSource:
    """A parsed, statically valid exercise."""

    cells: tuple[SourceCell, ...]
    origin: str  # "nbgrader" | "otter"
    sha256: str  # of the canonical JSON of the uploaded source notebook
    notebook_metadata: dict[str, Any] = field(default_factory=dict)
    nbformat_minor: int = 5
    #: Each cell's number (1-based) as its author counts cells in the uploaded notebook, by index;
    #: empty when that is the cell's own position (nbgrader). Otter's boundary cells are not cells
    #: here, so its cells' numbers skip them.
    cell_numbers: tuple[int, ...] = ()

    def number_of(self, cell: SourceCell) -> int:
        """The number the author knows ``cell`` by (1-based), for instructor-facing messages."""
        if cell.index < len(self.cell_numbers):
            return self.cell_numbers[cell.index]
        return cell.index + 1

    def by_grade_id(self) -> dict[str, SourceCell]:
        return {c.grade_id: c for c in self.cells if c.grade_id}

    @property
    def answer_cells(self) -> list[SourceCell]:
        return [c for c in self.cells if c.kind in LEARNER_KINDS]

    @property
    def graded_cells(self) -> list[SourceCell]:
        return [c for c in self.cells if c.kind in GRADED_KINDS]

    @property
    def max_score(self) -> Fraction:
        """The exact sum of the graded cells' points."""
        return sum((c.points for c in self.graded_cells), Fraction(0))
