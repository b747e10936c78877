"""Otter test cells as test code PM Academy runs: the cell fails exactly when Otter's test fails.

Otter's default (OK) format compares what a test cell prints and displays with the output recorded
in the master notebook, as a doctest. That comparison becomes an ``assert`` on the last
expression's ``repr`` (and what the cell prints, when the recorded output has printed text); a cell
with no recorded output must display nothing. Exception-based tests (``tests: ok_format: false``)
define one test function, which is called with the learner's names its parameters name.
"""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass
from typing import Any

import yaml

from exercises.format.texts import gettext_noop

from ..model import parse_points
from .cells import RawCell

_BEGIN_CONFIG = re.compile(r'(?:.\s*=\s*)?""?"?\s*#\s*BEGIN\s*TEST\s*CONFIG', re.IGNORECASE)
_END_CONFIG = re.compile(r'""?"?\s*#\s*END\s*TEST\s*CONFIG', re.IGNORECASE)
_HIDDEN_WORD = re.compile(r"\bhidden\b", re.IGNORECASE)

#: Names the generated code uses; prefixed so they cannot meet an author's or learner's names.
_PRINTED, _VALUE, _STDOUT = "_otter_printed", "_otter_value", "_otter_stdout"


class TestCellError(ValueError):
    """A test cell Otter Assign would refuse; the message says why in the author's terms."""


@dataclass(frozen=True)
class OtterTest:
    """One test case read from a test cell."""

    position: int
    code: str
    hidden: bool
    #: The test config's ``points`` (None when the config gives none); Fraction, or raw if invalid.
    points: Any
    failure_message: str


def read_test(cell: RawCell, question: str, number: int, *, ok_format: bool) -> OtterTest:
    """The test case in ``cell``, the ``number``-th (1-based) of ``question``; raises TestCellError."""
    lines = cell.lines
    try:
        ast.parse(cell.text)
    except SyntaxError as exc:
        raise TestCellError(
            gettext_noop("the test is not valid Python (%(msg)s, line %(lineno)s)")
            % {"msg": exc.msg, "lineno": exc.lineno}
        ) from None
    hidden = lines[0].lstrip().startswith("#") and bool(_HIDDEN_WORD.search(lines[0]))
    start = 0 if hidden else -1
    config: dict[str, Any] = {}
    if _BEGIN_CONFIG.match(lines[0]):
        end = next((i for i, line in enumerate(lines) if _END_CONFIG.match(line)), None)
        if end is None:
            raise TestCellError(
                gettext_noop("its '# BEGIN TEST CONFIG' string has no '# END TEST CONFIG'")
            )
        config = _test_config(lines[1:end])
        start = end
    hidden = bool(config.get("hidden", hidden))
    raw_points = config.get("points")
    parsed = parse_points(raw_points)
    points = parsed if parsed is not None else raw_points
    message = str(config.get("failure_message") or f"{question}: test {number} failed")
    body = "\n".join(lines[start + 1 :])
    code = _ok_code(body, recorded_output(cell), message) if ok_format else _exception_code(body)
    return OtterTest(cell.position, code, hidden, points, message)


def _test_config(lines: list[str]) -> dict[str, Any]:
    try:
        config = yaml.safe_load("\n".join(lines))
    except yaml.YAMLError as exc:
        raise TestCellError(
            gettext_noop("its test config is not valid YAML (%(exc)s)") % {"exc": exc}
        ) from None
    if config is None:
        return {}
    if not isinstance(config, dict):
        raise TestCellError(gettext_noop("its test config is not a YAML mapping of keys to values"))
    return config


def recorded_output(cell: RawCell) -> tuple[str, bool]:
    """What the master's run of the cell printed and displayed, as Otter collects it; and whether it printed."""
    text, printed = "", False
    for output in cell.outputs:
        if not isinstance(output, dict):
            continue
        stream = output.get("text", "")
        stream = "".join(stream) if isinstance(stream, list) else str(stream or "")
        printed = printed or bool(stream)
        text += stream
        plain = (output.get("data") or {}).get("text/plain")
        if isinstance(plain, list) and plain:
            text += str(plain[0])
        elif plain:
            text += str(plain)
    return text, printed


def _ok_code(body: str, output: tuple[str, bool], message: str) -> str:
    """Test code that fails when the doctest Otter would write for ``body`` fails.

    The value shown may be its ``repr`` (what a doctest prints) or its ``str``: outputs recorded
    with numpy 1 show ``True`` where numpy 2's ``repr`` says ``np.True_``.
    """
    expected, printed = output[0].strip(), output[1]
    tree = ast.parse(body)
    if not tree.body:
        return body
    last = tree.body[-1]
    head = _before(body, tree)
    if not isinstance(last, ast.Expr):
        return _capture(body, f"({_PRINTED}.strip(),)", expected, message) if expected else body
    expr = ast.get_source_segment(body, last) or ""
    if not printed and not expected:
        return _join(head, f"assert ({expr}) is None, {message!r}")
    value = _join(head, f"{_VALUE} = ({expr})")
    if not printed:
        shown = f"(repr({_VALUE}).strip(), str({_VALUE}).strip())"
        return _join(value, f"assert {expected!r} in {shown}, {message!r}")
    shown = (
        f"tuple(({_PRINTED} + text).strip() for text in "
        f"(('',) if {_VALUE} is None else (repr({_VALUE}), str({_VALUE}))))"
    )
    return _capture(value, shown, expected, message)


def _join(head: str, line: str) -> str:
    return f"{head}\n{line}" if head.strip() else line


def _before(body: str, tree: ast.Module) -> str:
    """The source of every statement but the last (whole lines when the last starts its own line)."""
    last = tree.body[-1]
    lines = body.splitlines()
    if last.col_offset == 0:
        return "\n".join(lines[: last.lineno - 1])
    return ast.unparse(ast.Module(body=tree.body[:-1], type_ignores=[]))


def _capture(code: str, shown: str, expected: str, message: str) -> str:
    """``code`` run with what it prints captured, then the recorded output looked for in ``shown``."""
    return (
        "import io as _otter_io, sys as _otter_sys\n"
        f"{_STDOUT}, _otter_sys.stdout = _otter_sys.stdout, _otter_io.StringIO()\n"
        f"try:\n{textwrap.indent(code, '    ')}\n"
        f"finally:\n    {_PRINTED}, _otter_sys.stdout = _otter_sys.stdout.getvalue(), {_STDOUT}\n"
        f"assert {expected!r} in {shown}, {message!r}"
    )


def _exception_code(body: str) -> str:
    """The test function, then a call passing each parameter the learner's name of that name."""
    tree = ast.parse(body)
    if not tree.body or len(tree.body) > 2 or not isinstance(tree.body[0], ast.FunctionDef):
        raise TestCellError(
            gettext_noop(
                "an exception-based test cell holds one function definition and at most a call to it"
            )
        )
    function = tree.body[0]
    names = [arg.arg for arg in function.args.args + function.args.kwonlyargs]
    arguments = ", ".join(f"{n}=globals()" if n == "env" else f"{n}={n}" for n in names)
    first = min([function.lineno, *(d.lineno for d in function.decorator_list)])
    definition = "\n".join(body.splitlines()[first - 1 : function.end_lineno])
    return f"{definition}\n{function.name}({arguments})"
