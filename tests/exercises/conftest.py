"""Fixture notebooks for the exercise-format tests."""

from pathlib import Path

import pytest

from exercises.format import load_notebook_bytes

EXERCISES = Path(__file__).resolve().parent.parent / "fixtures" / "exercises"


def load_exercise(name: str):
    return load_notebook_bytes((EXERCISES / name).read_bytes(), max_bytes=2 * 2**20)


@pytest.fixture
def rice_schema3():
    return load_exercise("rice_nbgrader_schema3.ipynb")


@pytest.fixture
def rice_schema4():
    return load_exercise("rice_nbgrader_schema4.ipynb")


@pytest.fixture
def rice_otter():
    return load_exercise("rice_otter_v1.ipynb")


@pytest.fixture
def rice_sealed():
    return load_exercise("rice_sealed.ipynb")
