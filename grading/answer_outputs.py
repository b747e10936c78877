"""The learner's own answer-cell outputs, made safe to show on their submission page.

The engine returns what each answer cell printed (`GradeReport.answer_outputs`: nbformat v4
output dicts by grade_id, within `Limits.output_bytes` for the whole run, ending with the
engine's truncation note where it cut). This module turns them into a shape a template can show
without trusting anything:

- text (streams, text/plain, errors) as plain strings the template escapes, at most
  `TEXT_CHARS_PER_CELL` characters a cell,
- images only as PNG bytes checked for the PNG signature and re-encoded as base64, at most
  `IMAGES_PER_CELL` a cell,
- HTML, JavaScript and every other rich type replaced by a note, never rendered,
- the engine's truncation note kept as a note, however long the text before it.

Anything that quotes a hidden test line is replaced by the engine's own scrub message, so a
learner cannot print the hidden tests' source (IPython keeps it in `In`) into their feedback.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from exercises.format.texts import gettext_noop
from grading.engine.score import scrub

TEXT_CHARS_PER_CELL = 10_000
IMAGE_BYTES = 512 * 1024
IMAGES_PER_CELL = 4
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
# The note grading.engine.execute adds where a run's output budget ran out (the last output of
# that cell). A learner printing the same sentence to stderr only gets the same harmless note.
ENGINE_TRUNCATION_NOTE = re.compile(
    r"\n?\[(Output truncated: the notebook produced more than [0-9.]+ MiB of output; the rest was dropped\.)\]\n?"
)

Item = dict[str, str]


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "".join(v for v in value if isinstance(v, str))
    return value if isinstance(value, str) else ""


def _png(value: Any) -> str | None:
    raw = _text(value).replace("\n", "").strip()
    if not raw or len(raw) > IMAGE_BYTES * 4 // 3 + 4:
        return None
    try:
        data = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        return None
    if not data.startswith(PNG_SIGNATURE) or len(data) > IMAGE_BYTES:
        return None
    return base64.b64encode(data).decode("ascii")


def _rich(output: dict[str, Any]) -> Item:
    raw = output.get("data")
    data: dict[str, Any] = raw if isinstance(raw, dict) else {}
    if "image/png" in data:
        png = _png(data["image/png"])
        if png:
            return {"type": "image", "png": png}
        return {
            "type": "note",
            "text": gettext_noop("An image output is not shown: only PNG images up to 512 KB are."),
        }
    if "text/plain" in data:
        return {"type": "text", "text": _text(data["text/plain"])}
    kinds = ", ".join(sorted(str(k) for k in data)[:3]) or gettext_noop("an empty output")
    return {
        "type": "note",
        "text": gettext_noop(
            "An output of type %(kinds)s is not shown here; only text and PNG images are."
        )
        % {"kinds": kinds},
    }


def _truncation_note(output: Any) -> Item | None:
    if (
        not isinstance(output, dict)
        or output.get("output_type") != "stream"
        or output.get("name") != "stderr"
    ):
        return None
    match = ENGINE_TRUNCATION_NOTE.fullmatch(_text(output.get("text")))
    return {"type": "note", "text": match.group(1)} if match else None


def _items(outputs: list[Any]) -> list[Item]:
    items: list[Item] = []
    for output in outputs:
        if not isinstance(output, dict):
            continue
        kind = output.get("output_type")
        if kind == "stream":
            name = "stderr" if output.get("name") == "stderr" else "stdout"
            text = _text(output.get("text"))
            if items and items[-1]["type"] == "text" and items[-1].get("name") == name:
                items[-1]["text"] += text
            else:
                items.append({"type": "text", "name": name, "text": text})
        elif kind == "error":
            items.append(
                {
                    "type": "error",
                    "text": f"{_text(output.get('ename'))}: {_text(output.get('evalue'))}",
                }
            )
        elif kind in ("display_data", "execute_result"):
            items.append(_rich(output))
    return items


def cell_outputs_for_learner(outputs: list[Any], *, hidden: list[str]) -> list[Item]:
    """One cell's engine outputs as safe items: {"type": "text"|"error"|"image"|"note", ...}."""
    note = _truncation_note(outputs[-1]) if outputs else None
    items = _items(outputs[:-1] if note else outputs)

    budget, images, safe = TEXT_CHARS_PER_CELL, 0, []
    for item in items:
        if item["type"] == "image":
            images += 1
            if images > IMAGES_PER_CELL:
                continue
        elif item["type"] in ("text", "error"):
            # Scrub before shortening: a cut must not split a hidden line past recognition.
            text = scrub(ANSI_ESCAPE.sub("", item["text"]), hidden)
            if budget <= 0:
                continue
            if len(text) > budget:
                text = text[:budget] + "\n[Output shortened.]"
            budget -= len(text)
            item = {**item, "text": text}
        safe.append(item)
    if images > IMAGES_PER_CELL:
        safe.append(
            {
                "type": "note",
                "text": gettext_noop("Only the first %(n)s images are shown.")
                % {"n": IMAGES_PER_CELL},
            }
        )
    if note:
        safe.append(note)
    return safe


def answer_outputs_for_learner(
    outputs: dict[str, list[Any]], *, hidden: list[str]
) -> dict[str, list[Item]]:
    """Safe outputs of the learner's answer cells, by grade_id, from `GradeReport.answer_outputs`."""
    return {
        grade_id: cell_outputs_for_learner(cell, hidden=hidden)
        for grade_id, cell in outputs.items()
        if grade_id and isinstance(cell, list)
    }
