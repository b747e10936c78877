"""The grading environment: what learner kernels import, under both launchers.

Kernels see the `grading-env` group of the lock (numpy, pandas, matplotlib, scipy, ipykernel)
and nothing of the grader's own packages. Before it they saw the grader's site-packages: Django
and boto3 imported, numpy did not.
"""

import pytest

from grading.engine.execute import Verdict, run_cells
from grading.engine.sandbox import LAUNCHERS, start_kernel
from grading.engine.sandbox.hostcheck import probe_host

from .engine_support import TEST_LIMITS

pytestmark = pytest.mark.sandbox


def outputs(result, index: int) -> str:
    return "".join(output.get("text", "") for output in result.cells[index].outputs)


@pytest.mark.parametrize("launcher", LAUNCHERS)
def test_learner_kernels_import_the_scientific_stack_and_not_the_grader(launcher):
    with start_kernel(TEST_LIMITS, launcher=launcher) as kernel:
        result = run_cells(
            kernel,
            [
                "import numpy as np, pandas as pd, scipy.stats, matplotlib\n"
                "import matplotlib.pyplot as plt\n"
                "print(np.linalg.solve(np.array([[2.0, 0.0], [0.0, 4.0]]), np.array([1.0, 1.0])).tolist())\n"
                "print(pd.DataFrame({'x': [1, 2, 3]})['x'].sum(), scipy.stats.norm.cdf(0.0))\n"
                "print(matplotlib.get_backend())",
                "import os\n"
                "fig, ax = plt.subplots()\n"
                "ax.plot([1, 2, 3])\n"
                "fig.savefig('plot.png')\n"
                "print(os.path.getsize('plot.png') > 1000, os.environ['NBGRADER_EXECUTION'])",
                "import django",
                "import boto3",
                "import wagtail",
            ],
            TEST_LIMITS,
        )
    assert result.verdict is Verdict.OK
    assert outputs(result, 0) == "[0.5, 0.25]\n6 0.5\nAgg\n"
    assert outputs(result, 1) == "True autograde\n"
    assert [(cell.status, cell.ename, cell.evalue) for cell in result.cells[2:]] == [
        ("error", "ModuleNotFoundError", "No module named 'django'"),
        ("error", "ModuleNotFoundError", "No module named 'boto3'"),
        ("error", "ModuleNotFoundError", "No module named 'wagtail'"),
    ]


def test_the_kernels_site_packages_is_the_grading_environment():
    site_packages = probe_host().site_packages
    assert site_packages is not None and site_packages.parent.parent.parent.name == ".venv-grading"
    assert (site_packages / "numpy").is_dir() and not (site_packages / "django").exists()
