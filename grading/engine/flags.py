"""Static review flags: answer cells that reach for kernel internals (AST scan, never executed)."""

from __future__ import annotations

import ast
import re

#: Modules whose import from an answer cell means the learner is working on the kernel, not the task.
SUSPECT_MODULES = frozenset(
    {
        "ipykernel",
        "IPython",
        "jupyter_client",
        "zmq",
        "ctypes",
        "gc",
        "inspect",
        "signal",
        "builtins",
        "importlib",
        "sys",
        "traceback",
        "faulthandler",
        "tracemalloc",
        "pty",
        "socket",
        "subprocess",
        "multiprocessing",
        "threading",
        "_thread",
        "atexit",
        "marshal",
    }
)
#: Everyday modules: importing them is fine, only the members below are flagged.
ORDINARY_MODULES = frozenset({"sys", "os"})
#: Modules that are ordinary to import but have members that touch internals.
SUSPECT_ATTRIBUTES = {
    "sys": {
        "modules",
        "_getframe",
        "settrace",
        "setprofile",
        "excepthook",
        "displayhook",
        "meta_path",
        "path_hooks",
        "addaudithook",
        "__stdout__",
        "__stderr__",
    },
    "inspect": {"currentframe", "stack", "getouterframes", "getsource", "getmembers"},
    "gc": {"get_objects", "get_referrers", "get_referents"},
    "os": {
        "kill",
        "killpg",
        "_exit",
        "fork",
        "forkpty",
        "system",
        "popen",
        "execv",
        "execve",
        "execvp",
        "setsid",
        "environ",
        "abort",
    },
    "signal": {"signal", "alarm", "setitimer", "pthread_kill", "SIGINT"},
}
SUSPECT_NAMES = frozenset(
    {
        "get_ipython",
        "__builtins__",
        "__import__",
        "exec",
        "eval",
        "compile",
        "globals",
        "breakpoint",
        "__loader__",
        "__spec__",
        "_ih",
        "_oh",
    }
)
SUSPECT_DUNDERS = frozenset(
    {
        "__subclasses__",
        "__globals__",
        "__code__",
        "__closure__",
        "__builtins__",
        "__mro__",
        "__bases__",
        "__dict__",
        "f_back",
        "f_globals",
        "f_locals",
        "tb_frame",
        "gi_frame",
        "__self__",
    }
)
_SHELL_LINE = re.compile(
    r"^\s*(!|%%?(?:bash|sh|system|sx|script|writefile|load|run|env|pycat)\b)", re.MULTILINE
)
_MAGIC_LINE = re.compile(r"^\s*(%%?|!).*$", re.MULTILINE)


def _root_name(node: ast.AST) -> str:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else ""


def kernel_internals(code: str) -> list[str]:
    """Sorted, de-duplicated names of the kernel internals an answer cell touches."""
    found: set[str] = set()
    if _SHELL_LINE.search(code):
        found.add("shell command")
    try:
        tree = ast.parse(_MAGIC_LINE.sub("", code))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        # Code that does not parse cannot run either; the run reports the error.
        return sorted(found)
    # One walk in ast.walk's order: an alias counts only for attributes reached after its import.
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            _check_import(node, aliases, found)
        elif isinstance(node, ast.ImportFrom) and node.module:
            _check_import_from(node.module, node, found)
        elif isinstance(node, ast.Name) and node.id in SUSPECT_NAMES:
            found.add(node.id)
        elif isinstance(node, ast.Attribute):
            _check_attribute(node, aliases, found)
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and node.value in SUSPECT_NAMES
        ):
            # getattr(obj, "get_ipython") and friends
            found.add(node.value)
    return sorted(found)


def _check_import(node: ast.Import, aliases: dict[str, str], found: set[str]) -> None:
    """Whether ``import ...`` brings in a suspect module; remembers the names it binds for attributes."""
    for alias in node.names:
        top = alias.name.split(".")[0]
        aliases[alias.asname or top] = top
        if top in SUSPECT_MODULES and top not in ORDINARY_MODULES:
            found.add(f"import {top}")


def _check_import_from(module: str, node: ast.ImportFrom, found: set[str]) -> None:
    """Whether ``from module import ...`` takes suspect members, or comes from a suspect module."""
    top = module.split(".")[0]
    for alias in node.names:
        if top in SUSPECT_ATTRIBUTES and alias.name in SUSPECT_ATTRIBUTES[top]:
            found.add(f"{top}.{alias.name}")
    if top in SUSPECT_MODULES and top not in ORDINARY_MODULES:
        found.add(f"import {top}")


def _check_attribute(node: ast.Attribute, aliases: dict[str, str], found: set[str]) -> None:
    """Whether ``x.attr`` is a suspect member of a module (through its alias) or a suspect dunder."""
    module = aliases.get(_root_name(node.value), _root_name(node.value))
    if isinstance(node.value, ast.Name) and node.attr in SUSPECT_ATTRIBUTES.get(module, ()):
        found.add(f"{module}.{node.attr}")
    elif node.attr in SUSPECT_DUNDERS:
        found.add(node.attr)
