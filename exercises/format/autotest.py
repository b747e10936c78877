"""nbgrader's ``### AUTOTEST`` and ``### HASHED AUTOTEST`` lines, as nbgrader 0.9 defines them.

An author writes ``### AUTOTEST expr; expr`` in an autograder-tests cell instead of asserts.
nbgrader (``InstantiateTests``, run by ``generate_assignment``) replaces each such line with
generated asserts: it runs the source notebook in a kernel, asks each expression's type (the
rules' ``dispatch`` template), picks that type's templates (or ``default``), evaluates each test
expression with the reference solution and writes ``assert <test> == "<value>", "<message>"``.
A ``HASHED`` line compares salted SHA-1 digests instead, so the release shows no values.

Evaluating needs a kernel, which this package never starts: everything else is here (finding the
lines, reading the rules an author supplies or nbgrader's defaults, rendering the templates,
the order nbgrader runs code in). ``expand_cell`` takes the kernel as a callable;
``grading.engine.autotest`` supplies it, in the sandbox, with the instructor's source.

Templates are the ``{{ name }}`` subset of Jinja that nbgrader's rules use; other Jinja syntax is
refused with a message rather than rendered differently.
"""

from __future__ import annotations

import ast
import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import yaml

from exercises.format.texts import gettext_noop

from .model import CellKind, ExerciseSource, Problem, SourceCell

AUTOTEST = "AUTOTEST"
HASHED = "HASHED"
#: The comment string of Python kernels (nbgrader's InstantiateTests.comment_strs).
COMMENT = "#"
#: nbgrader's file name for the author's rules (InstantiateTests.autotest_filename): an exercise
#: file of that name beside the notebook, as nbgrader reads it from the assignment's directory.
RULES_FILENAME = "autotests.yml"
DEFAULT_KERNEL = "python3"

#: The names each template may use; ``setup`` and ``success`` are inserted as they are.
_TEMPLATE_NAMES: dict[str, frozenset[str]] = {
    "dispatch": frozenset({"snippet"}),
    "normalize": frozenset({"snippet"}),
    "check": frozenset({"snippet", "value", "message"}),
    "hash": frozenset({"snippet", "salt"}),
    "test": frozenset({"snippet"}),
    "fail": frozenset({"snippet"}),
}
_VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_JINJA_OPEN = re.compile(r"\{\{|\{%|\{#")


# --- the lines --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Directive:
    """One AUTOTEST line of a cell: where it is, whether hashed, what it tests."""

    line: int  # 1-based, as an editor numbers the cell's lines
    hashed: bool
    expressions: tuple[str, ...]
    text: str


def is_directive(line: str) -> bool:
    """nbgrader's rule: a comment line holding the word AUTOTEST anywhere."""
    return AUTOTEST in line and line.strip().startswith(COMMENT)


def _expressions(line: str) -> list[str]:
    """nbgrader's split: after AUTOTEST, trailing semicolons dropped, then split on ';'.

    nbgrader drops one empty expression; any other empty one is left for the caller to refuse.
    """
    rest = line[line.find(AUTOTEST) + len(AUTOTEST) :]
    expressions = [part.strip() for part in rest.strip(";").split(";")]
    if "" in expressions:
        expressions.remove("")
    return expressions


def directives(text: str) -> list[Directive]:
    """The AUTOTEST lines of one code cell's text, in order."""
    found = []
    for number, line in enumerate(text.split("\n"), start=1):
        if is_directive(line):
            hashed = HASHED in line[: line.find(AUTOTEST)]
            found.append(Directive(number, hashed, tuple(_expressions(line)), line.strip()))
    return found


def autotest_cells(source: ExerciseSource) -> list[SourceCell]:
    """The code cells that hold at least one AUTOTEST line (nbgrader sources only: Otter has none)."""
    if source.origin != "nbgrader":
        return []
    return [c for c in source.cells if c.cell_type == "code" and directives(c.source)]


def has_autotests(source: ExerciseSource) -> bool:
    return bool(autotest_cells(source))


# --- the rules -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateTest:
    """One generated check: the test expression's template and its failure message's."""

    test: str
    fail: str


@dataclass(frozen=True)
class AutotestRules:
    """One kernel's section of autotests.yml."""

    dispatch: str
    normalize: str
    check: str
    templates: Mapping[str, tuple[TemplateTest, ...]]
    setup: str | None = None
    hash: str | None = None
    success: str | None = None


class RulesInvalid(ValueError):
    """The author's autotests.yml cannot be used; ``message`` and ``fix`` say why and what to do."""

    def __init__(self, message: str, fix: str) -> None:
        self.message = message
        self.fix = fix
        super().__init__(f"{message} Fix: {fix}")


def _tests(*pairs: tuple[str, str]) -> tuple[TemplateTest, ...]:
    return tuple(TemplateTest(test, fail) for test, fail in pairs)


_TYPE_CHECK = "type({{snippet}})"
_VALUE = ("{{snippet}}", "value of {{snippet}} is not correct")
_LENGTH = ("len({{snippet}})", "length of {{snippet}} is not correct")
_SEQUENCE = (
    _LENGTH,
    ("sorted(map(str, {{snippet}}))", "values of {{snippet}} are not correct"),
    ("{{snippet}}", "order of elements of {{snippet}} is not correct"),
)

#: nbgrader 0.9's default rules for Python kernels: the autotests.yml that ships with nbgrader's
#: user guide and that ``nbgrader quickstart --autotest`` puts in a new course.
DEFAULT_RULES = AutotestRules(
    setup="from hashlib import sha1",
    hash='sha1({{snippet}}.encode("utf-8")+b"{{salt}}").hexdigest()',
    dispatch="type({{snippet}})",
    normalize="str({{snippet}})",
    check='assert {{snippet}} == """{{value}}""", """{{message}}"""',
    success="print('Success!')",
    templates={
        "default": _tests((_TYPE_CHECK, "type of {{snippet}} is not correct"), _VALUE),
        "int": _tests(
            (
                _TYPE_CHECK,
                "type of {{snippet}} is not int. Please make sure it is int and not np.int64, "
                "etc. You can cast your value into an int using int()",
            ),
            _VALUE,
        ),
        "float": _tests(
            (
                _TYPE_CHECK,
                "type of {{snippet}} is not float. Please make sure it is float and not "
                "np.float64, etc. You can cast your value into a float using float()",
            ),
            (
                "round({{snippet}}, 2)",
                "value of {{snippet}} is not correct (rounded to 2 decimal places)",
            ),
        ),
        "set": _tests(
            (_TYPE_CHECK, "type of {{snippet}} is not set. {{snippet}} should be a set"),
            _LENGTH,
            _VALUE,
        ),
        "list": _tests(
            (_TYPE_CHECK, "type of {{snippet}} is not list. {{snippet}} should be a list"),
            *_SEQUENCE,
        ),
        "tuple": _tests(
            (_TYPE_CHECK, "type of {{snippet}} is not tuple. {{snippet}} should be a tuple"),
            *_SEQUENCE,
        ),
        "str": _tests(
            (_TYPE_CHECK, "type of {{snippet}} is not str. {{snippet}} should be an str"),
            _LENGTH,
            ("{{snippet}}.lower()", "value of {{snippet}} is not correct"),
            (
                "{{snippet}}",
                "correct string value of {{snippet}} but incorrect case of letters",
            ),
        ),
        "dict": _tests(
            (_TYPE_CHECK, "type of {{snippet}} is not dict. {{snippet}} should be a dict"),
            ("len(list({{snippet}}.keys()))", "number of keys of {{snippet}} is not correct"),
            ("sorted(map(str, {{snippet}}.keys()))", "keys of {{snippet}} are not correct"),
            (
                "sorted(map(str, {{snippet}}.values()))",
                "correct keys, but values of {{snippet}} are not correct",
            ),
            (
                "{{snippet}}",
                "correct keys and values, but incorrect correspondence in keys and values of "
                "{{snippet}}",
            ),
        ),
        "bool": _tests(
            (_TYPE_CHECK, "type of {{snippet}} is not bool. {{snippet}} should be a bool"),
            ("{{snippet}}", "boolean value of {{snippet}} is not correct"),
        ),
        "type": _tests(("{{snippet}}", "type of {{snippet}} is not correct")),
        "pandas.core.frame.DataFrame": _tests(
            (
                _TYPE_CHECK,
                "type of {{snippet}} is not pandas.core.frame.DataFrame. {{snippet}} should be a "
                "DataFrame",
            ),
            (
                "{{snippet}}.reindex(sorted({{snippet}}.columns), axis=1)",
                "some or all elements of {{snippet}} are not correct",
            ),
        ),
    },
)


def notebook_kernel(nb: Mapping[str, Any]) -> str:
    """The kernel name nbgrader looks the rules up by (the notebook's kernelspec name)."""
    metadata = nb.get("metadata") or {}
    kernelspec = metadata.get("kernelspec") if isinstance(metadata, Mapping) else None
    name = kernelspec.get("name") if isinstance(kernelspec, Mapping) else None
    return name if isinstance(name, str) and name else DEFAULT_KERNEL


def _template_problem(where: str, template: str, names: frozenset[str]) -> str | None:
    """Why ``template`` cannot be rendered here, or None: only ``{{ name }}`` of ``names``."""
    for match in _JINJA_OPEN.finditer(template):
        variable = _VARIABLE.match(template, match.start())
        if variable is None:
            return (
                f"{where} uses Jinja syntax other than {{{{ name }}}} "
                f"(at {template[match.start() : match.start() + 20]!r})"
            )
        if variable.group(1) not in names:
            return f"{where} uses {{{{ {variable.group(1)} }}}}, but it can only use " + ", ".join(
                f"{{{{ {n} }}}}" for n in sorted(names)
            )
    return None


def _text(section: Mapping[str, Any], key: str, kernel: str, *, required: bool) -> str | None:
    value = section.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        what = "is missing" if value is None else "is not text"
        raise RulesInvalid(
            gettext_noop("%(RULES_FILENAME)s: '%(kernel)s.%(key)s' %(what)s.")
            % {"RULES_FILENAME": RULES_FILENAME, "kernel": kernel, "key": key, "what": what},
            gettext_noop(
                "give '%(key)s' a code template, as in nbgrader's default %(RULES_FILENAME)s."
            )
            % {"key": key, "RULES_FILENAME": RULES_FILENAME},
        )
    names = _TEMPLATE_NAMES.get(key)
    problem = _template_problem(f"'{kernel}.{key}'", value, names) if names else None
    if problem:
        raise RulesInvalid(
            gettext_noop("%(RULES_FILENAME)s: %(problem)s.")
            % {"RULES_FILENAME": RULES_FILENAME, "problem": problem},
            gettext_noop("write the template with {{ snippet }} and the like."),
        )
    return value


def _type_tests(kernel: str, type_name: str, entries: Any) -> tuple[TemplateTest, ...]:
    where = f"'{kernel}.templates.{type_name}'"
    if not isinstance(entries, list) or not entries:
        raise RulesInvalid(
            gettext_noop("%(RULES_FILENAME)s: %(where)s is not a list of tests.")
            % {"RULES_FILENAME": RULES_FILENAME, "where": where},
            gettext_noop("list one or more items, each with a 'test' and a 'fail' template."),
        )
    tests = []
    for entry in entries:
        if not (
            isinstance(entry, Mapping)
            and isinstance(entry.get("test"), str)
            and isinstance(entry.get("fail"), str)
        ):
            raise RulesInvalid(
                gettext_noop(
                    "%(RULES_FILENAME)s: an item of %(where)s lacks a 'test' or a 'fail' template."
                )
                % {"RULES_FILENAME": RULES_FILENAME, "where": where},
                gettext_noop(
                    "give every item a 'test' (the expression to check) and a 'fail' (the message)."
                ),
            )
        for key in ("test", "fail"):
            problem = _template_problem(f"{where} {key}", entry[key], _TEMPLATE_NAMES[key])
            if problem:
                raise RulesInvalid(
                    gettext_noop("%(RULES_FILENAME)s: %(problem)s.")
                    % {"RULES_FILENAME": RULES_FILENAME, "problem": problem},
                    gettext_noop("write the template with {{ snippet }}."),
                )
        tests.append(TemplateTest(entry["test"], entry["fail"]))
    return tuple(tests)


def _section(text: str, kernel: str) -> Mapping[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise RulesInvalid(
            gettext_noop("%(RULES_FILENAME)s is not valid YAML%(where)s: %(value)s.")
            % {
                "RULES_FILENAME": RULES_FILENAME,
                "where": where,
                "value": getattr(exc, "problem", None) or exc,
            },
            gettext_noop("correct the YAML; nbgrader's default autotests.yml shows the layout."),
        ) from exc
    if not isinstance(data, Mapping):
        raise RulesInvalid(
            gettext_noop("%(RULES_FILENAME)s does not hold a mapping of kernel names to rules.")
            % {"RULES_FILENAME": RULES_FILENAME},
            gettext_noop("start it with '%(kernel)s:' and indent the rules under it.")
            % {"kernel": kernel},
        )
    section = data.get(kernel)
    if not isinstance(section, Mapping):
        raise RulesInvalid(
            gettext_noop("%(RULES_FILENAME)s has no rules for the notebook's kernel '%(kernel)s'.")
            % {"RULES_FILENAME": RULES_FILENAME, "kernel": kernel},
            gettext_noop(
                "add a '%(kernel)s:' section (nbgrader looks the rules up by the kernel's name)."
            )
            % {"kernel": kernel},
        )
    return section


def load_rules(text: str | None, *, kernel: str = DEFAULT_KERNEL) -> AutotestRules:
    """The rules for ``kernel`` from an author's autotests.yml, or nbgrader's defaults (None)."""
    if text is None:
        return DEFAULT_RULES
    section = _section(text, kernel)
    templates = section.get("templates")
    if not isinstance(templates, Mapping) or not templates:
        raise RulesInvalid(
            gettext_noop("%(RULES_FILENAME)s: '%(kernel)s.templates' is missing or empty.")
            % {"RULES_FILENAME": RULES_FILENAME, "kernel": kernel},
            gettext_noop(
                "list the tests of each type under 'templates', with a 'default' for other types."
            ),
        )
    return AutotestRules(
        dispatch=_text(section, "dispatch", kernel, required=True) or "",
        normalize=_text(section, "normalize", kernel, required=True) or "",
        check=_text(section, "check", kernel, required=True) or "",
        setup=_text(section, "setup", kernel, required=False),
        hash=_text(section, "hash", kernel, required=False),
        success=_text(section, "success", kernel, required=False),
        templates={
            str(name): _type_tests(kernel, str(name), entries)
            for name, entries in templates.items()
        },
    )


# --- static checks -------------------------------------------------------------------------------


def _directive_problem(directive: Directive) -> tuple[str, str] | None:
    shown = directive.text if len(directive.text) <= 80 else directive.text[:79] + "…"
    if not directive.expressions:
        return (
            f"its line {directive.line}, {shown!r}, names nothing to test.",
            "write the expressions to test after AUTOTEST, separated by semicolons, "
            "e.g. '### AUTOTEST rice_score(2000, 2, 0.8, 4)'.",
        )
    for expression in directive.expressions:
        if not expression:
            return (
                f"its line {directive.line}, {shown!r}, has an empty expression between semicolons.",
                "remove the extra semicolon.",
            )
        try:
            ast.parse(expression, mode="eval")
        except SyntaxError as exc:
            return (
                f"its line {directive.line} asks AUTOTEST to test {expression!r}, which is not a "
                f"Python expression ({exc.msg}).",
                "write one Python expression per test, separated by semicolons.",
            )
    return None


def autotest_problems(cells: Iterable[SourceCell]) -> list[Problem]:
    """Every AUTOTEST line nbgrader would refuse whatever the rules: misplaced or malformed.

    Static: the expressions are parsed, never run. What depends on the author's rules or on
    running (an expression that fails, a type without templates, HASHED without a 'hash'
    template) is reported when the exercise is validated.
    """
    problems: list[Problem] = []
    for cell in cells:
        found = directives(cell.source) if cell.cell_type == "code" else []
        if found and cell.kind is not CellKind.TEST:
            problems.append(
                Problem(
                    cell.index,
                    cell.grade_id,
                    gettext_noop(
                        "its line %(line)s is an AUTOTEST line, but only 'Autograder tests' cells can hold them (nbgrader refuses them elsewhere)."
                    )
                    % {"line": found[0].line},
                    gettext_noop(
                        "move the AUTOTEST line into an 'Autograder tests' cell, or make this cell one."
                    ),
                )
            )
            continue
        for directive in found:
            problem = _directive_problem(directive)
            if problem:
                problems.append(Problem(cell.index, cell.grade_id, *problem))
    return problems


# --- instantiating -------------------------------------------------------------------------------


def render(template: str, **values: object) -> str:
    """Jinja's rendering of ``{{ name }}``: the value's text (None is "None"), undefined names empty.

    As Jinja does, newlines in the template become "\\n" and one trailing newline is dropped.
    """
    text = template.replace("\r\n", "\n").replace("\r", "\n")
    if text.endswith("\n"):
        text = text[:-1]
    return _VARIABLE.sub(lambda m: str(values.get(m.group(1), "")), text)


def sanitize(text_plain: str | None) -> str | None:
    """nbgrader's Python sanitizer: the repr's quotes stripped from a kernel's text/plain result."""
    return None if text_plain is None else text_plain.strip('"').strip("'")


def cell_salt_seed(text: str, index: int) -> int:
    """nbgrader's salt seed: the cell's source and position, so releases are reproducible."""
    return int(hashlib.sha256((text + str(index)).encode("utf-8")).hexdigest(), 16) % 10**6


class SnippetFailed(Exception):
    """Code run for an AUTOTEST raised in the kernel (raised by the kernel's ``run`` callable)."""

    def __init__(self, ename: str, evalue: str) -> None:
        self.ename = ename
        self.evalue = evalue
        super().__init__(f"{ename}: {evalue}")


class AutotestFailed(Exception):
    """Instantiating one cell's AUTOTEST lines failed; ``message`` and ``fix`` are the author's."""

    def __init__(self, message: str, fix: str) -> None:
        self.message = message
        self.fix = fix
        super().__init__(f"{message} Fix: {fix}")


#: Runs code in the kernel that ran the source so far; returns its last result's text/plain
#: (None when it has none) and raises SnippetFailed when the code raises.
Run = Callable[[str], str | None]

_RUN_FIX = (
    "make the source notebook run from top to bottom without errors: AUTOTEST computes the "
    "expected values by running it, solutions included."
)


def _run(run: Run, code: str, what: str) -> str | None:
    try:
        return sanitize(run(code))
    except SnippetFailed as exc:
        detail = f"{exc.ename}: {exc.evalue}".strip().rstrip(":")
        end = "" if detail.endswith((".", "!", "?")) else "."
        raise AutotestFailed(f"{what} raised {detail}{end}", _RUN_FIX) from exc


def _instantiate(
    expression: str, directive: Directive, salt: str | None, rules: AutotestRules, run: Run
) -> list[str]:
    """The check lines for one expression, with values from the kernel (nbgrader's _instantiate_tests)."""
    where = f"AUTOTEST {expression!r} on line {directive.line}"
    kind = _run(run, render(rules.dispatch, snippet=expression), where)
    tests = rules.templates.get(kind or "") or rules.templates.get("default")
    if tests is None:
        raise AutotestFailed(
            f"{where} has type {kind!r}, and {RULES_FILENAME} has no templates for it and no "
            "'default' ones.",
            f"add templates for {kind!r}, or 'default' ones, to {RULES_FILENAME}; or test a "
            "plainer value (e.g. an attribute of the object).",
        )
    lines = []
    for test in tests:
        message = render(test.fail, snippet=expression).replace('"', '\\"')
        template = render(rules.normalize, snippet=test.test)
        if salt is not None:
            template = render(rules.hash or "", snippet=template, salt=salt)
        code = render(template, snippet=expression)
        value = _run(run, code, f"{where} (its test {code!r})")
        lines.append(render(rules.check, snippet=code, value=value, message=message))
    return lines


def expand_cell(text: str, *, index: int, is_test: bool, rules: AutotestRules, run: Run) -> str:
    """One code cell as nbgrader's InstantiateTests leaves it, running its code through ``run``.

    Every line that is not an AUTOTEST line runs (in chunks, up to each AUTOTEST line) and stays;
    each AUTOTEST line becomes the rules' setup (once per cell) and one block of checks per
    expression, followed by an empty line; a test cell with AUTOTEST ends with the success code.
    A cell without AUTOTEST lines runs whole and comes back unchanged.
    """
    if not text:
        return text
    salt_seed = cell_salt_seed(text, index)
    new_lines: list[str] = []
    pending: list[str] = []
    setup_done = False
    for number, line in enumerate(text.split("\n"), start=1):
        if not is_directive(line):
            new_lines.append(line)
            pending.append(line)
            continue
        _run(run, "\n".join(pending), f"the code above line {number}")
        pending = []
        if rules.setup is not None and not setup_done:
            new_lines.append(rules.setup)
            setup_done = True
            _run(run, rules.setup, f"{RULES_FILENAME}'s setup code")
        directive = Directive(
            number, HASHED in line[: line.find(AUTOTEST)], tuple(_expressions(line)), line.strip()
        )
        if directive.hashed and rules.hash is None:
            raise AutotestFailed(
                f"line {number} is a HASHED AUTOTEST, but {RULES_FILENAME} has no 'hash' template.",
                f"add a 'hash' template to {RULES_FILENAME}, or use '### AUTOTEST'.",
            )
        for expression in directive.expressions:
            salt = None
            if directive.hashed:
                salt_seed += 1
                salt = hex(salt_seed)[2:]
            new_lines.extend(_instantiate(expression, directive, salt, rules, run))
            new_lines.append("")
    if is_test and AUTOTEST in text and rules.success is not None:
        new_lines.append(rules.success)
        pending.append(rules.success)
    if pending:
        _run(run, "\n".join(pending), "the cell's code")
    return "\n".join(new_lines)


def apply_autotests(source: ExerciseSource, expanded: Mapping[int, str]) -> ExerciseSource:
    """``source`` with the instantiated text of its AUTOTEST cells (by 0-based cell index)."""
    if not expanded:
        return source
    cells = tuple(
        replace(cell, source=expanded[cell.index]) if cell.index in expanded else cell
        for cell in source.cells
    )
    return replace(source, cells=cells)
