"""Helpers for the engine tests that run real sandboxed kernels."""

import json
import random
from pathlib import Path

from exercises.format import CellKind, ExerciseSource, load_notebook_bytes, markers
from grading.engine.limits import Limits
from grading.engine.report import GradeReport
from grading.engine.sealed import call_expression, case_seed

FIXTURES = Path(__file__).resolve().parent.parent.parent / "fixtures"
#: Short limits keep the attack fixtures quick; the RICE notebooks need a fraction of them.
TEST_LIMITS = Limits(cell_timeout_s=5.0, wall_timeout_s=30.0, memory_bytes=1024 * 2**20)


def load(path: Path):
    return load_notebook_bytes(path.read_bytes(), max_bytes=2 * 2**20)


def submission(name: str):
    return load(FIXTURES / "notebooks" / name)


def expected_values(source: ExerciseSource, seed: int) -> list[object]:
    """The sealed checks' expected values, computed here from the trusted instructor source."""
    namespace: dict = {}
    for cell in source.cells:
        if cell.cell_type == "code" and cell.kind not in (CellKind.TEST, CellKind.SEALED):
            exec(markers.unmark(cell.source), namespace)  # noqa: S102 - trusted fixture source
    values = []
    for cell in source.cells:
        if cell.kind is not CellKind.SEALED:
            continue
        exec(cell.sealed.generator, namespace)  # noqa: S102 - trusted fixture source
        for case in range(cell.sealed.cases):
            inputs = namespace["generate"](random.Random(case_seed(seed, cell.grade_id, case)))
            values.append(eval(call_expression(cell.sealed.call, inputs), namespace))  # noqa: S307
    return values


def leaves(value: object) -> list[object]:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in leaves(v)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in leaves(v)]
    return [value]


def assert_nothing_secret(
    report: GradeReport, source: ExerciseSource, *, hidden: list[str], seed: int
) -> None:
    """No hidden-test line and no distinctive expected value anywhere in the report JSON."""
    text = report.to_json()
    for line in hidden:
        assert line not in text
        assert json.dumps(line)[1:-1] not in text
    for value in leaves(expected_values(source, seed)):
        if isinstance(value, float) and len(repr(value)) >= 6:
            assert repr(value) not in text
