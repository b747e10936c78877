"""The typed grade report: what the CLI prints, the grading service stores and learners see.

Everything in it is learner-safe: statuses, points and messages made of exception names and
assert messages, never hidden test source, never a sealed check's expected value.

Points are exact Fractions. The stored JSON writes them as numbers when a number is exact (2,
0.25) and as text otherwise ("1/3"); parse_points reads either back exactly, and reports stored
before, with rounded floats, still load.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from fractions import Fraction
from typing import Any

from exercises.format import parse_points, points_json

ENGINE_VERSION = "pma-engine/1.0"
MESSAGE_CHARS = 500


class ReportStatus(StrEnum):
    GRADED = "graded"
    TIMEOUT = "timeout"
    MEMORY = "memory"
    CRASHED = "crashed"
    INVALID = "invalid"


class TestStatus(StrEnum):
    __test__ = False  # a domain enum, not a pytest test class

    PASSED = "passed"
    PARTIAL = "partial"
    FAILED = "failed"
    NOT_RUN = "not_run"
    NEEDS_REVIEW = "needs_review"


def cap(text: str, limit: int = MESSAGE_CHARS) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def exact(raw: Any) -> Fraction:
    """Points read back from a stored report: exact text, or a number an older report stored."""
    return parse_points(raw) or Fraction(0)


@dataclass
class TestResult:
    grade_id: str
    points: Fraction
    max_points: Fraction
    status: TestStatus
    message: str = ""
    #: True when the verdict was reached outside the learner's kernel and cannot be forged from it.
    sealed: bool = False
    kind: str = "test"  # "test" | "sealed" | "manual"
    cell: int = 0  # 1-based cell number in the source notebook

    __test__ = False  # a domain class, not a pytest test class

    def __post_init__(self) -> None:
        self.points, self.max_points = exact(self.points), exact(self.max_points)


@dataclass
class Flag:
    """Something a reviewer should know about a submission."""

    code: str
    message: str
    cell: int | None = None  # 1-based
    grade_id: str = ""
    review: bool = False


@dataclass
class GradeReport:
    score: Fraction
    max_score: Fraction
    status: ReportStatus
    tests: list[TestResult] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    seed: int = 0
    engine_version: str = ENGINE_VERSION
    source_sha256: str = ""
    mode: str = "submit"
    message: str = ""
    #: Each answer cell's own outputs (nbformat v4 dicts) by grade_id, within the run's output
    #: budget (Limits.output_bytes for all cells together). Raw: the caller sanitises before
    #: showing them. Not part of to_dict(): the stored, audited report carries no outputs.
    answer_outputs: dict[str, list[dict[str, Any]]] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        self.score, self.max_score = exact(self.score), exact(self.max_score)

    @property
    def needs_review(self) -> bool:
        return any(f.review for f in self.flags) or any(
            t.status is TestStatus.NEEDS_REVIEW for t in self.tests
        )

    def test(self, grade_id: str) -> TestResult:
        for result in self.tests:
            if result.grade_id == grade_id:
                return result
        raise KeyError(grade_id)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        del data["answer_outputs"]
        data["status"] = self.status.value
        data["score"] = points_json(self.score)
        data["max_score"] = points_json(self.max_score)
        for test in data["tests"]:
            test["status"] = TestStatus(test["status"]).value
            test["points"] = points_json(test["points"])
            test["max_points"] = points_json(test["max_points"])
        data["needs_review"] = self.needs_review
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, allow_nan=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GradeReport:
        return cls(
            score=exact(data["score"]),
            max_score=exact(data["max_score"]),
            status=ReportStatus(data["status"]),
            tests=[
                TestResult(
                    **{
                        **t,
                        "points": exact(t["points"]),
                        "max_points": exact(t["max_points"]),
                        "status": TestStatus(t["status"]),
                    }
                )
                for t in data.get("tests", [])
            ],
            flags=[Flag(**f) for f in data.get("flags", [])],
            timings={k: float(v) for k, v in data.get("timings", {}).items()},
            seed=int(data.get("seed", 0)),
            engine_version=str(data.get("engine_version", ENGINE_VERSION)),
            source_sha256=str(data.get("source_sha256", "")),
            mode=str(data.get("mode", "submit")),
            message=str(data.get("message", "")),
        )

    @classmethod
    def from_json(cls, text: str) -> GradeReport:
        return cls.from_dict(json.loads(text))

    @classmethod
    def invalid(cls, message: str, *, source_sha256: str = "", seed: int = 0) -> GradeReport:
        """A submission that could not be graded at all (e.g. not a notebook)."""
        return cls(
            score=Fraction(0),
            max_score=Fraction(0),
            status=ReportStatus.INVALID,
            seed=seed,
            source_sha256=source_sha256,
            message=cap(message),
        )
