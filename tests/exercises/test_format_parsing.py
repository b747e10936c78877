"""Parsing nbgrader schema 3/4 and Otter v1 sources into the exercise model."""

import pytest

from exercises.format import CellKind, ComparatorKind, RankingMethod, parse_source

RICE_IDS = [
    ("setup", CellKind.READONLY, 0.0),
    ("rice_answer", CellKind.ANSWER, 0.0),
    ("rice_tests", CellKind.TEST, 2.0),
    ("rank_answer", CellKind.ANSWER, 0.0),
    ("rank_tests", CellKind.TEST, 3.0),
    ("explain_answer", CellKind.MANUAL_ANSWER, 1.0),
]


@pytest.mark.parametrize("fixture", ["rice_schema3", "rice_schema4"])
def test_nbgrader_source_is_classified_cell_by_cell(fixture, request):
    source = parse_source(request.getfixturevalue(fixture))

    assert source.origin == "nbgrader"
    assert [(c.grade_id, c.kind, c.points) for c in source.cells if c.grade_id] == RICE_IDS
    assert source.max_score == 6.0
    assert [c.grade_id for c in source.answer_cells] == [
        "rice_answer",
        "rank_answer",
        "explain_answer",
    ]
    assert source.cells[0].kind is CellKind.TEXT
    assert len(source.sha256) == 64


def test_schema3_and_schema4_differ_only_in_their_hash(rice_schema3, rice_schema4):
    three, four = parse_source(rice_schema3), parse_source(rice_schema4)

    assert [(c.kind, c.source) for c in three.cells] == [(c.kind, c.source) for c in four.cells]
    assert three.sha256 != four.sha256


def test_otter_v1_questions_become_answer_and_test_cells(rice_otter):
    source = parse_source(rice_otter)

    assert source.origin == "otter"
    graded = [(c.grade_id, c.kind, c.points) for c in source.cells if c.grade_id]
    assert graded == [
        ("q1", CellKind.ANSWER, 0.0),
        ("q1_test_1", CellKind.TEST, 1.0),
        ("q1_test_2", CellKind.TEST, 1.0),
        ("q2", CellKind.MANUAL_ANSWER, 1.0),
    ]
    by_id = source.by_grade_id()
    # The recorded output of a test becomes an assertion on what the value shows, as Otter compares outputs.
    assert by_id["q1_test_1"].source == (
        "_otter_value = (rice_score(2000, 2, 0.8, 4) == 800)\n"
        "assert 'True' in (repr(_otter_value).strip(), str(_otter_value).strip()), 'q1: test 1 failed'"
    )
    assert by_id["q1_test_2"].source.startswith("### BEGIN HIDDEN TESTS\n")
    assert "# HIDDEN" not in by_id["q1_test_2"].source
    assert "### BEGIN SOLUTION" in by_id["q1"].source
    # Raw boundary cells and the assignment config are not part of the exercise.
    assert not [c for c in source.cells if c.cell_type == "raw"]


def test_sealed_cells_carry_their_spec(rice_sealed):
    source = parse_source(rice_sealed)
    sealed = {c.grade_id: c for c in source.cells if c.kind is CellKind.SEALED}

    assert list(sealed) == ["rice_sealed", "rank_sealed", "moscow_sealed"]
    assert sealed["rice_sealed"].points == 3.0
    assert sealed["rice_sealed"].sealed.call == "rice_scores(backlog)"
    assert sealed["rice_sealed"].sealed.cases == 3
    assert sealed["rice_sealed"].sealed.comparator.kind is ComparatorKind.NUMERIC
    assert sealed["rice_sealed"].sealed.comparator.rel_tol == 1e-9
    assert sealed["rank_sealed"].sealed.comparator.method is RankingMethod.KENDALL
    assert sealed["rank_sealed"].sealed.comparator.threshold == 0.5
    assert sealed["moscow_sealed"].sealed.comparator.kind is ComparatorKind.CATEGORIES
    assert "def generate(rng):" in sealed["moscow_sealed"].sealed.generator
    assert source.max_score == 8.0
