"""The demo course's graded prioritization exercises, as nbgrader source notebooks in ``notebooks/``."""

from pathlib import Path

NOTEBOOK_DIR = Path(__file__).resolve().parent / "notebooks"

#: File names in the order the course teaches them; the capstone is the final assessment.
EXERCISE_NOTEBOOKS = (
    "rice.ipynb",
    "ice.ipynb",
    "moscow.ipynb",
    "kano.ipynb",
    "wsjf.ipynb",
    "weighted_scoring.ipynb",
    "capstone.ipynb",
)
