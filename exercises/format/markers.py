"""The text markers inside cells: nbgrader's solution and hidden-test regions."""

from __future__ import annotations

import re

BEGIN_SOLUTION = "BEGIN SOLUTION"
END_SOLUTION = "END SOLUTION"
BEGIN_HIDDEN = "BEGIN HIDDEN TESTS"
END_HIDDEN = "END HIDDEN TESTS"

#: nbgrader's default stubs (ClearSolutions.code_stub / text_stub).
CODE_STUB = "# YOUR CODE HERE\nraise NotImplementedError()"
TEXT_STUB = "YOUR ANSWER HERE"

_MARKER = re.compile(r"^\s*(?:#+|<!--)?\s*(?P<word>[A-Z ]+?)\s*(?:-->)?\s*$")


def _marker(line: str) -> str:
    match = _MARKER.match(line)
    return match.group("word") if match else ""


class MarkerError(ValueError):
    """Unbalanced or nested markers; the message names the marker and the line."""


def _regions(source: str, begin: str, end: str) -> list[tuple[int, int]]:
    """(begin_line, end_line) pairs, 0-based and inclusive, of every begin/end region."""
    regions: list[tuple[int, int]] = []
    start: int | None = None
    for number, line in enumerate(source.splitlines()):
        word = _marker(line)
        if word == begin:
            if start is not None:
                raise MarkerError(
                    f"'### {begin}' on line {number + 1} opens a region that is already open"
                )
            start = number
        elif word == end:
            if start is None:
                raise MarkerError(
                    f"'### {end}' on line {number + 1} has no '### {begin}' before it"
                )
            regions.append((start, number))
            start = None
    if start is not None:
        raise MarkerError(f"'### {begin}' on line {start + 1} is never closed by '### {end}'")
    return regions


def solution_regions(source: str) -> list[tuple[int, int]]:
    return _regions(source, BEGIN_SOLUTION, END_SOLUTION)


def hidden_regions(source: str) -> list[tuple[int, int]]:
    return _regions(source, BEGIN_HIDDEN, END_HIDDEN)


def strip_solutions(source: str, *, cell_type: str) -> str:
    """nbgrader's ClearSolutions: each region becomes the stub; no region means the whole cell does."""
    stub = CODE_STUB if cell_type == "code" else TEXT_STUB
    regions = solution_regions(source)
    if not regions:
        return stub
    lines = source.splitlines()
    out: list[str] = []
    cursor = 0
    for begin, end in regions:
        out.extend(lines[cursor:begin])
        indent = lines[begin][: len(lines[begin]) - len(lines[begin].lstrip())]
        out.extend(indent + stub_line for stub_line in stub.splitlines())
        cursor = end + 1
    out.extend(lines[cursor:])
    return "\n".join(out)


def strip_hidden(source: str) -> str:
    """Remove hidden-test regions, markers included."""
    regions = hidden_regions(source)
    if not regions:
        return source
    lines = source.splitlines()
    hidden = {n for begin, end in regions for n in range(begin, end + 1)}
    return "\n".join(line for n, line in enumerate(lines) if n not in hidden)


def unmark(source: str) -> str:
    """The code that runs: solution and hidden-test markers removed, their content kept."""
    words = {BEGIN_SOLUTION, END_SOLUTION, BEGIN_HIDDEN, END_HIDDEN}
    return "\n".join(line for line in source.splitlines() if _marker(line) not in words)


def hidden_text(source: str) -> list[str]:
    """The lines inside hidden-test regions, for scrubbing learner-facing messages."""
    lines = source.splitlines()
    return [lines[n] for begin, end in hidden_regions(source) for n in range(begin + 1, end)]
