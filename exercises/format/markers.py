"""The text markers inside cells: nbgrader's solution, hidden-test and mark-scheme regions.

A line is a marker when it *contains* the delimiter, as in nbgrader 0.9's ClearSolutions,
ClearHiddenTests and ClearMarkScheme (``"BEGIN SOLUTION" in line``): ``### BEGIN SOLUTION``,
``# BEGIN SOLUTION``, ``<!-- BEGIN SOLUTION -->`` and ``=== BEGIN MARK SCHEME ===`` all count, and
the whole line goes. Matching nbgrader exactly matters: a line nbgrader treats as a marker but we did
not would release what it hides.
"""

from __future__ import annotations

from exercises.format.texts import gettext_noop

BEGIN_SOLUTION = "BEGIN SOLUTION"
END_SOLUTION = "END SOLUTION"
BEGIN_HIDDEN = "BEGIN HIDDEN TESTS"
END_HIDDEN = "END HIDDEN TESTS"
BEGIN_MARK_SCHEME = "BEGIN MARK SCHEME"
END_MARK_SCHEME = "END MARK SCHEME"

#: Every delimiter, begin words first (nbgrader checks a line for its begin word before its end word).
DELIMITERS = (
    BEGIN_SOLUTION,
    BEGIN_HIDDEN,
    BEGIN_MARK_SCHEME,
    END_SOLUTION,
    END_HIDDEN,
    END_MARK_SCHEME,
)

#: nbgrader's default stubs (ClearSolutions.code_stub / text_stub).
CODE_STUB = "# YOUR CODE HERE\nraise NotImplementedError()"
TEXT_STUB = "YOUR ANSWER HERE"


def _marker(line: str) -> str:
    """The delimiter ``line`` carries ("" for none), the first in DELIMITERS order."""
    for word in DELIMITERS:
        if word in line:
            return word
    return ""


class MarkerError(ValueError):
    """Unbalanced or nested markers; the message names the marker and the line."""


def _regions(source: str, begin: str, end: str) -> list[tuple[int, int]]:
    """(begin_line, end_line) pairs, 0-based and inclusive, of every begin/end region."""
    regions: list[tuple[int, int]] = []
    start: int | None = None
    for number, line in enumerate(source.splitlines()):
        if begin in line:
            if start is not None:
                raise MarkerError(
                    gettext_noop(
                        "'### %(begin)s' on line %(value)s opens a region that is already open"
                    )
                    % {"begin": begin, "value": number + 1}
                )
            start = number
        elif end in line:
            if start is None:
                raise MarkerError(
                    gettext_noop("'### %(end)s' on line %(value)s has no '### %(begin)s' before it")
                    % {"end": end, "value": number + 1, "begin": begin}
                )
            regions.append((start, number))
            start = None
    if start is not None:
        raise MarkerError(
            gettext_noop("'### %(begin)s' on line %(value)s is never closed by '### %(end)s'")
            % {"begin": begin, "value": start + 1, "end": end}
        )
    return regions


def solution_regions(source: str) -> list[tuple[int, int]]:
    return _regions(source, BEGIN_SOLUTION, END_SOLUTION)


def hidden_regions(source: str) -> list[tuple[int, int]]:
    return _regions(source, BEGIN_HIDDEN, END_HIDDEN)


def mark_scheme_regions(source: str) -> list[tuple[int, int]]:
    return _regions(source, BEGIN_MARK_SCHEME, END_MARK_SCHEME)


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


def _drop(source: str, regions: list[tuple[int, int]]) -> str:
    if not regions:
        return source
    dropped = {n for begin, end in regions for n in range(begin, end + 1)}
    return "\n".join(line for n, line in enumerate(source.splitlines()) if n not in dropped)


def strip_hidden(source: str) -> str:
    """nbgrader's ClearHiddenTests: hidden-test regions removed, markers included."""
    return _drop(source, hidden_regions(source))


def strip_mark_scheme(source: str) -> str:
    """nbgrader's ClearMarkScheme: mark-scheme regions removed, markers included."""
    return _drop(source, mark_scheme_regions(source))


def unmark(source: str) -> str:
    """The code that runs: marker lines removed, the regions' content kept."""
    return "\n".join(line for line in source.splitlines() if not _marker(line))


def region_lines(source: str, regions: list[tuple[int, int]]) -> list[str]:
    """The lines strictly inside ``regions`` (markers excluded)."""
    lines = source.splitlines()
    return [lines[n] for begin, end in regions for n in range(begin + 1, end)]


def hidden_text(source: str) -> list[str]:
    """The lines inside hidden-test regions, for scrubbing learner-facing messages."""
    return region_lines(source, hidden_regions(source))
