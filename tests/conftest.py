"""Fixtures shared by every test package."""

import pytest


@pytest.fixture
def password() -> str:
    return "correct-horse-battery-staple-42"
