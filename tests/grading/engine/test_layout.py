"""The engine's two halves, checked on the source: when it loads, the sandbox leans on the grading
steps only at the seams ``grading/engine/sandbox/__init__.py`` lists (anything else stays lazy)."""

import ast
from pathlib import Path

import grading.engine.sandbox as sandbox

SANDBOX = Path(sandbox.__file__).resolve().parent
ENGINE = SANDBOX.parent
STEPS = {path.stem for path in ENGINE.glob("*.py")} - {"__init__"}
# What the sandbox may import from the steps when a module loads: the shared limits, the first
# cell a kernel runs before it is handed over, the judge's constants and its start handle.
SEAMS = {"limits", "execute", "judge"}


def module_level_imports(path: Path) -> set[str]:
    """Absolute modules imported when ``path`` loads (not in functions, not for type checking)."""
    names: set[str] = set()
    for node in ast.parse(path.read_text(), filename=str(path)).body:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            package = ["", "grading.engine.sandbox", "grading.engine"][node.level]
            if node.module:
                names.add(f"{package}.{node.module}" if package else node.module)
            else:  # from .. import judge
                names.update(f"{package}.{alias.name}" for alias in node.names)
    return names


def test_the_sandbox_imports_the_steps_only_at_its_seams():
    offenders = sorted(
        f"{path.name} imports {name}"
        for path in SANDBOX.glob("*.py")
        for name in module_level_imports(path)
        if name.startswith("grading.engine.") and name.split(".")[2] in STEPS - SEAMS
    )
    assert offenders == []


def test_the_zygote_imports_nothing_of_the_project():
    # forkserver runs its source in a fresh interpreter with an allow-listed environment.
    tree = ast.parse((SANDBOX / "zygote.py").read_text())
    imported = {
        alias.name if isinstance(node, ast.Import) else node.module or ""
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert not {
        name for name in imported if name.split(".")[0] in {"grading", "exercises", "django"}
    }
    assert not [node for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.level]
