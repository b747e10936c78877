"""Small Otter-Grader v1 master notebooks built in code, each test writing only what it tries.

``question(...)`` lays out one question as Otter Assign expects it: the raw ``# BEGIN QUESTION``
cell with its YAML, the question text, then optional prompt, solution and test blocks, each between
its raw boundary cells. ``master(...)`` wraps cells in a Python 3 notebook.
"""

from __future__ import annotations

import nbformat
from nbformat.notebooknode import NotebookNode


def raw(text: str) -> NotebookNode:
    return nbformat.v4.new_raw_cell(text)


def md(text: str, **metadata) -> NotebookNode:
    return nbformat.v4.new_markdown_cell(text, metadata=metadata)


def code(
    text: str, shows: str | None = None, prints: str | None = None, **metadata
) -> NotebookNode:
    """A code cell with the outputs the author's run recorded: ``prints`` on stdout, ``shows`` as its value."""
    outputs = []
    if prints is not None:
        outputs.append(nbformat.v4.new_output("stream", name="stdout", text=prints))
    if shows is not None:
        outputs.append(
            nbformat.v4.new_output("execute_result", data={"text/plain": shows}, execution_count=1)
        )
    return nbformat.v4.new_code_cell(text, outputs=outputs, metadata=metadata)


def fenced(text: str) -> NotebookNode:
    """Otter's alternative to a raw cell: a markdown cell holding a ```otter block."""
    return md(f"```otter\n{text}\n```")


def block(name: str, cells: list[NotebookNode]) -> list[NotebookNode]:
    return [raw(f"# BEGIN {name}"), *cells, raw(f"# END {name}")] if cells else []


def question(
    config: str,
    *,
    text: str = "",
    prompt: list[NotebookNode] | None = None,
    solution: list[NotebookNode] | None = None,
    tests: list[NotebookNode] | None = None,
) -> list[NotebookNode]:
    cells = [raw(f"# BEGIN QUESTION\n{config}")]
    if text:
        cells.append(md(text))
    cells += block("PROMPT", prompt or [])
    cells += block("SOLUTION", solution or [])
    cells += block("TESTS", tests or [])
    return [*cells, raw("# END QUESTION")]


def master(*parts: NotebookNode | list[NotebookNode], config: str | None = None) -> NotebookNode:
    """A Python 3 master notebook of ``parts`` (cells, or lists of cells), after an optional config cell."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    if config is not None:
        nb.cells.append(raw(f"# ASSIGNMENT CONFIG\n{config}"))
    for part in parts:
        nb.cells.extend(part if isinstance(part, list) else [part])
    nbformat.validate(nb)
    return nb


def square_question(config: str = "name: q1\npoints: 2", **extra) -> list[NotebookNode]:
    """A question with one solution cell and one public and one hidden test."""
    return question(
        config,
        text="**Question 1.** Define `square`.",
        solution=[code("def square(x):\n    return x * x  # SOLUTION")],
        tests=[code("square(3)", shows="9"), code("# HIDDEN\nsquare(-4)", shows="16")],
        **extra,
    )
