"""The parts of Otter's assignment config (``# ASSIGNMENT CONFIG``) that change the exercise."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from exercises.format.texts import gettext_noop

from .cells import RawCell, config_text


class ConfigError(ValueError):
    """An assignment or question config that is not a YAML mapping."""


@dataclass(frozen=True)
class AssignmentConfig:
    #: Apply solution removal to every code cell, not only those in solution blocks (Otter: false).
    strip_solutions_from_all_cells: bool = False
    #: Tests compare outputs as doctests (Otter's default) rather than raising exceptions.
    ok_format: bool = True
    #: The seed variable whose assignments the student notebook gets with ``student_value``.
    seed_variable: str = ""
    seed_student_value: Any = None


def read_yaml(cell: RawCell) -> dict[str, Any]:
    """A config cell's YAML as a mapping (its first line is the ``# ...`` comment); raises ConfigError."""
    try:
        config = yaml.safe_load(config_text(cell))
    except yaml.YAMLError as exc:
        raise ConfigError(
            gettext_noop("its YAML does not parse (%(first_line)s)")
            % {"first_line": _first_line(exc)}
        ) from None
    if config is None:
        return {}
    if not isinstance(config, dict):
        raise ConfigError(gettext_noop("its YAML is not a mapping of keys to values"))
    return config


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def assignment_config(raw: dict[str, Any], current: AssignmentConfig) -> AssignmentConfig:
    """``current`` updated with what an ``# ASSIGNMENT CONFIG`` cell sets."""
    tests = raw.get("tests")
    seed = raw.get("seed")
    variable, student = current.seed_variable, current.seed_student_value
    if isinstance(seed, dict) and seed.get("variable"):
        variable, student = str(seed["variable"]), seed.get("student_value")
    return AssignmentConfig(
        strip_solutions_from_all_cells=bool(
            raw.get("strip_solutions_from_all_cells", current.strip_solutions_from_all_cells)
        ),
        ok_format=bool(tests.get("ok_format", True))
        if isinstance(tests, dict)
        else current.ok_format,
        seed_variable=variable,
        seed_student_value=student,
    )
