"""The release notebook: no solutions, no hidden tests, no outputs, nbgrader metadata kept."""

import json

import nbformat

from exercises.format import TEXT_STUB, parse_source, release_notebook


def _release(nb):
    release = release_notebook(parse_source(nb))
    nbformat.validate(release)
    return release, json.dumps(release)


def test_release_stubs_solutions_and_drops_hidden_tests(rice_schema3):
    release, text = _release(rice_schema3)

    assert "reach * impact * confidence / effort" not in text
    assert "BEGIN SOLUTION" not in text
    assert "Audit log' is wrong" not in text
    assert "HIDDEN" not in text
    assert "effort of zero must raise" not in text
    answer = release.cells[3]
    assert answer.source == (
        "def rice_score(reach, impact, confidence, effort):\n"
        '    """RICE = reach x impact x confidence / effort."""\n'
        "    # YOUR CODE HERE\n"
        "    raise NotImplementedError()"
    )
    assert release.cells[4].source == (
        "assert rice_score(2000, 2, 0.8, 4) == 800, \"rice score for 'SSO' is wrong\"\n"
        "assert rice_score(5000, 0.5, 1.0, 2) == 1250, \"rice score for 'Dark mode' is wrong\""
    )
    assert release.cells[9].source == TEXT_STUB
    assert release.cells[3].metadata["nbgrader"]["grade_id"] == "rice_answer"
    assert release.cells[4].metadata["nbgrader"]["points"] == 2
    assert all(c.get("outputs", []) == [] for c in release.cells)
    assert all(c.get("execution_count") is None for c in release.cells if c.cell_type == "code")
    assert release.metadata["kernelspec"]["name"] == "python3"


def test_otter_release_has_no_solution_or_hidden_test(rice_otter):
    release, text = _release(rice_otter)

    assert "reach * impact * confidence / effort" not in text
    # The hidden test and its expected output; cell ids are random hex, so a bare "240" is no evidence.
    assert "rice_score(300, 3, 0.8, 3)" not in text
    assert "240.0" not in text
    assert "Dark mode: the highest RICE score." not in text
    q1 = next(c for c in release.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "q1")
    # Otter's own student notebook: the solution line becomes "...".
    assert q1.source == "def rice_score(reach, impact, confidence, effort):\n    ..."


def test_sealed_release_explains_the_check_but_not_the_generator(rice_sealed):
    release, text = _release(rice_sealed)

    assert "def generate" not in text
    assert "Onboarding tour" not in text
    notice = next(
        c for c in release.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "rank_sealed"
    )
    assert notice.cell_type == "markdown"
    assert "`rank_features(backlog)`" in notice.source
    assert notice.metadata["nbgrader"]["locked"] is True
