"""Scoring rules (nbgrader partial credit) and the report's JSON round trip."""

import json
from fractions import Fraction

import pytest

from grading.engine.report import (
    ENGINE_VERSION,
    Flag,
    GradeReport,
    ReportStatus,
    TestResult,
    TestStatus,
)
from grading.engine.score import error_message, partial_credit, scrub


def _result(text):
    return [
        {"output_type": "stream", "name": "stdout", "text": "3 of 4 right\n"},
        {
            "output_type": "execute_result",
            "data": {"text/plain": text},
            "metadata": {},
            "execution_count": 1,
        },
    ]


@pytest.mark.parametrize(
    ("text", "points"),
    [
        ("1.5", 1.5),
        ("3", 3.0),
        ("7.5", 3.0),
        ("0", 0.0),
        ("0.0", 0.0),
        ("-2", 0.0),
        ("nan", 0.0),
        ("'passed'", 3.0),
        ("[1, 2]", 3.0),
        (["2.25"], 2.25),
        (["1", "2"], 3.0),
    ],
)
def test_partial_credit_from_the_first_execute_result(text, points):
    assert partial_credit(_result(text), 3.0) == points


@pytest.mark.parametrize(
    ("text", "points"),
    [
        ("Fraction(1, 3)", Fraction(1, 3)),
        ("1/3", Fraction(1, 3)),
        ("0.1", Fraction(1, 10)),
        ("0.3333333333333333", Fraction(3333333333333333, 10**16)),
        ("inf", Fraction(0)),
        ("-Infinity", Fraction(0)),
        ("1/0", Fraction(1)),
        ("'1/3'", Fraction(1)),
    ],
)
def test_partial_credit_is_the_exact_number_printed(text, points):
    assert partial_credit(_result(text), Fraction(1)) == points


def test_no_execute_result_means_full_credit():
    assert partial_credit([{"output_type": "stream", "name": "stdout", "text": "0.5"}], 2.0) == 2.0
    assert partial_credit([], 2.0) == 2.0


def test_messages_are_capped_and_never_quote_hidden_source():
    hidden = ["assert secret_check(rice_score) == 42"]

    assert error_message("AssertionError", "rice score for 'SSO' is wrong", hidden, 10) == (
        "AssertionError: rice score for 'SSO' is wrong"
    )
    assert error_message("AssertionError", "", hidden, 10) == "AssertionError"
    assert (
        error_message("TimeoutError", "", hidden, 10)
        == "This cell ran longer than 10 s and was stopped."
    )
    leaked = error_message(
        "ValueError", "next cell: assert secret_check(rice_score) == 42", hidden, 10
    )
    assert leaked == "The check failed; its details come from a hidden test and are not shown."
    assert len(error_message("ValueError", "x" * 10_000, hidden, 10)) == 300
    assert scrub("fine", []) == "fine"


def test_report_round_trips_through_json():
    report = GradeReport(
        score=3.5,
        max_score=6.0,
        status=ReportStatus.GRADED,
        tests=[
            TestResult("rice_tests", 2.0, 2.0, TestStatus.PASSED, "", False, "test", 5),
            TestResult(
                "rice_sealed",
                1.5,
                3.0,
                TestStatus.PARTIAL,
                "2 of 4 values are within the tolerance.",
                True,
                "sealed",
                6,
            ),
        ],
        flags=[Flag("kernel_internals", "uses get_ipython", 4, "rice_answer", review=True)],
        timings={"total_s": 0.25},
        seed=7,
        source_sha256="ab" * 32,
    )

    data = json.loads(report.to_json())

    assert data["status"] == "graded"
    assert data["engine_version"] == ENGINE_VERSION
    assert data["needs_review"] is True
    assert data["tests"][1] == {
        "grade_id": "rice_sealed",
        "points": 1.5,
        "max_points": 3,
        "status": "partial",
        "message": "2 of 4 values are within the tolerance.",
        "sealed": True,
        "kind": "sealed",
        "cell": 6,
    }
    assert GradeReport.from_json(report.to_json()) == report
    assert report.test("rice_sealed").points == 1.5


def test_invalid_report():
    report = GradeReport.invalid("The file is not valid JSON.", seed=3)

    assert json.loads(report.to_json())["status"] == "invalid"
    assert (report.score, report.max_score, report.tests) == (0.0, 0.0, [])


def test_report_keeps_thirds_exact_through_json():
    third = Fraction(1, 3)
    report = GradeReport(
        score=third,
        max_score=Fraction(1),
        status=ReportStatus.GRADED,
        tests=[TestResult("q1_1", third, third, TestStatus.PASSED, "", False, "test", 3)],
    )

    data = json.loads(report.to_json())

    assert (data["score"], data["max_score"]) == ("1/3", 1)
    assert (data["tests"][0]["points"], data["tests"][0]["max_points"]) == ("1/3", "1/3")
    loaded = GradeReport.from_json(report.to_json())
    assert loaded == report
    assert loaded.test("q1_1").points == loaded.test("q1_1").max_points == third


def test_a_report_stored_with_float_points_still_loads():
    stored = {
        "score": 3.5,
        "max_score": 6.0,
        "status": "graded",
        "tests": [
            {
                "grade_id": "rice_tests",
                "points": 0.3333,
                "max_points": 2,
                "status": "partial",
                "message": "Partial credit: 0.3333 of 2.",
                "sealed": False,
                "kind": "test",
                "cell": 5,
            }
        ],
    }

    report = GradeReport.from_dict(stored)

    assert (report.score, report.max_score) == (Fraction(7, 2), Fraction(6))
    assert report.test("rice_tests").points == Fraction(3333, 10000)
    assert report.test("rice_tests").max_points == Fraction(2)
