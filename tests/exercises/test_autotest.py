"""nbgrader's AUTOTEST lines without a kernel: the static checks, the rules, the instantiated text.

The kernel is stood in for by ``python_kernel``: the fixture's trusted code run in-process, each
result shown as IPython shows it (``type(1)`` is ``int``), which is what nbgrader reads back.
"""

import ast
from dataclasses import replace
from hashlib import sha1

import nbformat
import pytest
from IPython.lib.pretty import pretty

from exercises.format import SourceInvalid, parse_source
from exercises.format.autotest import (
    DEFAULT_RULES,
    AutotestFailed,
    RulesInvalid,
    SnippetFailed,
    cell_salt_seed,
    directives,
    expand_cell,
    has_autotests,
    load_rules,
)

RICE_SOLUTION = """def rice_score(reach, impact, confidence, effort):
    ### BEGIN SOLUTION
    return reach * impact * confidence / effort
    ### END SOLUTION"""


def python_kernel():
    """Runs code as a kernel would and returns the text/plain of its last expression's value."""
    namespace: dict = {}

    def run(code: str) -> str | None:
        try:
            tree = ast.parse(code)
            last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
            exec(compile(tree, "<cell>", "exec"), namespace)  # noqa: S102 - the tests' own code
            if last is None:
                return None
            value = eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace)  # noqa: S307
        except Exception as exc:  # noqa: BLE001 - a kernel reports every error
            raise SnippetFailed(type(exc).__name__, str(exc)) from exc
        return None if value is None else pretty(value)

    return run


def expand(cells: list[str], *, rules=DEFAULT_RULES) -> list[str]:
    """Each cell as nbgrader leaves it; the last one is the test cell."""
    run = python_kernel()
    return [
        expand_cell(text, index=index, is_test=index == len(cells) - 1, rules=rules, run=run)
        for index, text in enumerate(cells)
    ]


def rice_notebook(test_source: str, *, answer_source: str = RICE_SOLUTION):
    meta = {"grade": True, "solution": False, "points": 2}
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_markdown_cell("### AUTOTEST in a heading is text, not a test"),
        nbformat.v4.new_code_cell(
            answer_source,
            metadata={
                "nbgrader": {"grade": False, "solution": True, "grade_id": "rice_answer"}
                | {"schema_version": 3, "locked": False}
            },
        ),
        nbformat.v4.new_code_cell(
            test_source,
            metadata={
                "nbgrader": meta
                | {"grade_id": "rice_autotest", "schema_version": 3, "locked": False}
            },
        ),
    ]
    return nb


def problems(nb) -> list[str]:
    with pytest.raises(SourceInvalid) as caught:
        parse_source(nb)
    return [str(p) for p in caught.value.problems]


def test_an_autotest_line_becomes_nbgrader_checks_of_the_reference_value():
    _, tests = expand(
        [RICE_SOLUTION, '"""RICE scores"""\n### AUTOTEST rice_score(2000, 2, 0.8, 4)']
    )

    assert tests == (
        '"""RICE scores"""\n'
        "from hashlib import sha1\n"
        'assert str(type(rice_score(2000, 2, 0.8, 4))) == """<class \'float\'>""", '
        '"""type of rice_score(2000, 2, 0.8, 4) is not float. Please make sure it is float and '
        'not np.float64, etc. You can cast your value into a float using float()"""\n'
        'assert str(round(rice_score(2000, 2, 0.8, 4), 2)) == """800.0""", '
        '"""value of rice_score(2000, 2, 0.8, 4) is not correct (rounded to 2 decimal places)"""\n'
        "\n"
        "print('Success!')"
    )


def test_semicolons_separate_expressions_and_each_type_gets_its_own_templates():
    _, tests = expand(["backlog = ['SSO', 'Dark mode']", "### AUTOTEST len(backlog); backlog;  "])

    checks = [line for line in tests.split("\n") if line.startswith("assert")]
    assert [check.split(" == ")[0] for check in checks] == [
        "assert str(type(len(backlog)))",
        "assert str(len(backlog))",
        "assert str(type(backlog))",
        "assert str(len(backlog))",
        "assert str(sorted(map(str, backlog)))",
        "assert str(backlog)",
    ]
    assert '"""2"""' in checks[1]
    assert '"""[\'Dark mode\', \'SSO\']"""' in checks[4]


def test_hashed_autotest_hides_the_expected_value_behind_a_salted_digest():
    source = "### HASHED AUTOTEST top_feature"
    _, tests = expand(["top_feature = 'Dark mode'", source])

    assert "Dark mode" not in tests
    salt = hex(cell_salt_seed(source, 1) + 1)[2:]
    digest = sha1(("Dark mode" + salt).encode()).hexdigest()  # noqa: S324 - nbgrader's digest
    assert (
        f'assert sha1(str(top_feature).encode("utf-8")+b"{salt}").hexdigest() == """{digest}"""'
        in tests
    )


def test_a_release_is_the_same_every_time_it_is_generated():
    cells = ["top_feature = 'Dark mode'", "### HASHED AUTOTEST top_feature; len(top_feature)"]

    assert expand(cells) == expand(cells)


def test_an_authors_rules_replace_the_defaults():
    rules = load_rules(
        """
python3:
    dispatch: "type({{ snippet }}).__name__"
    normalize: "repr({{snippet}})"
    check: "assert {{snippet}} == {{value}}, '{{message}}'"
    templates:
        float:
            - test: "round({{snippet}}, 1)"
              fail: "{{snippet}} is not the RICE score"
        default:
            - test: "{{snippet}}"
              fail: "{{snippet}} is wrong"
"""
    )

    _, tests = expand([RICE_SOLUTION, "### AUTOTEST rice_score(300, 3, 0.8, 3)"], rules=rules)

    assert tests == (
        "assert repr(round(rice_score(300, 3, 0.8, 3), 1)) == 240.0, "
        "'rice_score(300, 3, 0.8, 3) is not the RICE score'\n"
    )


def test_a_type_without_templates_is_reported_when_the_rules_have_no_default():
    rules = load_rules(
        """
python3:
    dispatch: "type({{snippet}})"
    normalize: "str({{snippet}})"
    check: "assert {{snippet}} == '{{value}}'"
    templates:
        int:
            - test: "{{snippet}}"
              fail: "wrong"
"""
    )

    with pytest.raises(AutotestFailed) as caught:
        expand(["scores = {'SSO': 800}", "### AUTOTEST scores"], rules=rules)

    assert str(caught.value) == (
        "AUTOTEST 'scores' on line 1 has type 'dict', and autotests.yml has no templates for "
        "it and no 'default' ones. Fix: add templates for 'dict', or 'default' ones, to "
        "autotests.yml; or test a plainer value (e.g. an attribute of the object)."
    )


def test_an_expression_the_reference_cannot_evaluate_is_reported():
    with pytest.raises(AutotestFailed) as caught:
        expand([RICE_SOLUTION, "### AUTOTEST rice(1, 2, 3, 4)"])

    assert caught.value.message == (
        "AUTOTEST 'rice(1, 2, 3, 4)' on line 1 raised NameError: name 'rice' is not defined."
    )


def test_hashed_autotest_needs_a_hash_template():
    rules = load_rules(
        'python3: {dispatch: "type({{snippet}})", normalize: "str({{snippet}})", '
        'check: "assert {{snippet}}", templates: {default: [{test: "x", fail: "y"}]}}'
    )

    with pytest.raises(AutotestFailed, match="line 1 is a HASHED AUTOTEST, but autotests.yml"):
        expand(["x = 1", "### HASHED AUTOTEST x"], rules=rules)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "python3: [unclosed",
            "autotests.yml is not valid YAML (line 1): expected ',' or ']', but got "
            "'<stream end>'.",
        ),
        ("python: {}", "autotests.yml has no rules for the notebook's kernel 'python3'."),
        (
            "python3: {dispatch: x, normalize: x, check: x}",
            "autotests.yml: 'python3.templates' is missing or empty.",
        ),
        (
            'python3: {dispatch: x, normalize: x, check: "{{ valu }}", templates: {default: []}}',
            "autotests.yml: 'python3.check' uses {{ valu }}, but it can only use {{ message }}, "
            "{{ snippet }}, {{ value }}.",
        ),
        (
            'python3: {dispatch: x, normalize: x, check: x, templates: {int: [{test: "{{x}}"}]}}',
            "autotests.yml: an item of 'python3.templates.int' lacks a 'test' or a 'fail' template.",
        ),
        (
            'python3: {dispatch: "{% if 1 %}", normalize: x, check: x, templates: {int: []}}',
            "autotests.yml: 'python3.dispatch' uses Jinja syntax other than {{ name }} "
            "(at '{% if 1 %}').",
        ),
    ],
)
def test_unusable_rules_say_what_is_wrong(text, message):
    with pytest.raises(RulesInvalid) as caught:
        load_rules(text)

    assert caught.value.message == message


def test_lines_are_found_as_nbgrader_finds_them():
    found = directives(
        "x = 1  # AUTOTEST is a comment here too\n"
        "#AUTOTEST a\n"
        "# # HASHED AUTOTEST a; b;\n"
        "print('### AUTOTEST not a comment')"
    )

    assert [(d.line, d.hashed, d.expressions) for d in found] == [
        (2, False, ("a",)),
        (3, True, ("a", "b")),
    ]


def test_a_source_with_autotest_lines_parses():
    source = parse_source(rice_notebook("### AUTOTEST rice_score(2000, 2, 0.8, 4)"))

    assert source.cells[2].points == 2
    assert has_autotests(source)
    # AUTOTEST is nbgrader's: the word in an Otter test is a comment.
    assert not has_autotests(replace(source, origin="otter"))


def test_malformed_autotest_lines_are_refused_with_the_cell_and_line():
    nb = rice_notebook(
        "### AUTOTEST rice_score(2000, 2, 0.8\n### AUTOTEST\n### HASHED AUTOTEST a;; ;b"
    )

    assert problems(nb) == [
        "Cell 3 ('rice_autotest'): its line 1 asks AUTOTEST to test 'rice_score(2000, 2, 0.8', "
        "which is not a Python expression ('(' was never closed). Fix: write one Python "
        "expression per test, separated by semicolons.",
        "Cell 3 ('rice_autotest'): its line 2, '### AUTOTEST', names nothing to test. Fix: write "
        "the expressions to test after AUTOTEST, separated by semicolons, e.g. "
        "'### AUTOTEST rice_score(2000, 2, 0.8, 4)'.",
        "Cell 3 ('rice_autotest'): its line 3, '### HASHED AUTOTEST a;; ;b', has an empty "
        "expression between semicolons. Fix: remove the extra semicolon.",
    ]


def test_autotest_outside_an_autograder_tests_cell_is_refused():
    nb = rice_notebook("### AUTOTEST rice_score(1, 1, 1, 1)")
    nb.cells[1].source += "\n# AUTOTEST rice_score(2000, 2, 0.8, 4)"

    assert problems(nb)[0] == (
        "Cell 2 ('rice_answer'): its line 5 is an AUTOTEST line, but only 'Autograder tests' "
        "cells can hold them (nbgrader refuses them elsewhere). Fix: move the AUTOTEST line into "
        "an 'Autograder tests' cell, or make this cell one."
    )
