"""Red team, sealed checks: values a learner's function returns are verdicts, never internal errors.

Whatever the learner's kernel sends for a sealed check (ints beyond float range, infinities
forged as 1e400, NaN, lists nested thousands deep, huge dicts), the check fails with a message
the learner can read, the submission is graded and uses its attempt like any other verdict.
Unit tests pin each comparator kind; the sealed demo exercise (rice_sealed.ipynb) is then graded
through the real service path: an editor submission over HTTP, the immediate task backend,
`submission_grade` and the sandbox.
"""

from __future__ import annotations

import html
import json
import random
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exercises.format import Comparator, ComparatorKind, RankingMethod
from grading.engine.sealed import MAX_DEPTH, Comparison, compare, compare_learner_value

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SEED = 20260515

EXACT = Comparator(kind=ComparatorKind.EXACT)
NUMERIC = Comparator(kind=ComparatorKind.NUMERIC, rel_tol=1e-9, partial=True)
SET = Comparator(kind=ComparatorKind.SET, partial=True)
MULTISET = Comparator(kind=ComparatorKind.MULTISET, partial=True)
CATEGORIES = Comparator(kind=ComparatorKind.CATEGORIES)
KENDALL = Comparator(kind=ComparatorKind.RANKING, method=RankingMethod.KENDALL, threshold=0.5)
SPEARMAN = Comparator(kind=ComparatorKind.RANKING, method=RankingMethod.SPEARMAN)
ALL_KINDS = [EXACT, NUMERIC, SET, MULTISET, CATEGORIES, KENDALL, SPEARMAN]

TOO_DEEP = (
    "The value returned could not be compared: it is nested too deeply (more than 100 levels of "
    "lists and dicts)."
)
SCORES = {"SSO": 800.0, "Dark mode": 1250.0, "CSV export": 400.0}
ORDER = ["Dark mode", "SSO", "CSV export"]
BUCKETS = {"SSO": "Should", "Dark mode": "Must", "CSV export": "Should"}


def nested(depth: int, leaf: object = 1) -> object:
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


# compare() on hostile values, for every comparator kind --------------------------------------


def test_an_int_beyond_float_range_is_a_number_too_large_to_compare():
    assert compare(NUMERIC, 800.0, 10**400) == Comparison(
        0.0, "The value returned is a number too large to compare."
    )
    assert compare(NUMERIC, SCORES, {**SCORES, "SSO": 10**400}) == Comparison(
        Fraction(2, 3),
        "2 of 3 values are within the tolerance; 1 of them is a number too large to compare.",
    )
    assert compare(NUMERIC, SCORES, dict.fromkeys(SCORES, -(10**400))) == Comparison(
        0.0, "0 of 3 values are within the tolerance; 3 of them are numbers too large to compare."
    )
    # Exactly equal ints still match, at any size.
    assert compare(NUMERIC, 10**400, 10**400) == Comparison(1.0, "Correct.")
    assert compare(EXACT, [10**400], [10**400]) == Comparison(1.0, "Correct.")
    assert compare(EXACT, [800], [10**400]) == Comparison(
        0.0, "The value returned differs from the reference solution's."
    )
    assert compare(SET, ["a", "b"], ["a", 10**400]).credit == Fraction(1, 3)
    assert compare(CATEGORIES, BUCKETS, {**BUCKETS, "SSO": 10**400}).credit == Fraction(2, 3)
    assert compare(KENDALL, ORDER, [10**400, *ORDER[1:]]) == Comparison(
        0.0, "The ranking must list each of the 3 items exactly once."
    )


@pytest.mark.parametrize("infinity", [json.loads("1e400"), json.loads("-1e400")])
def test_an_infinity_read_from_1e400_is_a_number_too_large_to_compare(infinity):
    assert compare(NUMERIC, 800.0, infinity) == Comparison(
        0.0, "The value returned is a number too large to compare."
    )
    assert compare(NUMERIC, SCORES, dict.fromkeys(SCORES, infinity)) == Comparison(
        0.0, "0 of 3 values are within the tolerance; 3 of them are numbers too large to compare."
    )
    assert compare(EXACT, SCORES, dict.fromkeys(SCORES, infinity)).credit == 0.0
    assert (
        compare(MULTISET, [1.0], [infinity]).message
        == "1 expected item(s) missing and 1 unexpected item(s)."
    )


def test_nan_is_wrong_not_an_error():
    nan = float("nan")
    assert compare(NUMERIC, SCORES, dict.fromkeys(SCORES, nan)) == Comparison(
        0.0, "0 of 3 values are within the tolerance."
    )
    assert compare(EXACT, [nan], [nan]).credit == 0.0
    for comparator in ALL_KINDS:
        assert compare(comparator, ORDER, [nan, nan, nan]).credit == 0.0


@pytest.mark.parametrize("comparator", ALL_KINDS, ids=lambda c: f"{c.kind.value}-{c.method.value}")
@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 990, 2000, 100_000])
def test_a_value_nested_too_deeply_is_a_verdict_for_every_kind(comparator, depth):
    for got in (nested(depth), {"SSO": nested(depth)}, [nested(depth, {}), "SSO"]):
        assert compare(comparator, SCORES, got) == Comparison(0.0, TOO_DEEP)


def test_nesting_up_to_the_limit_is_compared():
    assert compare(EXACT, nested(MAX_DEPTH), nested(MAX_DEPTH)) == Comparison(1.0, "Correct.")
    assert compare(NUMERIC, nested(MAX_DEPTH, 1.0), nested(MAX_DEPTH, 1.0 + 1e-12)).credit == 1.0
    assert compare(SET, [nested(MAX_DEPTH - 1)], [nested(MAX_DEPTH - 1)]).credit == 1.0


def test_huge_containers_are_compared_quickly_and_wrong():
    huge = {f"feature {i}": i for i in range(20_000)}
    assert compare(NUMERIC, SCORES, huge) == Comparison(
        0.0, "0 of 3 values are within the tolerance."
    )
    assert compare(EXACT, SCORES, huge).credit == 0.0
    assert compare(CATEGORIES, BUCKETS, huge) == Comparison(
        0.0, "0 of 3 items are in the right category."
    )
    assert compare(CATEGORIES, BUCKETS, {"Must": list(huge)}).credit == 0.0
    assert compare(SET, ORDER, list(huge)) == Comparison(
        0.0, "3 expected item(s) missing and 20000 unexpected item(s)."
    )
    assert compare(KENDALL, ORDER, list(huge)).credit == 0.0


def test_a_value_a_comparator_still_chokes_on_is_a_failed_check_not_an_error():
    # json.dumps refuses ints over 4300 digits; call_json never delivers one (json.loads refuses
    # them too), but whatever a comparator raises becomes a verdict where learner values meet it.
    with pytest.raises(ValueError, match="4300 digits"):
        compare(SET, ["a"], [10**5000])
    assert compare_learner_value(SET, ["a"], [10**5000]) == Comparison(
        0.0,
        "The value returned could not be compared: this check cannot compare a value of that kind.",
    )


JSON_LEAVES = (
    st.none()
    | st.booleans()
    | st.text(max_size=5)
    | st.floats(allow_nan=False)
    | st.integers(min_value=-(10**400), max_value=10**400)
)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(expected=JSON_VALUES, got=JSON_VALUES, depth=st.integers(min_value=0, max_value=1500))
def test_every_comparator_is_total_over_json_values(expected, got, depth):
    for comparator in ALL_KINDS:
        for value in (got, nested(depth, got)):
            outcome = compare(comparator, expected, value)
            assert 0.0 <= outcome.credit <= 1.0
            assert outcome.message


# The channel: what json.loads refuses in the grader is a ChannelError, never an exception ------

FORGE = '''
import json as _json

class Forged:
    """Returned by a learner's function: the channel's json.dumps writes its text instead."""
    def __init__(self, text):
        self.text = text

_real_dumps = _json.dumps

def _dumps(value, *args, **kwargs):
    return value.text if isinstance(value, Forged) else _real_dumps(value, *args, **kwargs)

_json.dumps = _dumps
'''


@pytest.mark.sandbox
def test_call_json_turns_json_the_grader_cannot_parse_into_a_channel_error():
    from grading.engine.execute import ChannelError, call_json, run_cells
    from grading.engine.limits import Limits
    from grading.engine.sandbox import start_kernel

    limits = Limits(cell_timeout_s=5.0, wall_timeout_s=30.0, memory_bytes=512 * 2**20)
    with start_kernel(limits) as kernel:
        assert run_cells(kernel, [FORGE], limits).cells[0].status == "ok"

        deep = nested(500)
        assert call_json(kernel, "Forged('[' * 500 + '1' + ']' * 500)") == deep
        assert compare(NUMERIC, SCORES, deep) == Comparison(0.0, TOO_DEEP)
        assert call_json(kernel, "Forged('[1e400, -1e400]')") == [float("inf"), float("-inf")]
        with pytest.raises(ChannelError) as too_deep:
            call_json(kernel, "Forged('[' * 2000 + ']' * 2000)")
        with pytest.raises(ChannelError) as kernel_side:
            call_json(kernel, "__import__('functools').reduce(lambda v, _: [v], range(2000), 1)")
        with pytest.raises(ChannelError) as digits:
            call_json(kernel, "Forged('1' * 5000)")

    assert str(too_deep.value) == (
        "the value is not valid JSON: maximum recursion depth exceeded while decoding a JSON array from a "
        "unicode string"
    )
    assert (
        str(kernel_side.value)
        == "RecursionError: maximum recursion depth exceeded while encoding a JSON object"
    )
    assert str(digits.value).startswith(
        "the value is not valid JSON: Exceeds the limit (4300 digits)"
    )


# Through the service: the sealed demo exercise, graded in the sandbox ------------------------

LEARNER_CODE = """
def _scores(backlog):
    return {f["name"]: f["reach"] * f["impact"] * f["confidence"] / f["effort"] for f in backlog}


def rank_features(backlog):
    scores = _scores(backlog)
    return sorted(scores, key=lambda name: (-scores[name], name))


def moscow(backlog):
    return {name: "Must" if s >= 1000 else "Should" if s >= 300 else "Could" for name, s in _scores(backlog).items()}


def rice_scores(backlog):
    if len(backlog) <= 3:  # the visible test's backlog: right, so the visible test passes
        return _scores(backlog)
    return hostile(backlog)  # the sealed checks' hidden backlogs (4 to 8 features)
"""
#: rice_scores' value on the hidden backlogs, and how the check reads it. "{n}" is the number of
#: features in the first hidden backlog.
HOSTILE = {
    "int_beyond_float_range": (
        'return {f["name"]: 10**400 for f in backlog}',
        "0 of {n} values are within the tolerance; {n} of them are numbers too large to compare.",
    ),
    "float_overflow": (
        'return {f["name"]: 1e308 * 10 for f in backlog}',
        "rice_scores(backlog) did not return a usable value: ValueError: Out of range float values are not "
        "JSON compliant",
    ),
    "nan_from_infinities": (
        'return {f["name"]: float("inf") - float("inf") for f in backlog}',
        "rice_scores(backlog) did not return a usable value: ValueError: Out of range float values are not "
        "JSON compliant",
    ),
    "forged_1e400": (
        'return Forged("{" + ", ".join(\'"%s": 1e400\' % f["name"] for f in backlog) + "}")',
        "0 of {n} values are within the tolerance; {n} of them are numbers too large to compare.",
    ),
    "forged_nan": (
        "return Forged('{\"SSO\": NaN}')",
        "rice_scores(backlog) did not return a usable value: the value is not valid JSON: NaN is not JSON",
    ),
    "nested_2000_deep": (
        "value = 1\n    for _ in range(2000):\n        value = [value]\n    return value",
        "rice_scores(backlog) did not return a usable value: RecursionError: maximum recursion depth "
        "exceeded while encoding a JSON object",
    ),
    "forged_nested_500_deep": ('return Forged("[" * 500 + "]" * 500)', TOO_DEEP),
    "forged_nested_2000_deep": (
        'return Forged("[" * 2000 + "]" * 2000)',
        "rice_scores(backlog) did not return a usable value: the value is not valid JSON: maximum recursion "
        "depth exceeded while decoding a JSON array from a unicode string",
    ),
    "huge_dict": (
        'return {f"feature {i}": i for i in range(8_000)}',  # 180 KB of JSON, under the cap
        "0 of {n} values are within the tolerance.",
    ),
    "dict_over_the_channel_cap": (
        'return {f"feature {i}": i for i in range(40_000)}',
        "rice_scores(backlog) did not return a usable value: ValueError: the value is larger than 262144 "
        "bytes as JSON",
    ),
}


def learner_answer(variant: str) -> str:
    body = HOSTILE[variant][0]
    return f"{FORGE}\n{LEARNER_CODE}\n\ndef hostile(backlog):\n    {body}\n"


@pytest.fixture
def sealed_exercise(course):
    from courses.models import CourseExercise
    from exercises.services import exercise_create, exercise_revision_record_validation

    data = (FIXTURES / "exercises" / "rice_sealed.ipynb").read_bytes()
    exercise = exercise_create(
        title="RICE, sealed",
        slug="rice-sealed",
        data=data,
        filename="rice_sealed.ipynb",
        created_by=None,
    )
    exercise_revision_record_validation(
        revision=exercise.revisions.get(), report={"valid": True, "problems": []}
    )
    exercise.refresh_from_db()
    CourseExercise.objects.create(
        course=course, exercise=exercise, title=exercise.title, max_points=10
    )
    return exercise


def first_hidden_backlog_size() -> int:
    from exercises.format import load_notebook_bytes, parse_source
    from grading.engine.sealed import case_seed

    source = parse_source(
        load_notebook_bytes(
            (FIXTURES / "exercises" / "rice_sealed.ipynb").read_bytes(), max_bytes=2**21
        )
    )
    namespace: dict = {}
    exec(next(c for c in source.cells if c.grade_id == "rice_sealed").sealed.generator, namespace)  # noqa: S102 - trusted fixture
    return len(namespace["generate"](random.Random(case_seed(SEED, "rice_sealed", 0)))["backlog"])


@pytest.mark.sandbox
@pytest.mark.django_db
@pytest.mark.parametrize("variant", list(HOSTILE))
def test_a_hostile_value_fails_its_sealed_check_and_is_graded_as_an_attempt(
    client, learner, course, sealed_exercise, variant, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from grading.models import Submission
    from grading.selectors import exercise_panel_context

    client.force_login(learner)
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(
            reverse("exercise_submit", args=[course.pk, sealed_exercise.pk]),
            {"action": "submit", "answer-rice_answer": learner_answer(variant)},
        )
    submission = Submission.objects.get()
    Submission.objects.filter(pk=submission.pk).update(seed=SEED)  # fixes the hidden backlogs
    for callback in callbacks:  # the commit: grading runs in the immediate task backend
        callback()
    submission.refresh_from_db()
    message = "Passed 0 of 3 hidden input(s). " + HOSTILE[variant][1].format(
        n=first_hidden_backlog_size()
    )

    assert (submission.status, submission.failure_reason, submission.attempt) == ("graded", "", 1)
    assert (submission.score, submission.max_score) == (5.0, 8.0)
    assert [(t["grade_id"], t["status"], t["points"]) for t in submission.report["tests"]] == [
        ("rice_visible_tests", "passed", 1.0),
        ("rice_sealed", "failed", 0.0),
        ("rank_sealed", "passed", 2.0),
        ("moscow_sealed", "passed", 2.0),
    ]
    assert submission.report["tests"][1]["message"] == message
    panel = exercise_panel_context(
        learner=learner, exercise=sealed_exercise, course_page_id=course.pk
    )["panel"]
    assert panel.attempts_used == 1  # the learner's own verdict: the attempt counts
    page = html.unescape(
        client.get(reverse("submission_detail", args=[submission.pk])).content.decode()
    )
    assert "5 / 8 points" in page and f'<td data-label="Feedback">{message}</td>' in page
    assert "internal error" not in page
