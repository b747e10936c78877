"""The judge: test cells run in a process that never shares an interpreter with learner code.

Learner code can rewrite anything inside its own kernel (builtins, IPython's transformers,
``__eq__``, frames, other threads), so a verdict reached there can be forged. The judge is a
separate sandboxed Python process (``python -I -S`` as its own uid, no network, read-only ``/usr``,
its own tmpfs, rlimits) that runs the instructor's setup and test cells and nothing else. Each
name the instructor's solution defines in an answer cell reaches the judge only as a plain value
decoded from strict JSON, or as a stand-in whose calls the grader relays to the learner's kernel
(see ``judge_wire``). Hidden tests never enter the learner's kernel; the learner's code sees only
the arguments its functions are called with, and the values a test itself binds to the learner's
names (a test's ``del helper`` and ``helper = saved`` reach the kernel, as in nbgrader).

Cells the judge cannot run fall back to the learner's kernel, where their verdict is not
protected: cells that are not plain Python (IPython magics, shell escapes) and, as found when the
exercise is validated, cells whose reference run needs a value that cannot cross as plain data.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import json
import os
import queue
import re
import secrets
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from exercises.format import CellKind, ExerciseSource, markers

from .limits import Limits

if TYPE_CHECKING:
    from .sandbox import SandboxKernel

WIRE_SOURCE = (Path(__file__).with_name("judge_wire.py")).read_text(encoding="utf-8")
#: The learner's end of the wire (the codec and describe/call, not the judge's loop).
LEARNER_SOURCE = WIRE_SOURCE.split("# --- the judge's end")[0]
#: The module the learner's end lives in. The fork server's zygote holds it already compiled
#: (zygote._load_learner_end); elsewhere the first describe installs it, in the same round trip,
#: from a file the grader writes into the kernel's home. LEARNER_END is that expression: short,
#: since IPython runs its input transformers over every character.
LEARNER_MODULE = "__pma_judge__"
#: The comm target a fork-server kernel's learner end answers on from the kernel's start.
JUDGE_CHANNEL = "pma_judge"
LEARNER_END = (
    "(lambda m: m if m is not None else (lambda module: (exec(compile(open({path!r}).read(), '<pma-judge>', "
    "'exec'), module.__dict__), __import__('sys').modules.__setitem__(module.__name__, module), module)[2])("
    "__import__('types').ModuleType('__pma_judge__')))(__import__('sys').modules.get('__pma_judge__'))"
)
#: Largest JSON text one value or request may take on the wire, either way.
WIRE_BYTES = 1 * 2**20
#: How long the judge may take to start and to stop after its last cell, beyond the cells' time.
START_GRACE_S = 5.0
# A cell's own alarm inside the judge goes off this long after the grader's limit for relayed
# calls, so a call the grader is still relaying is never cut off mid-exchange.
ALARM_SLACK_S = 0.5
#: How long the first describe waits on the kernel's comm target before asking with a cell instead.
CHANNEL_PROBE_S = 2.0
UID_FIRST, UID_COUNT = 300_000_000, 100_000_000
PROCESS_LIMIT = 8
FILE_LIMIT = 64
MAGIC_LINE = re.compile(r"^\s*[%!]", re.MULTILINE)
#: The ename the judge gives a value that could not cross as plain data.
UNTRANSFERABLE = "UntransferableValue"


class JudgeUnavailable(Exception):
    """The judge process could not be started or stopped answering; str() says why."""


# --- which cells and which names ---------------------------------------------------------------


def _parse(code: str) -> ast.Module | None:
    try:
        return ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def judge_can_run(code: str) -> bool:
    """Plain Python the judge can compile (no magics, no shell escapes)."""
    return not MAGIC_LINE.search(code) and _parse(code) is not None


def _bound_at_top(tree: ast.Module) -> set[str]:
    """Names a cell binds in the notebook's namespace (not inside its functions or classes)."""
    bound: set[str] = set()
    pending: list[ast.AST] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(node.name)
            continue
        if isinstance(node, ast.Lambda):
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            bound.update(
                (alias.asname or alias.name).split(".")[0]
                for alias in node.names
                if alias.name != "*"
            )
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            bound.add(node.id)
        if isinstance(node, ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp):
            continue  # their targets are their own
        pending.extend(ast.iter_child_nodes(node))
    return bound


def learner_names(source: ExerciseSource) -> frozenset[str]:
    """The names the instructor's solution defines in answer cells: these come from the learner."""
    names: set[str] = set()
    for cell in source.cells:
        if cell.kind is CellKind.ANSWER and cell.cell_type == "code":
            code = MAGIC_LINE.sub("pass  # ", markers.unmark(cell.source))
            tree = _parse(code)
            if tree is not None:
                names |= _bound_at_top(tree)
    return frozenset(names)


@functools.lru_cache(maxsize=512)
def loaded_names(code: str) -> frozenset[str]:
    """Every name a cell reads, deletes or rebinds, wherever in it: the learner names among them are
    bound in the judge before the cell runs, so that its ``del name`` and ``name = ...`` reach the
    learner's kernel as they would in nbgrader (``judge_wire``'s sync). Strings that are names count
    too (``globals()["name"]``), and the names in code given to ``exec``/``eval`` as a literal."""
    tree = _parse(code)
    return frozenset() if tree is None else frozenset(_names_in(tree, depth=0))


def _names_in(tree: ast.AST, depth: int) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.Global | ast.Nonlocal):
            names.update(node.names)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if node.value.isidentifier():
                names.add(node.value)
        elif depth < 2 and (code := _literal_code(node)) is not None:
            inner = _parse(code)
            if inner is not None:
                names |= _names_in(inner, depth + 1)
    return names


def _literal_code(node: ast.AST) -> str | None:
    """The source in ``exec("...")``, ``eval("...")`` or ``compile("...", ...)``."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("exec", "eval", "compile")
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        return node.args[0].value
    return None


def judged_test_cells(source: ExerciseSource, in_kernel: frozenset[str] = frozenset()) -> set[int]:
    """Indexes of the test cells the judge runs; the others run in the learner's kernel."""
    return {
        cell.index
        for cell in source.cells
        if cell.kind is CellKind.TEST
        and cell.grade_id not in in_kernel
        and judge_can_run(markers.unmark(cell.source))
    }


def first_hidden_line(source: str) -> int | None:
    """The 1-based line, in the code that runs (``markers.unmark``), where hidden tests begin."""
    regions = markers.hidden_regions(source)
    if not regions:
        return None
    begin = regions[0][0]
    words = {markers.BEGIN_SOLUTION, markers.END_SOLUTION, markers.BEGIN_HIDDEN, markers.END_HIDDEN}
    removed = sum(1 for line in source.splitlines()[: begin + 1] if markers._marker(line) in words)
    return begin + 1 - removed + 1


def literal_messages(code: str) -> dict[str, str]:
    """{message: exception name} for what the instructor wrote as literals in the cell's source:
    ``assert ..., "message"`` (AssertionError) and ``raise Name("message")``."""
    tree = _parse(code)
    if tree is None:
        return {}
    found: dict[str, str] = {}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Assert)
            and isinstance(node.msg, ast.Constant)
            and isinstance(node.msg.value, str)
        ):
            found.setdefault(node.msg.value, "AssertionError")
        elif (
            isinstance(node, ast.Raise)
            and isinstance(node.exc, ast.Call)
            and isinstance(node.exc.func, ast.Name)
            and len(node.exc.args) == 1
            and isinstance(node.exc.args[0], ast.Constant)
            and isinstance(node.exc.args[0].value, str)
        ):
            found.setdefault(node.exc.args[0].value, node.exc.func.id)
    return found


# --- the judge process ---------------------------------------------------------------------------


@dataclass
class JudgedCell:
    status: Literal["ok", "error"]
    ename: str = ""
    evalue: str = ""
    result: str | None = None  # repr of the cell's last expression (nbgrader's partial credit)
    duration_s: float = 0.0
    line: int | None = None  # the cell's top-level line that was running when it failed


@functools.cache
def _sandbox_tools() -> dict[str, str] | None:
    """Where prlimit, setpriv and bubblewrap are (looked up once per process); None if one is missing."""
    found = {tool: shutil.which(tool) for tool in ("prlimit", "setpriv", "bwrap")}
    return None if None in found.values() else {tool: str(path) for tool, path in found.items()}


def _command(
    python: str, limits: Limits, *, sandboxed: bool, seccomp_fd: int | None = None
) -> list[str]:
    program = WIRE_SOURCE + "\njudge_main()\n"
    tools = _sandbox_tools()
    if not sandboxed or tools is None:
        return [python, "-I", "-S", "-c", program]
    # The learner kernels' filter (seccomp.py), loaded by bubblewrap right before the exec.
    seccomp = ["--seccomp", str(seccomp_fd)] if seccomp_fd is not None else []
    uid = str(UID_FIRST + secrets.randbelow(UID_COUNT))
    # fmt: off
    # One line per program in the chain: prlimit, setpriv, bubblewrap, the interpreter.
    return [
        tools["prlimit"], f"--as={limits.memory_bytes}", f"--cpu={limits.cpu_seconds}",
        f"--nofile={FILE_LIMIT}", f"--nproc={PROCESS_LIMIT}", "--fsize=0", "--core=0", "--",
        tools["setpriv"], f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--no-new-privs",
        "--pdeathsig=KILL", "--",
        tools["bwrap"], "--unshare-user", "--unshare-all", "--disable-userns", "--die-with-parent",
        "--new-session", "--clearenv", "--ro-bind", "/usr", "/usr", "--symlink", "usr/lib", "/lib",
        "--symlink", "usr/lib64", "/lib64", "--symlink", "usr/bin", "/bin", "--proc", "/proc",
        "--dev", "/dev", "--size", str(4 * 2**20),
        "--tmpfs", "/tmp", "--chdir", "/tmp",  # noqa: S108 - the judge's own tmpfs
        *seccomp, "--",
        python, "-I", "-S", "-c", program,
    ]
    # fmt: on


def _seccomp_pipe() -> int | None:
    """A pipe holding the seccomp program for bubblewrap to read; None where there is none."""
    from .sandbox.seccomp import SeccompUnsupported, build_filter

    try:
        program = build_filter()
    except SeccompUnsupported:
        return None
    read, write = os.pipe()
    try:
        os.write(write, program)  # a few hundred bytes: far below a pipe's capacity
    finally:
        os.close(write)
    return read


def judge_python() -> str:
    """The distribution's Python (the judge needs only the standard library, under /usr)."""
    for candidate in (
        f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}",
        "/usr/bin/python3",
    ):
        if os.access(candidate, os.X_OK):
            return candidate
    raise JudgeUnavailable("no Python under /usr/bin for the judge")


class Judge:
    """One judge process for one submission: cells in, verdicts out, learner calls relayed."""

    def __init__(self, limits: Limits, *, sandboxed: bool = True) -> None:
        self.limits = limits
        if sandboxed and _sandbox_tools() is None:
            raise JudgeUnavailable(
                "bubblewrap, setpriv and prlimit are needed to sandbox the judge"
            )
        python = judge_python() if sandboxed else sys.executable
        seccomp_fd = _seccomp_pipe() if sandboxed else None
        try:
            self.process = subprocess.Popen(  # noqa: S603 - a fixed command line, no shell
                _command(python, limits, sandboxed=sandboxed, seccomp_fd=seccomp_fd),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
                close_fds=True,
                env={} if sandboxed else {"PATH": "/usr/bin:/bin"},
                pass_fds=() if seccomp_fd is None else (seccomp_fd,),
            )
        except OSError as error:
            raise JudgeUnavailable(f"the judge could not start: {error.strerror}") from error
        finally:
            if seccomp_fd is not None:
                os.close(seccomp_fd)
        self._buffer = b""
        self._killed = False
        self.calls = 0
        self.seconds = 0.0

    def run(
        self,
        code: str,
        bind: dict[str, Any],
        *,
        until: float,
        relay: Callable[[str, float], dict[str, Any]],
        sync: bool = True,
    ) -> JudgedCell:
        """Run one cell until it answers or ``until`` (monotonic) passes; relay its learner calls.

        ``sync``: the cell's deletions and rebindings of learner names reach the learner's kernel
        (a test's); without it they stay in the judge (a read-only cell, which the kernel ran).
        """
        started = time.monotonic()
        timeout_s = max(until - started, 0.0)
        try:
            self._send(
                {"code": code, "bind": bind, "timeout_s": timeout_s + ALARM_SLACK_S, "sync": sync}
            )
            while True:
                message = self._receive(until + ALARM_SLACK_S + 1.0)
                if "done" in message and isinstance(message["done"], dict):
                    done = message["done"]
                    return JudgedCell(
                        status="ok" if done.get("status") == "ok" else "error",
                        ename=str(done.get("ename", ""))[:200],
                        evalue=str(done.get("evalue", ""))[:2000],
                        result=done["result"] if isinstance(done.get("result"), str) else None,
                        duration_s=time.monotonic() - started,
                        line=done["line"] if type(done.get("line")) is int else None,
                    )
                if isinstance(message.get("call"), str):
                    self.calls += 1
                    self._send(relay(message["call"], until))
                    continue
                raise JudgeUnavailable("the judge sent a message it should not")
        finally:
            self.seconds += time.monotonic() - started

    def _send(self, message: dict[str, Any]) -> None:
        assert self.process.stdin is not None  # noqa: S101 - opened with PIPE
        try:
            self.process.stdin.write(
                json.dumps(message, allow_nan=False, separators=(",", ":")).encode() + b"\n"
            )
            self.process.stdin.flush()
        except (OSError, ValueError) as error:
            raise JudgeUnavailable("the judge stopped") from error

    def _receive(self, until: float) -> dict[str, Any]:
        assert self.process.stdout is not None  # noqa: S101 - opened with PIPE
        fd = self.process.stdout.fileno()
        while b"\n" not in self._buffer:
            if len(self._buffer) > 2 * WIRE_BYTES:
                raise JudgeUnavailable("the judge sent more than it may")
            left = until - time.monotonic()
            if left <= 0:
                raise JudgeUnavailable("the judge did not answer in time")
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                raise JudgeUnavailable("the judge stopped")
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        try:
            message = json.loads(line)
        except ValueError as error:
            raise JudgeUnavailable("the judge sent something that is not JSON") from error
        if not isinstance(message, dict):
            raise JudgeUnavailable("the judge sent something that is not a message")
        return message

    def kill(self, *, wait: bool = True) -> None:
        """SIGKILL the judge's process group; without ``wait``, the sandbox's reaper thread waits."""
        if self.process.returncode is not None or self._killed:
            if wait:
                self._reap()
            return
        self._killed = True
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        if wait:
            self._reap()
        else:
            from .sandbox import reap_in_background

            reap_in_background(self)

    def _reap(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            if self.process.stdin:
                self.process.stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=2)
        with contextlib.suppress(OSError, ValueError):
            if self.process.stdout:
                self.process.stdout.close()


class _Starter:
    """One daemon thread that starts judges for the process, for as long as the process lives.

    Not a thread per judge: the judge's parent-death signal (setpriv's ``--pdeathsig``, bubblewrap's
    ``--die-with-parent``) fires when the *thread* that started it ends, which would kill it.
    """

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[tuple[Callable[[], Judge], Future[Judge]]] = (
            queue.SimpleQueue()
        )
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(self, start: Callable[[], Judge]) -> Future[Judge]:
        future: Future[Judge] = Future()
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="judge-starter", daemon=True)
                self._thread.start()
        self._queue.put((start, future))
        return future

    def _run(self) -> None:
        while True:
            start, future = self._queue.get()
            try:
                future.set_result(start())
            except BaseException as error:  # noqa: BLE001 - handed to the caller
                future.set_exception(error)


_starter = _Starter()


def _new_starter_after_fork() -> None:
    global _starter  # noqa: PLW0603 - the child has no starter thread
    _starter = _Starter()


os.register_at_fork(after_in_child=_new_starter_after_fork)


class JudgeStart:
    """A judge being started by the starter thread (Popen takes milliseconds the caller can spend
    waiting for the learner's kernel instead)."""

    def __init__(self, limits: Limits, *, sandboxed: bool = True) -> None:
        self._future = _starter.submit(functools.partial(Judge, limits, sandboxed=sandboxed))

    def result(self) -> Judge:
        """The started judge; JudgeUnavailable if it could not start."""
        try:
            return self._future.result()
        except JudgeUnavailable:
            raise
        except Exception as error:
            raise JudgeUnavailable(f"the judge could not start: {error}") from error

    def alive(self) -> bool:
        """Started and still running (a spare may have been killed while it waited)."""
        try:
            return self.result().process.poll() is None
        except JudgeUnavailable:
            return False

    def abandon(self) -> None:
        """The submission will not be judged: kill the judge once it has started."""
        with contextlib.suppress(JudgeUnavailable):
            self.result().kill(wait=False)


# --- the learner's end, reached through call_json ------------------------------------------------


@dataclass
class LearnerEnd:
    """The learner's kernel as the judge sees it: names described, calls run, all as JSON."""

    kernel: SandboxKernel
    cell_timeout_s: float
    #: Whether iopub delivered the learner's last cell (comm replies come on iopub).
    iopub_delivers: bool = False
    installed: bool = False
    failures: list[str] = field(default_factory=list)
    #: The comm the learner's end answers calls on (empty: calls go through call_json).
    comm_id: str = ""
    target: str = ""

    def describe(self, names: list[str], until: float) -> dict[str, Any]:
        """Tagged values for ``names``; names the kernel could not describe are left unbound.

        The first call also installs the learner's end of the wire, in the same round trip.
        """
        from .execute import ChannelError, call_json

        if not names:
            return {}
        if not self.installed and self.kernel.judge_channel and self.iopub_delivers:
            on_channel = self._describe_on_channel(names, until)
            if on_channel is not None:
                return on_channel
        if self.installed:
            expression = f"__import__({LEARNER_MODULE!r}).describe(globals(), {sorted(names)!r})"
        else:
            self.target = f"pma_judge_{secrets.token_hex(8)}"
            expression = (
                f"(lambda m: {{'channel': m.open_channel({self.target!r}), "
                f"'names': m.describe(globals(), {sorted(names)!r})}})({self._installer()})"
            )
        iopub: dict[str, bool] = {}
        try:
            described = call_json(
                self.kernel,
                expression,
                max_bytes=WIRE_BYTES,
                timeout_s=self._timeout(until),
                iopub=iopub,
            )
        except ChannelError as error:
            self.failures.append(str(error))
            return {name: {"$missing": True} for name in names}
        if not self.installed and isinstance(described, dict):
            self.installed = True
            # Comm replies come on iopub: use them only while iopub delivers (it does not for a while
            # after zmq dropped an oversized message the learner printed).
            if described.get("channel") is True and iopub.get("idle"):
                self._open_comm()
            described = described.get("names")
        if not isinstance(described, dict):
            return {name: {"$missing": True} for name in names}
        return {name: described.get(name, {"$missing": True}) for name in names}

    def _describe_on_channel(self, names: list[str], until: float) -> dict[str, Any] | None:
        """The first describe as a comm message to the target the kernel registered at its start;
        None when the kernel did not answer there (the caller then asks with a cell)."""
        from .execute import ChannelError

        self.target = self.kernel.judge_channel
        self._open_comm()
        if not self.comm_id:
            return None
        try:
            reply = self._comm_call(
                {"describe": sorted(names)}, min(self._timeout(until), CHANNEL_PROBE_S)
            )
        except ChannelError:
            self.comm_id = ""
            return None
        self.installed = True  # the module is there: later questions may also go through cells
        described = reply.get("value")
        if not isinstance(described, dict):
            failure = reply.get("error")
            if not isinstance(failure, dict):
                failure = {}
            self.failures.append(
                f"{failure.get('ename', 'Error')}: {failure.get('evalue', '')}"[:300]
            )
            return {name: {"$missing": True} for name in names}
        return {name: described.get(name, {"$missing": True}) for name in names}

    def _open_comm(self) -> None:
        client = self.kernel.client
        self.comm_id = secrets.token_hex(16)
        with contextlib.suppress(Exception):
            client.shell_channel.send(
                client.session.msg(
                    "comm_open", {"comm_id": self.comm_id, "target_name": self.target, "data": {}}
                )
            )
            return
        self.comm_id = ""

    def _comm_call(self, data: dict[str, Any], timeout_s: float) -> dict[str, Any]:
        """One question as a comm message; the kernel answers on iopub. Raises ChannelError like call_json."""
        from .execute import INTERRUPT_GRACE_S, ChannelError, _send_interrupt

        client = self.kernel.client
        message = client.session.msg("comm_msg", {"comm_id": self.comm_id, "data": data})
        try:
            client.shell_channel.send(message)
        except Exception as error:
            raise ChannelError("the kernel could not be reached") from error
        wanted = message["header"]["msg_id"]
        end = time.monotonic() + timeout_s
        interrupted = False
        while True:
            left = end - time.monotonic()
            if left <= 0:
                if interrupted or not self.kernel.is_alive():
                    raise ChannelError(f"timeout: no answer within {timeout_s:g} s")
                _send_interrupt(self.kernel)
                interrupted, end = True, time.monotonic() + INTERRUPT_GRACE_S
                continue
            if not self.kernel.is_alive():
                raise ChannelError("the kernel stopped while evaluating the expression")
            try:
                reply = client.get_iopub_msg(timeout=min(left, 0.05))
            except queue.Empty:
                continue
            parent = reply.get("parent_header") or {}
            if reply.get("msg_type") != "comm_msg" or parent.get("msg_id") != wanted:
                continue  # what the learner's code printed while it ran: never shown
            data = (reply.get("content") or {}).get("data") or {}
            if interrupted:
                raise ChannelError(f"timeout: no answer within {timeout_s:g} s")
            answer = data.get("reply") if isinstance(data, dict) else None
            if not isinstance(answer, dict):
                raise ChannelError("the kernel answered with something else")
            return answer

    def call(self, request: str, until: float) -> dict[str, Any]:
        """One forwarded call; an error reply in the judge's terms when the kernel fails us."""
        from .execute import ChannelError, call_json

        if len(request) > WIRE_BYTES:
            return _error(
                UNTRANSFERABLE, "the arguments are larger than the grader passes to your code"
            )
        timeout_s = self._timeout(until)
        reply: object
        try:
            if self.comm_id:
                reply = self._comm_call({"request": request}, timeout_s)
            else:
                end = f"__import__({LEARNER_MODULE!r})" if self.installed else self._installer()
                reply = call_json(
                    self.kernel,
                    f"{end}.call({request!r}, globals())",
                    max_bytes=WIRE_BYTES,
                    timeout_s=timeout_s,
                )
        except ChannelError as error:
            reason = str(error)
            if reason.startswith("timeout"):
                return _error("TimeoutError", f"your code did not return within {timeout_s:.3g} s")
            if "larger than" in reason or "not valid JSON" in reason:
                return _error(UNTRANSFERABLE, f"the value returned could not be read: {reason}")
            return _error(
                "RuntimeError", f"your notebook's kernel could not answer the tests: {reason}"
            )
        if not isinstance(reply, dict) or not (
            {"value"} == reply.keys() or {"error"} == reply.keys()
        ):
            return _error(
                "RuntimeError", "your notebook's kernel answered the tests with something else"
            )
        return reply

    def _installer(self) -> str:
        """Write the learner's end into the kernel's home; the expression that installs it."""
        name = f".pma-judge-{secrets.token_hex(8)}.py"
        with contextlib.suppress(OSError):
            (self.kernel.run_dir / name).write_text(LEARNER_SOURCE, encoding="utf-8")
        return LEARNER_END.format(path=str(self.kernel.inner_run_dir / name))

    def _timeout(self, until: float) -> float:
        return max(min(self.cell_timeout_s, until - time.monotonic()), 0.001)


def is_handle(described: Any) -> bool:
    """A described learner name that stays in the kernel (a function or object), not a value."""
    return isinstance(described, dict) and isinstance(described.get("$handle"), dict)


def _error(ename: str, evalue: str) -> dict[str, Any]:
    return {"error": {"ename": ename, "evalue": evalue}}
