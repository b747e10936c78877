"""The learner's own cell outputs from a grading run, recorded and made safe to show.

The engine's report deliberately carries no outputs (it is what the CLI prints and what is
stored for audit). Learners still want to see what their answer cells printed, so the grading
service hands the engine a kernel provider that records the output messages of the learner
kernel it reads anyway, and this module keeps only the answer cells' outputs, in a shape a
template can show without trusting anything:

- text (streams, text/plain, errors) as plain strings the template escapes,
- images only as PNG bytes checked for the PNG signature and re-encoded as base64,
- HTML, JavaScript and every other rich type replaced by a note, never rendered.

Anything that quotes a hidden test line is replaced by the engine's own scrub message, so a
learner cannot print the hidden tests' source (IPython keeps it in `In`) into their feedback.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from typing import Any

from exercises.format import ExerciseSource
from grading.engine.assemble import assemble, hidden_lines
from grading.engine.pool import KernelProvider
from grading.engine.score import scrub

TEXT_CHARS_PER_CELL = 10_000
IMAGE_BYTES = 512 * 1024
IMAGES_PER_CELL = 4
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
OUTPUT_MESSAGES = frozenset({"stream", "display_data", "execute_result", "error", "clear_output"})


@dataclass
class _Sink:
    """Output messages of one kernel, by the execute request they answer, in request order."""

    order: list[str] = field(default_factory=list)
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def observe(self, msg: Any) -> None:
        if not isinstance(msg, dict) or msg.get("msg_type") not in OUTPUT_MESSAGES:
            return
        parent = msg.get("parent_header")
        msg_id = parent.get("msg_id") if isinstance(parent, dict) else None
        if msg_id in self.messages:
            content = msg.get("content")
            self.messages[msg_id].append(
                {"msg_type": msg["msg_type"], "content": content if isinstance(content, dict) else {}}
            )


class _RecordingClient:
    """Passes every call through to the kernel client, noting execute ids and iopub output."""

    def __init__(self, client: Any, sink: _Sink) -> None:
        self._client = client
        self._sink = sink

    def execute(self, *args: Any, **kwargs: Any) -> str:
        msg_id = self._client.execute(*args, **kwargs)
        self._sink.order.append(msg_id)
        self._sink.messages[msg_id] = []
        return msg_id

    def get_iopub_msg(self, *args: Any, **kwargs: Any) -> Any:
        msg = self._client.get_iopub_msg(*args, **kwargs)
        self._sink.observe(msg)
        return msg

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


class RecordingKernels:
    """A KernelProvider that records the first kernel it hands out: the learner's kernel.

    Later kernels (the reference kernel of sealed checks) are passed through untouched.
    It never closes the wrapped provider, which belongs to the worker process.
    """

    def __init__(self, inner: KernelProvider) -> None:
        self._inner = inner
        self.sink: _Sink | None = None

    def acquire(self) -> Any:
        kernel = self._inner.acquire()
        if self.sink is None:
            self.sink = _Sink()
            kernel.client = _RecordingClient(kernel.client, self.sink)
        return kernel

    def close(self) -> None:
        """The wrapped provider outlives one submission."""


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


def _rich(content: dict[str, Any]) -> dict[str, str]:
    data = content.get("data") if isinstance(content.get("data"), dict) else {}
    if "image/png" in data:
        png = _png(data["image/png"])
        if png:
            return {"type": "image", "png": png}
        return {"type": "note", "text": "An image output is not shown: only PNG images up to 512 KB are."}
    if "text/plain" in data:
        return {"type": "text", "text": _text(data["text/plain"])}
    kinds = ", ".join(sorted(str(k) for k in data)[:3]) or "an empty output"
    return {"type": "note", "text": f"An output of type {kinds} is not shown here; only text and PNG images are."}


def _sanitise(messages: list[dict[str, Any]], hidden: list[str]) -> list[dict[str, str]]:
    items: list[dict[str, str]] = []
    for message in messages:
        kind, content = message["msg_type"], message["content"]
        if kind == "clear_output":
            items.clear()
        elif kind == "stream":
            name = "stderr" if content.get("name") == "stderr" else "stdout"
            text = _text(content.get("text"))
            if items and items[-1]["type"] == "text" and items[-1].get("name") == name:
                items[-1]["text"] += text
            else:
                items.append({"type": "text", "name": name, "text": text})
        elif kind == "error":
            text = f"{_text(content.get('ename'))}: {_text(content.get('evalue'))}"
            items.append({"type": "error", "text": text})
        else:
            items.append(_rich(content))

    budget, images, safe = TEXT_CHARS_PER_CELL, 0, []
    for item in items:
        if item["type"] == "image":
            images += 1
            if images > IMAGES_PER_CELL:
                continue
        elif item["type"] in ("text", "error"):
            text = scrub(ANSI_ESCAPE.sub("", item["text"]), hidden)
            if budget <= 0:
                continue
            if len(text) > budget:
                text = text[:budget] + "\n[Output shortened.]"
            budget -= len(text)
            item = {**item, "text": text}
        safe.append(item)
    if images > IMAGES_PER_CELL:
        safe.append({"type": "note", "text": f"Only the first {IMAGES_PER_CELL} images are shown."})
    return safe


def answer_cell_outputs(
    *, recorder: RecordingKernels, source: ExerciseSource, submission: Any, mode: str
) -> dict[str, list[dict[str, str]]]:
    """Safe outputs of the learner's answer cells, by grade_id, from what the recorder saw.

    The engine runs one execute request per assembled step, in order, before any sealed
    check; assembling again (pure and cheap) says which of those steps were answer cells.
    """
    sink = recorder.sink
    if sink is None:
        return {}
    hidden = hidden_lines(source)
    steps = assemble(source, submission, mode=mode).steps
    outputs: dict[str, list[dict[str, str]]] = {}
    for step, msg_id in zip(steps, sink.order, strict=False):
        if step.from_learner and step.cell.grade_id:
            outputs[step.cell.grade_id] = _sanitise(sink.messages.get(msg_id, []), hidden)
    return outputs
