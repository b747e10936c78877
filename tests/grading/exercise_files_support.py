"""Exercises that need the grading environment or ship data files, built here with nbformat.

`sales_source()`: an nbgrader source whose setup cell reads `sales.csv` with pandas and imports
a helper module shipped beside it; the learner sums a column. `science_source()`: the learner
uses numpy, scipy and matplotlib (a saved plot) and the tests check the results.
"""

import json

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

SALES_CSV = b"region,revenue\nnorth,120\nsouth,200\neast,280\n"
HELPERS_PY = b'def currency(amount):\n    return f"EUR {amount:,}"\n'
SALES_FILES = {"sales.csv": SALES_CSV, "helpers.py": HELPERS_PY}


def _nbgrader(grade_id: str, *, solution=False, grade=False, locked=False, points=None) -> dict:
    meta = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": 3,
        "solution": solution,
    }
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def _notebook(cells) -> bytes:
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return nbformat.writes(nb).encode()


def sales_source() -> bytes:
    return _notebook(
        [
            new_markdown_cell("Sum the revenue of every region in `sales.csv`."),
            new_code_cell(
                'import pandas as pd\nfrom helpers import currency\n\nsales = pd.read_csv("sales.csv")',
                metadata=_nbgrader("setup", locked=True),
            ),
            new_code_cell(
                "### BEGIN SOLUTION\n"
                'total = int(sales["revenue"].sum())\n'
                "### END SOLUTION\n"
                "currency(total)",
                metadata=_nbgrader("total_answer", solution=True),
            ),
            new_code_cell(
                'assert total == 600, "the total revenue is wrong"\n'
                'assert currency(total) == "EUR 600"',
                metadata=_nbgrader("total_tests", grade=True, locked=True, points=2),
            ),
        ]
    )


def science_source() -> bytes:
    return _notebook(
        [
            new_code_cell(
                "import numpy as np\nimport scipy.stats\nimport matplotlib.pyplot as plt",
                metadata=_nbgrader("imports", locked=True),
            ),
            new_code_cell(
                "### BEGIN SOLUTION\n"
                "weights = np.array([0.5, 0.3, 0.2])\n"
                "scores = np.array([[8, 6, 4], [5, 9, 7]]) @ weights\n"
                "fig, ax = plt.subplots()\n"
                'ax.bar(["SSO", "Dark mode"], scores)\n'
                'fig.savefig("scores.png")\n'
                "below_mean = float(scipy.stats.norm.cdf(0))\n"
                "### END SOLUTION",
                metadata=_nbgrader("science_answer", solution=True),
            ),
            new_code_cell(
                "import os\n"
                "assert np.allclose(scores, [6.6, 6.6])\n"
                "assert below_mean == 0.5\n"
                'assert os.path.getsize("scores.png") > 1000',
                metadata=_nbgrader("science_tests", grade=True, locked=True, points=3),
            ),
        ]
    )


def solved(source: bytes) -> bytes:
    """The source with its solution markers removed: what a learner who solved it submits."""
    nb = json.loads(source)
    for cell in nb["cells"]:
        text = "".join(cell["source"])
        lines = [
            line for line in text.split("\n") if "### BEGIN" not in line and "### END" not in line
        ]
        cell["source"] = "\n".join(lines)
    return json.dumps(nb).encode()
