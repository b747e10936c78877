"""Exercise sources and submissions shared by the engine tests."""

import copy
from pathlib import Path

import pytest

from exercises.format import load_notebook_bytes, parse_source

FIXTURES = Path(__file__).resolve().parent.parent.parent / "fixtures"


def load(path: Path):
    return load_notebook_bytes(path.read_bytes(), max_bytes=2 * 2**20)


@pytest.fixture
def rice_nb():
    return load(FIXTURES / "exercises" / "rice_nbgrader_schema4.ipynb")


def rice_source_from_fixture():
    return parse_source(load(FIXTURES / "exercises" / "rice_nbgrader_schema4.ipynb"))


@pytest.fixture
def rice_source(rice_nb):
    return parse_source(rice_nb)


@pytest.fixture
def sealed_nb():
    return load(FIXTURES / "exercises" / "rice_sealed.ipynb")


@pytest.fixture
def sealed_source(sealed_nb):
    return parse_source(sealed_nb)


def answer(nb, grade_id: str, text: str):
    """A copy of ``nb`` with the answer cell ``grade_id`` replaced by ``text``."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            cell.source = text
    return nb
