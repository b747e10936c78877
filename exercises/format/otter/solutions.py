"""What Otter Assign removes from a cell's text for the student notebook, with Otter's own rules.

From ``otter.assign.solutions``: a line ending in ``# SOLUTION`` becomes ``...`` (only the right-hand
side of an assignment); ``# SOLUTION NO PROMPT``, ``# SEED`` and the ``# BEGIN PROMPT`` / ``# END
PROMPT`` delimiters are dropped (the prompt between them stays); a ``# BEGIN SOLUTION`` block becomes
one ``...`` (nothing with ``NO PROMPT``). ``# IGNORE`` lines and ``# BEGIN IGNORE`` blocks are in
neither notebook. The seed variable's assignments get the student's value.
"""

from __future__ import annotations

import re

BLOCK_PROMPT = "..."

#: Otter's ``solution_assignment_regex``, used only to check ``_assignment_prefix`` in tests: its
#: nested quantifiers backtrack exponentially on lines like ``x[a][a]...[a]`` or ``a[b], a[b], ...``.
OTTER_ASSIGNMENT = re.compile(
    r"(\s*(?:[\w.]+(?=[^\w.])(?:\[['\"]?.*['\"]?\])*(?:,\s*)?)+\s*=).* ?# ?SOLUTION"
)
_MARK = re.compile(r"# ?SOLUTION")
_SOLUTION_LINE = re.compile(r"(\s*).* ?# ?SOLUTION")
#: Longer lines marked ``# SOLUTION`` become a whole ``...`` rather than be read as assignments.
MAX_ASSIGNMENT_LINE = 500
_BEGIN_SOLUTION = re.compile(r"(\s*)# BEGIN SOLUTION( NO PROMPT)?")
_SKIP_SUFFIXES = ("# SOLUTION NO PROMPT", "# BEGIN PROMPT", "# END PROMPT", "# SEED")
_BEGIN_IGNORE = re.compile(r"\s*#\s*BEGIN\s*IGNORE\s*", re.IGNORECASE)
SEED_SUFFIX = "# SEED"


class OtterMarkerError(ValueError):
    """Unbalanced or nested solution or ignore markers; the message says which, in Otter's terms."""


def replace_solutions(lines: list[str]) -> list[str]:
    """The student's version of solution code (``otter.assign.solutions.replace_solutions``)."""
    stripped: list[str] = []
    inside = False
    for line in lines:
        end = line.rstrip()
        if end.endswith(_SKIP_SUFFIXES):
            continue
        if end.endswith("# END SOLUTION"):
            if not inside:
                raise OtterMarkerError("'# END SOLUTION' has no '# BEGIN SOLUTION' before it")
            inside = False
            continue
        if inside:
            continue
        if begin := _BEGIN_SOLUTION.match(line):
            inside = True
            if begin.group(2):
                continue
            line = begin.group(1) + BLOCK_PROMPT
        elif (prefix := assignment_prefix(line)) is not None:
            line = prefix + " ..."
        elif match := _SOLUTION_LINE.match(line):
            line = match.group(1) + "..."
        stripped.append(line)
    if inside:
        raise OtterMarkerError("'# BEGIN SOLUTION' is never closed by '# END SOLUTION'")
    return stripped


def _is_word(char: str) -> bool:
    return char.isalnum() or char in "_."


class _Targets:
    """Otter's assignment regex as dynamic programming: ``end_of(i)`` is where its ``... =`` ends
    when the assignment targets start at ``i`` (None: no match), found in the regex's own priority
    order: the longest subscript first, another target before the ``=``.

    The regex's subscript ``\\[['"]?.*['"]?\\]`` repeated is any text from ``[`` to a later ``]``.
    """

    def __init__(self, line: str, last_mark: int) -> None:
        self.line, self.size, self.last_mark = line, len(line), last_mark
        self.closes = [i for i, char in enumerate(line) if char == "]"]
        self.word_end = list(range(self.size + 1))
        for i in range(self.size - 1, -1, -1):
            if _is_word(line[i]):
                self.word_end[i] = self.word_end[i + 1]
        self.ends: dict[int, int | None] = {}
        for start in range(self.size - 1, -1, -1):
            if _is_word(line[start]) and not (start and _is_word(line[start - 1])):
                self.ends[start] = self._end(start)

    def _space(self, i: int) -> int:
        while i < self.size and self.line[i].isspace():
            i += 1
        return i

    def _equals(self, i: int) -> int | None:
        end = self._space(i)
        at_equals = end < self.size and self.line[end] == "="
        return end + 1 if at_equals and self.last_mark >= end + 1 else None

    def _end(self, start: int) -> int | None:
        end = self.word_end[start]
        if end == self.size:
            return None
        subscripts = (
            [c + 1 for c in reversed(self.closes) if c > end] if self.line[end] == "[" else []
        )
        for after in [*subscripts, end]:
            commas = [self._space(after + 1)] if self.line[after : after + 1] == "," else []
            for following in [*commas, after]:
                found = self.ends.get(following)
                if found is None:
                    found = self._equals(following)
                if found is not None:
                    return found
        return None


def assignment_prefix(line: str) -> str | None:
    """Group 1 of Otter's assignment regex on ``line`` (``x[i], y =``), or None when it does not match."""
    marks = [m.start() for m in _MARK.finditer(line)]
    if not marks or len(line) > MAX_ASSIGNMENT_LINE:
        return None
    start = len(line) - len(line.lstrip())
    end = _Targets(line, marks[-1]).ends.get(start)
    return line[:end] if end is not None else None


def remove_ignored_lines(lines: list[str]) -> list[str]:
    """The text without ``# IGNORE`` lines and ``# BEGIN IGNORE`` ... ``# END IGNORE`` blocks."""
    kept: list[str] = []
    inside = False
    for line in lines:
        end = line.rstrip()
        if end.endswith("# IGNORE"):
            continue
        if end.endswith("# END IGNORE"):
            if not inside:
                raise OtterMarkerError("'# END IGNORE' has no '# BEGIN IGNORE' before it")
            inside = False
            continue
        if inside:
            continue
        if _BEGIN_IGNORE.match(line):
            inside = True
            continue
        kept.append(line)
    if inside:
        raise OtterMarkerError("'# BEGIN IGNORE' is never closed by '# END IGNORE'")
    return kept


def overwrite_seed_variable(text: str, variable: str, value: object) -> str:
    """Every assignment to the seed variable set to ``value`` (``overwrite_seed_vars``)."""
    pattern = re.compile(rf"(\s*){re.escape(variable)}\s*(=|<-)\s*")
    lines = re.split("\r?\n", text)
    for number, line in enumerate(lines):
        if match := pattern.match(line):
            lines[number] = f"{match.group(1)}{variable} {match.group(2)} {value}"
    return "\n".join(lines)


def seed_prelude(text: str) -> str:
    """The unindented ``# SEED`` lines of a solution, and the imports before them, to run first.

    The student notebook has no ``# SEED`` lines; running them at the top of the learner's answer
    gives the learner's code the random state the master's solution had when its tests' outputs
    were recorded (Otter seeds every cell with the autograder seed for the same reason).
    """
    lines = re.split("\r?\n", text)
    seeds = [n for n, line in enumerate(lines) if line.rstrip().endswith(SEED_SUFFIX)]
    seeds = [n for n in seeds if not lines[n][:1].isspace()]
    if not seeds:
        return ""
    imports = [
        n
        for n, line in enumerate(lines[: seeds[-1]])
        if re.match(r"(import|from)\s+\w", line) and not line.rstrip().endswith(SEED_SUFFIX)
    ]
    return "\n".join(lines[n] for n in sorted({*imports, *seeds}))


def mark_solutions(text: str) -> str:
    """``text`` with what ``replace_solutions`` removes put between nbgrader's solution markers.

    The code runs as the author wrote it (the markers are dropped before running), and the release
    guard knows which lines are the solution. Prompt delimiters stay as they are: the student
    notebook drops them, but they hide nothing.
    """
    out: list[str] = []
    inside = False
    for line in text.split("\n"):
        end = line.rstrip()
        indent = line[: len(line) - len(line.lstrip())]
        if inside and end.endswith("# END SOLUTION"):
            code = end[: -len("# END SOLUTION")].rstrip()
            out.extend([code] if code.strip() else [])
            out.append(f"{indent}### END SOLUTION")
            inside = False
        elif inside or end.endswith(("# BEGIN PROMPT", "# END PROMPT")):
            out.append(line)
        elif _BEGIN_SOLUTION.match(line):
            inside = True
            out.append(f"{indent}### BEGIN SOLUTION")
        elif end.endswith(_SKIP_SUFFIXES) or _SOLUTION_LINE.match(line):
            out.extend([f"{indent}### BEGIN SOLUTION", line, f"{indent}### END SOLUTION"])
        else:
            out.append(line)
    return "\n".join(out)


def empty_region(cell_type: str) -> str:
    """An empty solution region: the cell hides nothing (Otter releases it as written)."""
    if cell_type == "code":
        return "### BEGIN SOLUTION\n### END SOLUTION"
    return "<!-- BEGIN SOLUTION -->\n<!-- END SOLUTION -->"


def hidden_region(text: str, cell_type: str) -> str:
    """``text`` as a solution region: all of it is hidden."""
    if cell_type == "code":
        return f"### BEGIN SOLUTION\n{text}\n### END SOLUTION"
    return f"<!-- BEGIN SOLUTION -->\n{text}\n<!-- END SOLUTION -->"
