"""nbgrader AUTOTEST exercises through validation and grading, in the sandbox.

``rice_autotest.ipynb`` has a visible AUTOTEST line with two expressions (2 points), a HASHED
AUTOTEST (1 point) and an AUTOTEST inside hidden tests (1 point).
"""

import pytest

from exercises.format import release_notebook
from grading.engine.pipeline import grade_submission
from grading.engine.sandbox.pool import KernelPool
from grading.engine.validate import validate_exercise

from .conftest import answer
from .engine_support import FIXTURES, TEST_LIMITS, load

pytestmark = pytest.mark.sandbox

RULES = (FIXTURES / "exercises" / "rice_autotests.yml").read_text(encoding="utf-8")
#: RICE without confidence: 1000 for SSO instead of 800, so SSO also becomes a must-have.
WRONG_RICE = (
    "def rice_score(reach, impact, confidence, effort):\n    return reach * impact / effort"
)
PRIORITIES = """def score(feature):
    return rice_score(feature["reach"], feature["impact"], feature["confidence"], feature["effort"])

top_feature = max(backlog, key=score)["name"]
must_haves = sorted(f["name"] for f in backlog if score(f) >= 1000)
"""


@pytest.fixture(scope="module")
def kernels():
    pool = KernelPool(TEST_LIMITS, size=1)
    yield pool
    pool.close()


@pytest.fixture(scope="module")
def source_nb():
    return load(FIXTURES / "exercises" / "rice_autotest.ipynb")


@pytest.fixture(scope="module")
def validated(kernels, source_nb):
    return validate_exercise(source_nb, kernels=kernels, limits=TEST_LIMITS)


def _scores(report):
    return {t.grade_id: (t.points, t.status.value, t.message) for t in report.tests}


def _released(report):
    nb = release_notebook(report.source)
    return {c.metadata["nbgrader"]["grade_id"]: c.source for c in nb.cells}


def test_the_reference_earns_full_marks_and_the_unanswered_release_none(validated):
    assert validated.valid, [str(p) for p in validated.problems]
    assert (validated.reference.score, validated.reference.max_score) == (4, 4)
    assert validated.release.score == 0
    assert _scores(validated.release)["rice_autotest"] == (0, "failed", "NotImplementedError")
    assert sorted(validated.autotests) == [4, 5, 6]


def test_the_release_holds_the_instantiated_tests_and_hashed_ones_show_no_value(validated):
    released = _released(validated)

    tests = [released[grade_id] for grade_id in ("rice_autotest", "top_hashed", "must_hidden")]
    assert not any("AUTOTEST" in text for text in tests)
    assert (
        'assert str(round(rice_score(2000, 2, 0.8, 4), 2)) == """800.0""", """value of '
        'rice_score(2000, 2, 0.8, 4) is not correct (rounded to 2 decimal places)"""'
    ) in released["rice_autotest"]
    assert (
        'assert str(round(rice_score(300, 3, 0.8, 3), 2)) == """240.0"""'
        in released["rice_autotest"]
    )
    top = released["top_hashed"]
    assert top.count("assert sha1(str(") == 4 and "Dark mode" not in top
    assert released["must_hidden"] == (
        "from hashlib import sha1\n"
        'assert str(type(must_haves)) == """<class \'list\'>""", '
        '"""type of type(must_haves) is not correct"""\n'
        "\n"
        "print('Success!')"
    )


def test_a_wrong_answer_fails_with_nbgraders_messages(kernels, validated):
    submission = answer(
        answer(release_notebook(validated.source), "rice_answer", WRONG_RICE),
        "priorities_answer",
        PRIORITIES,
    )

    report = grade_submission(
        validated.source, submission, kernels=kernels, limits=TEST_LIMITS, seed=1
    )

    assert report.score == 1
    assert _scores(report) == {
        "rice_autotest": (
            0,
            "failed",
            "AssertionError: value of rice_score(2000, 2, 0.8, 4) is not correct "
            "(rounded to 2 decimal places)",
        ),
        "top_hashed": (1, "passed", ""),
        "must_hidden": (0, "failed", "AssertionError: length of must_haves is not correct"),
    }


def test_an_authors_autotests_yml_makes_the_tests(kernels, source_nb):
    report = validate_exercise(source_nb, kernels=kernels, limits=TEST_LIMITS, autotest_rules=RULES)

    assert report.valid, [str(p) for p in report.problems]
    assert report.autotests[4] == (
        '"""rice_score gives each feature its RICE score"""\n'
        "from hashlib import sha1\n"
        'assert str(round(rice_score(2000, 2, 0.8, 4), 1)) == """800.0""", '
        '"""rice_score(2000, 2, 0.8, 4) is not the RICE score (reach × impact × confidence ÷ '
        'effort)"""\n'
        "\n"
        'assert str(round(rice_score(300, 3, 0.8, 3), 1)) == """240.0""", '
        '"""rice_score(300, 3, 0.8, 3) is not the RICE score (reach × impact × confidence ÷ '
        'effort)"""\n'
    )


def test_a_type_the_rules_do_not_cover_is_reported_to_the_instructor(kernels, source_nb):
    rules = RULES.split("        default:")[0]

    report = validate_exercise(source_nb, kernels=kernels, limits=TEST_LIMITS, autotest_rules=rules)

    assert not report.valid and report.reference is None
    assert [str(p) for p in report.problems] == [
        "Cell 6 ('top_hashed'): AUTOTEST 'top_feature' on line 2 has type 'str', and "
        "autotests.yml has no templates for it and no 'default' ones. Fix: add templates for "
        "'str', or 'default' ones, to autotests.yml; or test a plainer value (e.g. an attribute "
        "of the object)."
    ]
