"""Run code in a sandboxed kernel: cells in order under limits, and one strict JSON channel.

Cell status comes from the kernel's ``execute_reply``, never from output text. Verdicts
are decided here, in the grader, from what the process did (replies, deaths, clocks).
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import secrets
import signal
import stat
import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal

import zmq

from exercises.format.texts import gettext_noop
from grading.engine.limits import Limits

if TYPE_CHECKING:
    from grading.engine.sandbox import SandboxKernel

ENAME_CHARS = 200
EVALUE_CHARS = 2000
REASON_CHARS = 500
# How long an interrupted cell may take to stop before the kernel is killed.
INTERRUPT_GRACE_S = 2.0
# How long to wait for trailing output after a cell's reply (the idle status may be
# lost when zmq drops an oversized message).
OUTPUT_DRAIN_S = 1.0
POLL_S = 0.05


class Verdict(StrEnum):
    OK = "ok"
    TIMEOUT = "timeout"
    MEMORY = "memory"
    CRASHED = "crashed"


@dataclass
class CellRun:
    index: int
    status: Literal["ok", "error", "not_run"]
    ename: str = ""
    evalue: str = ""
    outputs: list[dict] = field(default_factory=list)
    duration_s: float = 0.0
    #: Where a judged cell failed: the 1-based line of its top-level statement (None: unknown).
    line: int | None = None
    #: Whether the kernel's idle status for this cell came through on iopub (it does not while zmq
    #: reconnects after dropping an oversized message).
    idle: bool = False


@dataclass
class RunResult:
    verdict: Verdict
    cells: list[CellRun]
    message: str
    duration_s: float


class ChannelError(Exception):
    """call_json could not carry a value out of the kernel; str() is the reason."""


MEMORY_MESSAGE = gettext_noop(
    "The notebook used more than the %(memory)s of memory it may use "
    "while running code cell %(number)s, so it was stopped."
)


def _cap(text: object, limit: int) -> str:
    value = str(text)
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _mib(size: int) -> str:
    return f"{size / 2**20:g} MiB"


class _OutputBudget:
    """Keeps at most ``limit`` bytes of output per run; notes once where it cut."""

    def __init__(self, limit: int) -> None:
        self.remaining = limit
        self.limit = limit
        self.exhausted = False

    def _note(self) -> dict[str, Any]:
        return {
            "output_type": "stream",
            "name": "stderr",
            "text": "\n["
            + gettext_noop(
                "Output truncated: the notebook produced more than %(limit)s of output; "
                "the rest was dropped."
            )
            % {"limit": _mib(self.limit)}
            + "]\n",
        }

    def add(self, outputs: list[dict[str, Any]], output: dict[str, Any]) -> None:
        if self.exhausted:
            return
        if output["output_type"] == "stream":
            text = output["text"]
            size = len(text.encode("utf-8", "replace"))
            if size > self.remaining:
                text = text.encode("utf-8", "replace")[: self.remaining].decode("utf-8", "ignore")
                self.exhausted = True
            self.remaining -= len(text.encode("utf-8", "replace"))
            if text:
                previous = outputs[-1] if outputs else None
                if (
                    previous
                    and previous["output_type"] == "stream"
                    and previous["name"] == output["name"]
                ):
                    previous["text"] += text
                else:
                    outputs.append({**output, "text": text})
            if self.exhausted:
                outputs.append(self._note())
            return
        size = len(json.dumps(output, default=str))
        if size > self.remaining:
            self.exhausted = True
            outputs.append(self._note())
            return
        self.remaining -= size
        outputs.append(output)


def _to_output(msg_type: str, content: dict[str, Any]) -> dict[str, Any] | None:
    """nbformat v4 output dict for an iopub message, or None for messages that are not output."""
    if msg_type == "stream":
        name = content.get("name") if content.get("name") in {"stdout", "stderr"} else "stdout"
        return {"output_type": "stream", "name": name, "text": str(content.get("text", ""))}
    if msg_type in {"display_data", "execute_result"}:
        data = content.get("data")
        metadata = content.get("metadata")
        output: dict[str, Any] = {
            "output_type": msg_type,
            "data": data if isinstance(data, dict) else {},
            "metadata": metadata if isinstance(metadata, dict) else {},
        }
        if msg_type == "execute_result":
            count = content.get("execution_count")
            output["execution_count"] = count if isinstance(count, int) else None
        return output
    if msg_type == "error":
        traceback = content.get("traceback")
        return {
            "output_type": "error",
            "ename": _cap(content.get("ename", ""), ENAME_CHARS),
            "evalue": _cap(content.get("evalue", ""), EVALUE_CHARS),
            "traceback": [str(line) for line in traceback] if isinstance(traceback, list) else [],
        }
    return None


def _send_interrupt(kernel: SandboxKernel) -> None:
    client = kernel.client
    with contextlib.suppress(Exception):
        client.control_channel.send(client.session.msg("interrupt_request", content={}))


def _parent_id(msg: dict[str, Any]) -> object:
    parent = msg.get("parent_header")
    return parent.get("msg_id") if isinstance(parent, dict) else None


@dataclass
class _Exchange:
    """What came back for one execute_request."""

    reply: dict[str, Any] | None = None
    idle: bool = False
    outputs: list[dict[str, Any]] = field(default_factory=list)
    pending_clear: bool = False


def _collect(
    kernel: SandboxKernel,
    msg_id: str,
    exchange: _Exchange,
    budget: _OutputBudget | None,
    until: float,
) -> None:
    """Read shell and iopub messages for ``msg_id`` until reply+idle, ``until`` or death."""
    client = kernel.client
    poller = zmq.Poller()
    poller.register(client.shell_channel.socket, zmq.POLLIN)
    poller.register(client.iopub_channel.socket, zmq.POLLIN)
    drain_until: float | None = None
    while True:
        now = time.monotonic()
        if exchange.reply is not None:
            if exchange.idle:
                return
            drain_until = drain_until or now + OUTPUT_DRAIN_S
            if now >= drain_until:
                return
        if now >= until or not kernel.is_alive():
            return
        wait = min(POLL_S, until - now)
        try:
            ready = dict(poller.poll(int(wait * 1000) + 1))
        except zmq.ZMQError:
            return
        if client.shell_channel.socket in ready:
            _read_reply(kernel, msg_id, exchange)
        if client.iopub_channel.socket in ready:
            _read_iopub(kernel, msg_id, exchange, budget)


def _read_reply(kernel: SandboxKernel, msg_id: str, exchange: _Exchange) -> None:
    """Take one waiting shell message as the reply if it is ``msg_id``'s execute_reply."""
    client = kernel.client
    with contextlib.suppress(queue.Empty, Exception):
        msg = client.get_shell_msg(timeout=0)
        if msg.get("msg_type") == "execute_reply" and _parent_id(msg) == msg_id:
            exchange.reply = msg.get("content") if isinstance(msg.get("content"), dict) else {}


def _read_iopub(
    kernel: SandboxKernel, msg_id: str, exchange: _Exchange, budget: _OutputBudget | None
) -> None:
    """Apply the waiting iopub messages of ``msg_id`` (at most 1000 a turn, so the clock is checked)."""
    client = kernel.client
    for _ in range(1000):
        try:
            msg = client.get_iopub_msg(timeout=0)
        except (queue.Empty, Exception):
            return
        if _parent_id(msg) != msg_id:
            continue
        _handle_iopub(msg, exchange, budget)


def _handle_iopub(msg: dict[str, Any], exchange: _Exchange, budget: _OutputBudget | None) -> None:
    msg_type = msg.get("msg_type", "")
    raw_content = msg.get("content")
    content: dict[str, Any] = raw_content if isinstance(raw_content, dict) else {}
    if msg_type == "status":
        if content.get("execution_state") == "idle":
            exchange.idle = True
        return
    if msg_type == "clear_output":
        if content.get("wait"):
            exchange.pending_clear = True
        else:
            exchange.outputs.clear()
        return
    output = _to_output(msg_type, content)
    if output is None or budget is None:
        return
    if exchange.pending_clear:
        exchange.outputs.clear()
        exchange.pending_clear = False
    budget.add(exchange.outputs, output)


def _death_verdict(kernel: SandboxKernel, cell: CellRun, limits: Limits) -> tuple[Verdict, str]:
    """Why did the kernel die? Decided from the process and its cgroup, outputs only as a hint."""
    number = cell.index + 1
    if kernel.oom_kills() > 0 or any(
        "MemoryError" in json.dumps(output)
        for output in cell.outputs
        if output["output_type"] != "stream"
    ):
        return Verdict.MEMORY, MEMORY_MESSAGE % {
            "memory": _mib(limits.memory_bytes),
            "number": number,
        }
    if kernel.returncode in {-signal.SIGXCPU, 128 + signal.SIGXCPU}:
        return Verdict.TIMEOUT, gettext_noop(
            "The notebook used more than %(seconds)s s of CPU time, so it was stopped "
            "while running code cell %(number)s."
        ) % {"seconds": limits.cpu_seconds, "number": number}
    return Verdict.CRASHED, gettext_noop(
        "The Python kernel stopped while running code cell %(number)s (for example through "
        "sys.exit, os._exit or a crash), so the cells after it did not run."
    ) % {"number": number}


def run_cells(
    kernel: SandboxKernel,
    sources: list[str],
    limits: Limits,
    *,
    stop_on_error: bool = False,
    deadline: float | None = None,
) -> RunResult:
    """Run each source as one execute_request, in order, under the cell and wall limits.

    ``deadline`` (time.monotonic()) is the whole submission's: when given, the cells share what
    is left of it with every other step, instead of starting a wall clock of their own.
    """
    started = time.monotonic()
    wall_deadline = started + limits.wall_timeout_s if deadline is None else deadline
    budget = _OutputBudget(limits.output_bytes)
    cells = [CellRun(index=index, status="not_run") for index in range(len(sources))]
    verdict, message = Verdict.OK, ""
    for cell, source in zip(cells, sources, strict=True):
        if not kernel.is_alive():
            verdict, message = (
                Verdict.CRASHED,
                gettext_noop(
                    "The Python kernel was no longer running before code cell %(number)s, "
                    "so the remaining cells did not run."
                )
                % {"number": cell.index + 1},
            )
            break
        verdict, message = _run_one(kernel, cell, source, limits, wall_deadline, budget)
        if verdict is not Verdict.OK:
            break
        if stop_on_error and cell.status == "error":
            break
    if verdict is not Verdict.OK:
        kernel.kill()
    return RunResult(
        verdict=verdict, cells=cells, message=message, duration_s=time.monotonic() - started
    )


def _run_one(
    kernel: SandboxKernel,
    cell: CellRun,
    source: str,
    limits: Limits,
    wall_deadline: float,
    budget: _OutputBudget,
) -> tuple[Verdict, str]:
    started = time.monotonic()
    number = cell.index + 1
    exchange = _Exchange()
    cell.outputs = exchange.outputs
    try:
        msg_id = kernel.client.execute(
            source, silent=False, store_history=True, allow_stdin=False, stop_on_error=False
        )
    except Exception:
        cell.status = "error"
        return Verdict.CRASHED, gettext_noop(
            "The Python kernel could not be reached to run code cell %(number)s."
        ) % {"number": number}
    cell_deadline = min(started + limits.cell_timeout_s, wall_deadline)
    _collect(kernel, msg_id, exchange, budget, cell_deadline)
    interrupted = False
    if exchange.reply is None and kernel.is_alive() and time.monotonic() < wall_deadline:
        interrupted = True
        _send_interrupt(kernel)
        grace = min(time.monotonic() + INTERRUPT_GRACE_S, wall_deadline)
        _collect(kernel, msg_id, exchange, budget, grace)
    cell.outputs = exchange.outputs
    cell.duration_s = time.monotonic() - started
    cell.idle = exchange.idle
    reply = exchange.reply
    if reply is None:
        cell.status = "error"
        if not kernel.is_alive():
            return _death_verdict(kernel, cell, limits)
        cell.ename = "TimeoutError"
        if time.monotonic() >= wall_deadline:
            cell.evalue = gettext_noop("The notebook ran longer than %(seconds)s s.") % {
                "seconds": f"{limits.wall_timeout_s:g}"
            }
            return Verdict.TIMEOUT, gettext_noop(
                "The notebook ran longer than %(seconds)s s, so it was stopped "
                "during code cell %(number)s; the cells after it did not run."
            ) % {"seconds": f"{limits.wall_timeout_s:g}", "number": number}
        cell.evalue = gettext_noop(
            "The cell ran longer than %(seconds)s s and did not stop when interrupted."
        ) % {"seconds": f"{limits.cell_timeout_s:g}"}
        return Verdict.TIMEOUT, gettext_noop(
            "Code cell %(number)s ran longer than %(seconds)s s and did not stop when "
            "interrupted, so the notebook was stopped; the cells after it did not run."
        ) % {"number": number, "seconds": f"{limits.cell_timeout_s:g}"}
    status = reply.get("status")
    if status == "ok" and not interrupted:
        cell.status = "ok"
    else:
        cell.status = "error"
        cell.ename = _cap(reply.get("ename", "") or "Error", ENAME_CHARS)
        cell.evalue = _cap(reply.get("evalue", ""), EVALUE_CHARS)
        if status == "aborted":
            cell.ename, cell.evalue = "Aborted", gettext_noop("The kernel aborted this cell.")
    if interrupted:
        cell.ename = "TimeoutError"
        cell.evalue = gettext_noop(
            "The cell ran longer than %(seconds)s s and was interrupted."
        ) % {"seconds": f"{limits.cell_timeout_s:g}"}
        return Verdict.OK, ""
    payload = reply.get("payload")
    asked_exit = isinstance(payload, list) and any(
        isinstance(item, dict) and item.get("source") == "ask_exit" for item in payload
    )
    if cell.ename == "SystemExit" or asked_exit:
        cell.status = "error"
        cell.ename = cell.ename or "SystemExit"
        return Verdict.CRASHED, gettext_noop(
            "Code cell %(number)s asked the Python kernel to exit (sys.exit, exit or quit), so the "
            "cells after it did not run."
        ) % {"number": number}
    if cell.ename == "MemoryError":
        return Verdict.MEMORY, MEMORY_MESSAGE % {
            "memory": _mib(limits.memory_bytes),
            "number": number,
        }
    return Verdict.OK, ""


def warm_up(kernel: SandboxKernel, deadline: float) -> bool:
    """Run one silent no-op cell; True when the kernel answered it with "ok"."""
    return execute_silently(kernel, "pass", deadline)


def execute_silently(kernel: SandboxKernel, code: str, deadline: float) -> bool:
    """Run ``code`` silently; True when the kernel answered "ok" before ``deadline``.

    Silent and kept out of history: no execution count, ``In``, ``Out`` or ``_`` changes.
    """
    try:
        msg_id = kernel.client.execute(
            code, silent=True, store_history=False, allow_stdin=False, stop_on_error=False
        )
    except Exception:
        return False
    exchange = _Exchange()
    _collect(kernel, msg_id, exchange, None, deadline)
    return exchange.reply is not None and exchange.reply.get("status") == "ok"


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def call_json(
    kernel: SandboxKernel,
    expression_code: str,
    *,
    max_bytes: int = 256 * 1024,
    timeout_s: float = 10.0,
    iopub: dict[str, bool] | None = None,
) -> object:
    """Evaluate ``expression_code`` in the kernel and carry its value out as strict JSON.

    ``iopub``, when given, gets ``"idle"``: whether the kernel's idle status for this request came
    through on iopub (it does not while zmq reconnects after dropping an oversized message).

    The kernel serialises with ``json.dumps(..., allow_nan=False)`` into a file with an
    unguessable name in its run directory; the grader opens it without following links,
    refuses anything but a regular file, reads at most ``max_bytes + 1`` bytes and parses
    with ``json.loads``. No pickle anywhere.
    """
    if not kernel.is_alive():
        raise ChannelError("the kernel is not running")
    name = f".pm-call-{secrets.token_hex(16)}.json"
    inner_path = str(kernel.inner_run_dir / name)
    code = (
        "def __pm_academy_call():\n"
        "    import json as _json\n"
        f"    _value = (\n{expression_code}\n    )\n"
        "    _text = _json.dumps(_value, allow_nan=False)\n"
        f"    if len(_text.encode('utf-8')) > {max_bytes}:\n"
        f"        raise ValueError('the value is larger than {max_bytes} bytes as JSON')\n"
        f"    with open({inner_path!r}, 'w', encoding='utf-8') as _file:\n"
        "        _file.write(_text)\n"
        "try:\n"
        "    __pm_academy_call()\n"
        "finally:\n"
        "    del __pm_academy_call\n"
    )
    client = kernel.client
    try:
        msg_id = client.execute(
            code, silent=True, store_history=False, allow_stdin=False, stop_on_error=False
        )
    except Exception as error:
        raise ChannelError(
            f"the kernel could not be reached: {_cap(error, REASON_CHARS)}"
        ) from error
    exchange = _Exchange()
    _collect(kernel, msg_id, exchange, None, time.monotonic() + timeout_s)
    if exchange.reply is None:
        if kernel.is_alive():
            _send_interrupt(kernel)
            _collect(kernel, msg_id, exchange, None, time.monotonic() + INTERRUPT_GRACE_S)
            raise ChannelError(f"timeout: no answer within {timeout_s:g} s")
        raise ChannelError("the kernel stopped while evaluating the expression")
    reply = exchange.reply
    if reply.get("status") != "ok":
        ename = _cap(reply.get("ename", "") or "Error", ENAME_CHARS)
        evalue = _cap(reply.get("evalue", ""), REASON_CHARS)
        raise ChannelError(f"{ename}: {evalue}")
    if iopub is not None:
        iopub["idle"] = exchange.idle
    return _read_channel_file(kernel, name, max_bytes)


def _read_channel_file(kernel: SandboxKernel, name: str, max_bytes: int) -> object:
    path = kernel.run_dir / name
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        fd = os.open(path, flags)
    except OSError as error:
        raise ChannelError(f"no value was written ({error.strerror})") from error
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ChannelError("the value was not written as a regular file")
        chunks: list[bytes] = []
        size = 0
        while size <= max_bytes:
            chunk = os.read(fd, min(65536, max_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(path)
    if size > max_bytes:
        raise ChannelError(f"the value is larger than {max_bytes} bytes as JSON")
    try:
        return json.loads(b"".join(chunks).decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise ChannelError(f"the value is not valid JSON: {_cap(error, REASON_CHARS)}") from error
