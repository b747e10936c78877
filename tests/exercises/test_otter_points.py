"""Otter's point rules, exactly as Otter computes them (test_files.abstract_test.resolve_test_file_points)."""

from fractions import Fraction

import pytest

from exercises.format import CellKind, SourceInvalid, parse_source

from .otter_masters import code, master, md, question, square_question


def _tests(n: int, points: list[object] | None = None) -> list:
    """``n`` passing test cells; a test config sets ``points[i]`` when it is not None."""
    cells = []
    for i in range(n):
        body = f"square({i})"
        given = points[i] if points else None
        if given is not None:
            body = f'""" # BEGIN TEST CONFIG\npoints: {given}\n""" # END TEST CONFIG\n{body}'
        cells.append(code(body, shows=str(i * i)))
    return cells


def _points(config: str, tests: list) -> list[tuple[str, Fraction]]:
    nb = master(
        question(
            config,
            solution=[code("def square(x):\n    return x * x  # SOLUTION")],
            tests=tests,
        )
    )
    source = parse_source(nb)
    return [(c.grade_id, c.points) for c in source.cells if c.kind is CellKind.TEST]


@pytest.mark.parametrize(
    ("config", "tests", "expected"),
    [
        # No points anywhere: the question is worth 1, shared.
        ("name: q", _tests(3), [Fraction(1, 3)] * 3),
        # A total shared among three tests: a third each, exactly.
        ("name: q\npoints: 1", _tests(3), [Fraction(1, 3)] * 3),
        ("name: q\npoints: 2", _tests(3), [Fraction(2, 3)] * 3),
        # 'each': every test worth that much.
        ("name: q\npoints:\n    each: 2", _tests(3), [Fraction(2)] * 3),
        ("name: q\npoints:\n    each: 0.5", _tests(2), [Fraction(1, 2)] * 2),
        # A list: one value per test, decimals as typed.
        ("name: q\npoints: [1, 2, 0.1]", _tests(3), [Fraction(1), Fraction(2), Fraction(1, 10)]),
        # Otter's docs: a 6-point question, two tests worth 2 each, the other two share the rest.
        ("name: q\npoints: 6", _tests(4, [2, None, 2, None]), [2, 1, 2, 1]),
        # No total, some tests with points: the tests without are worth 0.
        ("name: q", _tests(3, [2, None, None]), [2, 0, 0]),
        # No total, only zeros given: the unset tests share 1 point.
        ("name: q", _tests(3, [0, None, None]), [0, Fraction(1, 2), Fraction(1, 2)]),
        # A test config's points beside a total: the rest shares what is left.
        (
            "name: q\npoints: 1",
            _tests(3, ["0.5", None, None]),
            [Fraction(1, 2), Fraction(1, 4), Fraction(1, 4)],
        ),
    ],
    ids=[
        "no-points-share-one",
        "total-1-over-3",
        "total-2-over-3",
        "each-2",
        "each-half",
        "list",
        "otter-docs-6-points",
        "no-total-unset-are-zero",
        "no-total-zeros-share-one",
        "test-points-beside-total",
    ],
)
def test_test_points_follow_otters_rules(config, tests, expected):
    points = [p for _, p in _points(config, tests)]

    assert points == [Fraction(p) for p in expected]
    assert all(isinstance(p, Fraction) for p in points)


def test_all_or_nothing_makes_the_question_one_test_worth_its_points_or_none():
    tests = [code("square(2)", shows="4"), code("# HIDDEN\nsquare(5)", shows="25")]
    source = parse_source(
        master(
            question(
                "name: q1\npoints: 3\nall_or_nothing: true",
                solution=[code("def square(x):\n    return x * x  # SOLUTION")],
                tests=tests,
            )
        )
    )

    tests = [c for c in source.cells if c.kind is CellKind.TEST]
    assert [(c.grade_id, c.points) for c in tests] == [("q1_tests", Fraction(3))]
    assert "square(2)" in tests[0].source
    assert "### BEGIN HIDDEN TESTS\n" in tests[0].source  # the hidden test stays hidden
    assert source.max_score == 3


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ("name: q2\nmanual: true", Fraction(0)),  # Otter: `question.points or 0`
        ("name: q2\nmanual: true\npoints: 1.5", Fraction(3, 2)),
        ("name: q2\nmanual: true\npoints: 4", Fraction(4)),
    ],
    ids=["manual-without-points-is-0", "manual-1.5", "manual-4"],
)
def test_a_manual_question_is_worth_its_points_or_nothing(config, expected):
    source = parse_source(
        master(
            square_question(),
            question(config, text="Explain.", solution=[md("Because.")]),
        )
    )

    q2 = source.by_grade_id()["q2"]
    assert (q2.kind, q2.points) == (CellKind.MANUAL_ANSWER, expected)
    assert source.max_score == 2 + expected


def test_an_autograded_question_without_tests_is_worth_nothing_here():
    # Otter's summary shows such a question as 1 point, but no test ever awards it.
    source = parse_source(
        master(
            square_question(),
            question("name: q2", solution=[code("y = 3  # SOLUTION")]),
        )
    )

    assert source.by_grade_id()["q2"].points == 0
    assert source.max_score == 2


@pytest.mark.parametrize(
    ("config", "tests", "message"),
    [
        (
            "name: q1\npoints: [1, 2]",
            _tests(3),
            "In question 'q1', its 'points' list has 2 entries but the question has 3 tests.",
        ),
        (
            "name: q1\npoints: 1",
            _tests(2, [2, None]),
            "In question 'q1', its tests' points add up to 2, more than the question's 1.",
        ),
        (
            "name: q1\npoints: -1",
            _tests(1),
            "In question 'q1', its 'points' is negative (-1).",
        ),
        (
            "name: q1\npoints: lots",
            _tests(1),
            "In question 'q1', its 'points' is 'lots', not a number.",
        ),
    ],
    ids=["list-length", "more-than-total", "negative", "not-a-number"],
)
def test_points_otter_refuses_are_refused_naming_the_question_cell(config, tests, message):
    nb = master(
        code("import math"),
        question(
            config, solution=[code("def square(x):\n    return x * x  # SOLUTION")], tests=tests
        ),
    )

    with pytest.raises(SourceInvalid) as refused:
        parse_source(nb)

    problem = refused.value.problems[0]
    assert problem.cell == 1  # the '# BEGIN QUESTION' cell, the author's cell 2
    assert problem.message == message
