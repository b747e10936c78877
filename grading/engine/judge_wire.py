"""The judge's wire: learner values as tagged JSON, both ends of a forwarded call, the judge's loop.

The grader never imports this module to run it. Its source is executed in two places, standard
library only:

* in the **judge process** (``python -I -S``, sandboxed, no learner code ever runs there), where
  ``judge_main`` reads commands as JSON lines, binds learner names as plain values or as
  ``LearnerObject`` stand-ins, runs the instructor's test code, and turns each call of a learner
  function into one JSON request the grader relays;
* in the **learner's kernel**, after the learner's cells ran, as ``__pma_judge__``: ``describe``
  and ``call`` answer those requests with tagged JSON, and ``rebind`` applies a test's deletions
  and rebindings of the learner's names (see "the tests' own deletions and rebindings" below).

Only plain values cross: None, bools, ints, floats (with nan/inf), strings, bytes, complex, lists,
tuples, dicts, sets and frozensets, nested at most ``MAX_DEPTH`` deep. Anything else stays in the
learner's kernel as a numbered handle: the judge can pass it back as an argument or call it, and any
other use raises ``UntransferableValue``. Whatever the learner's kernel sends is only data: the
judge decodes it with exact type checks and compares it with its own, unpatched operators.
"""

from __future__ import annotations

# Only modules built into the interpreter: ``json``, ``base64``, ``signal`` and ``ast`` would import
# ``re`` and ``enum``, which doubles the judge's start (9 -> 20 ms of CPU, see docs/performance.md).
import _ast
import _json
import _signal
import binascii
import builtins
import math
import os
import sys

MAX_DEPTH = 64
MAX_INT_DIGITS = 4300
MAX_HANDLES = 10_000
MAX_REPLY_CHARS = 1024 * 1024
EVALUE_CHARS = 2000
#: Exceptions a learner function may raise that keep their builtin type in the judge, so a test's
#: ``except ValueError`` works as it does in a notebook. Any other name becomes a LearnerError.
BUILTIN_ERRORS = frozenset(
    {
        "ArithmeticError",
        "AssertionError",
        "AttributeError",
        "EOFError",
        "FileNotFoundError",
        "FloatingPointError",
        "ImportError",
        "IndexError",
        "KeyError",
        "LookupError",
        "ModuleNotFoundError",
        "NameError",
        "NotImplementedError",
        "OSError",
        "OverflowError",
        "RecursionError",
        "RuntimeError",
        "StopIteration",
        "TimeoutError",
        "TypeError",
        "UnboundLocalError",
        "UnicodeError",
        "ValueError",
        "ZeroDivisionError",
        "MemoryError",
    }
)


class UntransferableValue(TypeError):
    """A value that cannot cross between the learner's kernel and the judge as plain data."""


class LearnerError(Exception):
    """An exception raised by learner code whose type is not a builtin one."""


#: Values that stand for something in the learner's kernel (the judge's end sets it).
_REFERENCES: tuple = ()


# --- strict JSON, from the interpreter's own C codec ---------------------------------------


def _refuse_constant(name):
    raise ValueError(f"{name} is not JSON")


def _not_serializable(value):
    raise TypeError(f"a {type(value).__name__} is not JSON")


class _Strict:
    """What ``_json.make_scanner`` reads from a decoder: json.JSONDecoder's defaults, but NaN and
    Infinity refused."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = staticmethod(_refuse_constant)


_scan = _json.make_scanner(_Strict())  # type: ignore[arg-type]  # it reads these attributes
_WHITESPACE = " \t\n\r"


def dumps(value):
    """``json.dumps(value, allow_nan=False, separators=(",", ":"))``."""
    # A new encoder each time, as json.dumps makes: one that failed keeps stale circular-check marks.
    encoder = _json.make_encoder(
        {}, _not_serializable, _json.encode_basestring_ascii, None, ":", ",", False, False, False
    )
    return "".join(encoder(value, 0))


def loads(text):
    """``json.loads(text)`` for strict JSON: ValueError for anything else, NaN included."""
    start = len(text) - len(text.lstrip(_WHITESPACE))
    try:
        value, end = _scan(text, start)
    except StopIteration:
        raise ValueError("not JSON") from None
    if end != len(text.rstrip(_WHITESPACE)):
        raise ValueError("more than one JSON value")
    return value


# --- values as tagged JSON ------------------------------------------------------------------


def encode(value, handle=None, depth=0):
    """Tagged JSON for ``value``. ``handle(value)`` -> a tag for what is not plain data, or None."""
    if depth > MAX_DEPTH:
        raise UntransferableValue(f"the value is nested more than {MAX_DEPTH} levels deep")
    if value is None or isinstance(value, bool):
        return None if value is None else bool(value)
    if isinstance(value, _REFERENCES):
        return {"$handle": value._pma_handle}
    if isinstance(value, int | float):
        return _encode_real(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, bytes | bytearray):
        return {"$bytes": binascii.b2a_base64(bytes(value), newline=False).decode("ascii")}
    if isinstance(value, complex):
        return {
            "$complex": [encode(value.real, None, depth + 1), encode(value.imag, None, depth + 1)]
        }
    items = _encode_items(value, handle, depth)
    if items is not None:
        return items
    if handle is not None:
        return handle(value)
    raise UntransferableValue(
        f"a {type(value).__name__} cannot be passed to your code; pass plain values"
    )


def _encode_real(value):
    """An int or float as JSON, tagged where a JSON reader would lose it (beyond 2**53, nan, inf)."""
    if isinstance(value, int):
        value = int(value)
        if -(2**53) < value < 2**53:
            return value
        if value.bit_length() > MAX_INT_DIGITS * 3.33:
            raise UntransferableValue(f"an integer with more than {MAX_INT_DIGITS} digits")
        return {"$int": str(value)}
    value = float(value)
    return value if math.isfinite(value) else {"$float": repr(value)}


def _encode_items(value, handle, depth):
    """Tagged JSON for a list, tuple, dict or set (a subclass only with ``handle``); None for the rest."""
    if type(value) is list or (isinstance(value, list) and handle is not None):
        return [encode(v, handle, depth + 1) for v in list(value)]
    if isinstance(value, tuple) and (type(value) is tuple or handle is not None):
        return {"$tuple": [encode(v, handle, depth + 1) for v in tuple(value)]}
    if isinstance(value, dict) and (type(value) is dict or handle is not None):
        return {
            "$dict": [
                [encode(k, handle, depth + 1), encode(v, handle, depth + 1)]
                for k, v in dict(value).items()
            ]
        }
    if isinstance(value, frozenset):
        return {"$frozenset": [encode(v, handle, depth + 1) for v in value]}
    if isinstance(value, set):
        return {"$set": [encode(v, handle, depth + 1) for v in value]}
    return None


def decode(data, depth=0, resolve=None):
    """The value ``data`` stands for; ValueError for anything that is not a well-formed tag."""
    if depth > MAX_DEPTH + 1:
        raise ValueError("nested too deeply")
    kind = type(data)
    if data is None or kind is bool or kind is str or kind is float:
        return data
    if kind is int:
        return data
    if kind is list:
        return [decode(v, depth + 1, resolve) for v in data]
    if kind is not dict or len(data) != 1:
        raise ValueError("not a judge value")
    ((tag, body),) = data.items()
    return _decode_tag(tag, body, depth, resolve)


def _decode_tag(tag, body, depth, resolve):
    """The value one ``{tag: body}`` stands for; ValueError for an unknown tag or a malformed body."""
    if tag == "$int" and type(body) is str and len(body) <= MAX_INT_DIGITS + 1:
        return int(body)
    if tag == "$float" and body in ("nan", "inf", "-inf"):
        return float(body)
    if tag == "$bytes" and type(body) is str:
        try:
            return binascii.a2b_base64(body.encode("ascii"), strict_mode=True)
        except binascii.Error as error:
            raise ValueError(f"not base64: {error}") from None
    if tag == "$complex" and type(body) is list and len(body) == 2:
        return complex(decode(body[0], depth + 1), decode(body[1], depth + 1))
    if tag in ("$tuple", "$set", "$frozenset") and type(body) is list:
        values = [decode(v, depth + 1, resolve) for v in body]
        return {"$tuple": tuple, "$set": set, "$frozenset": frozenset}[tag](values)
    if tag == "$dict" and type(body) is list:
        return _decode_pairs(body, depth, resolve)
    if tag == "$handle" and resolve is not None:
        return resolve(body)
    raise ValueError(f"unknown tag {tag[:20]!r}")


def _decode_pairs(body, depth, resolve):
    """The dict a ``$dict`` body of [key, value] pairs stands for; ValueError for anything but pairs."""
    result = {}
    for pair in body:
        if type(pair) is not list or len(pair) != 2:
            raise ValueError("a dict entry is not a pair")
        result[decode(pair[0], depth + 1, resolve)] = decode(pair[1], depth + 1, resolve)
    return result


# --- the learner's end ----------------------------------------------------------------------


class _Nowhere:
    """A text stream that keeps nothing."""

    def write(self, text):
        return len(text)

    def flush(self):
        pass

    def isatty(self):
        return False


_NOWHERE = _Nowhere()

_handles: list = []


def _handle(value):
    if len(_handles) >= MAX_HANDLES:
        raise UntransferableValue("too many values kept for the judge")
    _handles.append(value)
    return {
        "$handle": {
            "id": len(_handles) - 1,
            "type": type(value).__name__[:80],
            "callable": callable(value),
        }
    }


def _learner_resolve(body):
    if type(body) is not int or not 0 <= body < len(_handles):
        raise ValueError("unknown handle")
    return _handles[body]


def describe(namespace, names):
    """{name: tagged value} for the learner's names; {"$missing": true} where a name is unbound."""
    described = {}
    for name in names:
        if name not in namespace:
            described[name] = {"$missing": True}
            continue
        value = namespace[name]
        described[name] = _handle(value) if callable(value) else encode(value, _handle)
    return described


def open_channel(target, kernel=None):
    """Answer the grader's comm messages on ``target`` (no cell run per question); False if not.

    ``kernel`` is the ipykernel Kernel (default: the running shell's, from inside a cell).
    """
    try:
        if kernel is None:
            kernel = builtins.get_ipython().kernel  # type: ignore[attr-defined]  # IPython's own builtin

        def _opened(comm, open_msg):
            @comm.on_msg
            def _handle(msg):
                comm.send({"reply": answer(msg["content"]["data"], kernel.shell.user_ns)})

        kernel.comm_manager.register_target(target, _opened)
        return True
    except Exception:  # noqa: BLE001 - questions then go through cells
        return False


def answer(data, namespace):
    """One comm question: {"request": a forwarded call} or {"describe": [names in namespace]}."""
    if "describe" in data:
        try:
            described = describe(namespace, [str(name) for name in data["describe"]])
            if len(dumps(described)) > MAX_REPLY_CHARS:
                raise UntransferableValue(
                    f"the values are larger than {MAX_REPLY_CHARS // 1024} KiB as JSON"
                )
        except Exception as error:  # noqa: BLE001 - reported to the grader
            return {
                "error": {"ename": type(error).__name__[:200], "evalue": str(error)[:EVALUE_CHARS]}
            }
        return {"value": described}
    return call(data["request"], namespace)


def _imported(body):
    """The object a judge's ``{"$import": [module, qualname]}`` names, imported in this kernel."""
    if type(body) is not list or len(body) != 2 or not all(type(part) is str for part in body):
        raise ValueError("a malformed import")
    module, qualname = body
    __import__(module)
    value = sys.modules[module]
    for part in qualname.split(".") if qualname else ():
        value = getattr(value, part)
    return value


def rebind(namespace, sync):
    """Apply what the tests did to the learner's names: ``[[name, tagged value], ...]``, where
    ``{"$missing": true}`` deletes the name and ``{"$import": [module, qualname]}`` imports it."""
    if type(sync) is not list:
        raise ValueError("a malformed rebinding")
    for entry in sync:
        if type(entry) is not list or len(entry) != 2 or type(entry[0]) is not str:
            raise ValueError("a malformed rebinding")
        name, data = entry
        if data == {"$missing": True}:
            namespace.pop(name, None)
        elif type(data) is dict and len(data) == 1 and "$import" in data:
            namespace[name] = _imported(data["$import"])
        else:
            namespace[name] = decode(data, resolve=_learner_resolve)


def call(request_text, namespace=None):
    """Run one forwarded call; {"value": ...} or {"error": {"ename", "evalue"}}.

    A request may carry ``"sync"``: the tests' deletions and rebindings of the learner's names
    (``rebind``), applied to ``namespace`` first; one with nothing else only applies them.
    """
    request = loads(request_text)
    if "sync" in request:
        try:
            rebind(namespace, request["sync"])
        except Exception as error:  # noqa: BLE001 - reported to the judge like a call's failure
            return {
                "error": {"ename": type(error).__name__[:200], "evalue": str(error)[:EVALUE_CHARS]}
            }
        if "handle" not in request:
            return {"value": None}
    target = _learner_resolve(request["handle"])
    args = decode(request["args"], resolve=_learner_resolve)
    kwargs = decode(request["kwargs"], resolve=_learner_resolve)
    # What learner code prints while a test calls it is never shown: drop it at the source, so it
    # costs no messages either (an oversized one makes zmq drop the connection for a while).
    streams = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = _NOWHERE
    try:
        result = target(*args, **kwargs)
    except BaseException as error:  # noqa: BLE001 - every failure of learner code is reported
        return {"error": {"ename": type(error).__name__[:200], "evalue": str(error)[:EVALUE_CHARS]}}
    finally:
        sys.stdout, sys.stderr = streams
    try:
        value = encode(result, _handle)
        if len(dumps(value)) > MAX_REPLY_CHARS:
            raise UntransferableValue(
                f"the value returned is larger than {MAX_REPLY_CHARS // 1024} KiB as JSON"
            )
        return {"value": value}
    except UntransferableValue as error:
        return {"error": {"ename": "UntransferableValue", "evalue": str(error)}}


# --- the judge's end ------------------------------------------------------------------------


class LearnerObject:
    """A learner value that stays in the learner's kernel: callable when it is a function."""

    __slots__ = ("_pma_callable", "_pma_handle", "_pma_name", "_pma_type")

    def __init__(self, handle, type_name, is_callable, name):
        object.__setattr__(self, "_pma_handle", handle)
        object.__setattr__(self, "_pma_type", type_name)
        object.__setattr__(self, "_pma_callable", is_callable)
        object.__setattr__(self, "_pma_name", name)

    def __call__(self, *args, **kwargs):
        if not self._pma_callable:
            self._pma_unavailable()
        return _forward(self._pma_handle, args, kwargs)

    def __repr__(self):
        return f"<{self._pma_type} {self._pma_name} in the learner's notebook>"

    def _pma_unavailable(self, *args, **kwargs):
        raise UntransferableValue(
            f"{self._pma_name} is a {self._pma_type}, which cannot be checked outside your notebook; "
            "return plain Python values (numbers, strings, lists, tuples, dicts or sets)"
        )

    def __getattr__(self, name):
        if name in ("__name__", "__qualname__"):
            return self._pma_name
        self._pma_unavailable()


for _dunder in (  # noqa: SIM905 - one readable block of names
    "__eq__ __ne__ __lt__ __le__ __gt__ __ge__ __hash__ __bool__ __len__ __iter__ __contains__ "
    "__getitem__ __setitem__ __delitem__ __add__ __radd__ __sub__ __rsub__ __mul__ __rmul__ "
    "__truediv__ __rtruediv__ __floordiv__ __rfloordiv__ __mod__ __rmod__ __pow__ __rpow__ __neg__ "
    "__pos__ __abs__ __int__ __float__ __index__ __round__ __and__ __or__ __xor__ __invert__ "
    "__str__ __format__ __setattr__ __delattr__ __reversed__ __enter__ __exit__"
).split():
    setattr(LearnerObject, _dunder, LearnerObject._pma_unavailable)
LearnerObject.__hash__ = LearnerObject._pma_unavailable  # type: ignore[assignment]
_REFERENCES = (LearnerObject,)


_channel: dict = {}


def _judge_resolve(name):
    def resolve(body):
        if type(body) is not dict or type(body.get("id")) is not int:
            raise ValueError("a malformed handle")
        return LearnerObject(
            body["id"], str(body.get("type", "object"))[:80], body.get("callable") is True, name
        )

    return resolve


def _forward(handle, args, kwargs):
    request = {
        "handle": handle,
        "args": encode(list(args)),
        "kwargs": {"$dict": [[k, encode(v)] for k, v in kwargs.items()]},
    }
    changed, sync, failure = _changes() if _cell["sync"] else ([], [], None)
    if failure is not None:
        # Learner code must not run with one of its names other than the test left it.
        _cell["untransferable"] = _cell["untransferable"] or (failure, _test_line())
        raise UntransferableValue(failure)
    if sync:
        request["sync"] = sync
        _agreed(changed)
    reply = _exchange({"call": dumps(request)})
    if "value" in reply:
        try:
            return decode(reply["value"], resolve=_judge_resolve("the value returned"))
        except (ValueError, TypeError, RecursionError) as error:
            raise UntransferableValue(f"the value returned could not be read: {error}") from None
    failure = reply.get("error") if isinstance(reply.get("error"), dict) else {}
    ename = str(failure.get("ename", "LearnerError"))[:200]
    evalue = str(failure.get("evalue", ""))[:EVALUE_CHARS]
    if ename == "UntransferableValue":
        raise UntransferableValue(evalue)
    if ename in BUILTIN_ERRORS:
        raise getattr(builtins, ename)(evalue)
    name = ename if ename.isidentifier() else "LearnerError"
    raise type(name, (LearnerError,), {})(evalue)


def _exchange(message):
    _channel["out"].write(dumps(message) + "\n")
    _channel["out"].flush()
    line = _channel["in"].readline()
    if not line:
        raise SystemExit(0)
    return loads(line)


# --- the tests' own deletions and rebindings of learner names -------------------------------
#
# In nbgrader a test runs in the learner's namespace: ``del helper`` there makes the learner's
# functions that use ``helper`` fail with NameError, ``helper = saved`` puts it back. Here a test
# changes only the judge's namespace, so the judge compares the learner names it holds with what
# the learner's kernel was last known to hold, and sends the differences (``"sync"``) before learner
# code next runs (with the call, in the same message) and at the end of the cell. Comparing the
# namespace itself, not watching statements, catches every form: ``del``, assignment, ``import``,
# ``for``, ``global`` inside a function, ``globals()[name]``, ``exec``. Only the judge sends: the
# kernel's answer to a rebinding is never read, so learner code cannot change a verdict through it.
# A name crosses as plain data, as the learner object it stood for, or imported again by name (a
# module, or a function or class of one); anything else the test made (its own function, an
# instance) cannot reach the kernel: the cell's verdict is then UntransferableValue, and validation
# runs it in the learner's kernel (the judge's other values that cannot cross get the same rule).


class _Unbound:
    """What ``_synced`` holds for a name the learner's kernel does not have."""


_UNBOUND = _Unbound()
#: For each learner name the judge bound: the object its namespace held when the judge and the
#: learner's kernel last agreed on it (``_UNBOUND``: unbound in both).
_synced: dict = {}
#: Learner names whose binding in the kernel came from the tests: a handle the grader described
#: before that is out of date.
_rebound: set = set()
#: The running cell: its namespace, whether it is a test (whose changes are sent; a read-only cell
#: already ran in the kernel), and why a learner call could not run as the test left things.
_cell: dict = {"namespace": None, "sync": True, "untransferable": None}


def bind(namespace, described):
    """Bind the learner names the grader described for this cell (a test's change not yet sent,
    and a handle described before the tests rebound the name, are older than what the judge has)."""
    for name, data in described.items():
        if name in _synced and namespace.get(name, _UNBOUND) is not _synced[name]:
            continue
        if name in _rebound and type(data) is dict and "$handle" in data:
            continue
        if data == {"$missing": True}:
            namespace.pop(name, None)
            _synced[name] = _UNBOUND
            continue
        value = decode(data, resolve=_judge_resolve(name))
        namespace[name] = value
        _synced[name] = value


def _changes():
    """The learner names the tests changed since the kernel last had them: (name, value) pairs,
    their tagged JSON, and why one cannot cross (None when all can)."""
    namespace = _cell["namespace"]
    changed, sync, failure = [], [], None
    for name, was in list(_synced.items()):
        now = namespace.get(name, _UNBOUND)
        if now is was:
            continue
        try:
            data = _crossing(name, now)
        except UntransferableValue as error:
            failure = failure or _text(error)
            continue
        changed.append((name, now))
        sync.append([name, data])
    return changed, sync, failure


def _agreed(changed):
    for name, now in changed:
        _synced[name] = now
        _rebound.add(name)


def _crossing(name, value):
    """Tagged JSON for what a test bound a learner name to; UntransferableValue if it cannot cross."""
    if value is _UNBOUND:
        return {"$missing": True}
    try:
        data = encode(value)
    except UntransferableValue:
        place = _import_path(value)
        if place is None:
            raise UntransferableValue(
                f"the test sets {name}, a name the solution defines, to a {type(value).__name__[:80]} "
                "of its own, which cannot be put in the notebook (plain values, the notebook's own "
                "objects and importable modules, functions and classes can)"
            ) from None
        return {"$import": list(place)}
    if len(dumps(data)) > MAX_REPLY_CHARS:
        raise UntransferableValue(
            f"the test sets {name}, a name the solution defines, to a value larger than "
            f"{MAX_REPLY_CHARS // 1024} KiB as JSON, which the grader does not pass to the notebook"
        )
    return data


def _import_path(value):
    """(module, qualified name) by which the kernel can import ``value`` again, or None."""
    try:
        if type(value) is type(sys):
            name = value.__name__
            return (name, "") if type(name) is str and sys.modules.get(name) is value else None
        module = getattr(value, "__module__", None)
        qualname = getattr(value, "__qualname__", None)
        if type(module) is not str or type(qualname) is not str or module == "__main__":
            return None
        found = sys.modules.get(module)
        for part in qualname.split("."):
            found = getattr(found, part, None)
        return (module, qualname) if found is value and found is not None else None
    except Exception:  # noqa: BLE001 - an object that will not say is not importable
        return None


def _test_line():
    """The cell's top-level line running now (the outermost frame of the test's code)."""
    frame, line = sys._getframe(1), None
    while True:
        if frame.f_code.co_filename == "<test>":
            line = frame.f_lineno
        if frame.f_back is None:
            return line
        frame = frame.f_back


def _settle(answer):
    """At a cell's end: send the learner names it left changed; its verdict is UntransferableValue
    when it left one that cannot cross, or a learner call met one. A read-only cell's changes are
    only the judge's: the kernel ran the cell in its place, and its own names win at the next bind."""
    if not _cell["sync"]:
        namespace = _cell["namespace"]
        for name in _synced:
            _synced[name] = namespace.get(name, _UNBOUND)
        return
    changed, sync, failure = _changes()
    if sync:
        _agreed(changed)
        _exchange({"call": dumps({"sync": sync})})  # the answer is the kernel's: not read
    untransferable = _cell["untransferable"] or (failure and (failure, None))
    if untransferable:
        answer.update(
            status="error",
            ename="UntransferableValue",
            evalue=untransferable[0],
            line=untransferable[1],
        )


class _CellTimeout(BaseException):
    pass


def _on_alarm(signum, frame):
    raise _CellTimeout()


def _run(namespace, code, timeout_s):
    """Run one cell as IPython would: statements, then the last expression's value (partial credit)."""
    tree = compile(code, "<test>", "exec", _ast.PyCF_ONLY_AST)
    assert isinstance(tree, _ast.Module)  # noqa: S101 - what "exec" mode parses to
    last = None
    if tree.body and isinstance(tree.body[-1], _ast.Expr):
        last = _ast.Expression(tree.body.pop().value)  # type: ignore[attr-defined]  # an Expr
    _signal.setitimer(_signal.ITIMER_REAL, max(timeout_s, 0.001))
    try:
        exec(compile(tree, "<test>", "exec"), namespace)  # noqa: S102 - the instructor's test code
        value = eval(compile(last, "<test>", "eval"), namespace) if last is not None else None  # noqa: S307
    finally:
        _signal.setitimer(_signal.ITIMER_REAL, 0)
    return None if value is None else repr(value)[:200]


def _cell_line(error):
    """The line of the cell's top-level statement that was running when ``error`` was raised."""
    trace = error.__traceback__
    while trace is not None:
        if trace.tb_frame.f_code.co_filename == "<test>":
            return trace.tb_lineno
        trace = trace.tb_next
    return None


def _text(error):
    try:
        return str(error)[:EVALUE_CHARS]
    except BaseException:  # noqa: BLE001 - a message that cannot be made is no message
        return ""


def judge_main():
    """Commands in on fd 0, answers and forwarded calls out on fd 1; print() goes nowhere."""
    _channel["in"] = os.fdopen(os.dup(0), "r", encoding="utf-8")
    _channel["out"] = os.fdopen(os.dup(1), "w", encoding="utf-8")
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.dup2(null, 2)
    import io

    sys.stdin = io.StringIO("")
    _signal.signal(_signal.SIGALRM, _on_alarm)
    namespace = {"__name__": "__main__", "__builtins__": builtins}
    _cell["namespace"] = namespace
    while True:
        line = _channel["in"].readline()
        if not line:
            return
        command = loads(line)
        sys.stdout = io.StringIO()
        sys.stderr = io.StringIO()
        answer = {"status": "ok", "ename": "", "evalue": "", "result": None, "line": None}
        _cell["untransferable"] = None
        _cell["sync"] = command.get("sync", True) is True
        timed_out = False
        try:
            bind(namespace, command.get("bind", {}))
            answer["result"] = _run(namespace, command["code"], float(command["timeout_s"]))
        except _CellTimeout as error:
            timed_out = True
            answer.update(
                status="error",
                ename="TimeoutError",
                evalue="the cell ran longer than its time limit",
                line=_cell_line(error),
            )
        except BaseException as error:  # noqa: BLE001 - a test's failure is its verdict
            answer.update(
                status="error",
                ename=type(error).__name__[:200],
                evalue=_text(error),
                line=_cell_line(error),
            )
        if not timed_out:
            # A cell cut off by its alarm leaves its changes to the next learner call.
            _settle(answer)
        _channel["out"].write(dumps({"done": answer}) + "\n")
        _channel["out"].flush()
