"""Exercise files in the kernel's working directory: readable, importable, never changed by learner code."""

import pytest

from grading.engine.execute import Verdict, run_cells
from grading.engine.sandbox import LAUNCHERS, SandboxUnavailable, start_kernel
from grading.engine.sandbox.files import KernelFile, KernelsWithFiles, place_files
from grading.engine.sandbox.pool import ColdKernels

from .engine_support import TEST_LIMITS

pytestmark = pytest.mark.sandbox

CSV = b"region,revenue\nnorth,120\nsouth,200\n"
FILES = [KernelFile("sales.csv", CSV), KernelFile("helpers.py", b"TAX = 0.2\n")]


@pytest.mark.parametrize("launcher", LAUNCHERS)
def test_learner_code_reads_the_files_but_cannot_write_delete_or_replace_them(launcher):
    with start_kernel(TEST_LIMITS, launcher=launcher) as kernel:
        place_files(kernel, FILES)
        result = run_cells(
            kernel,
            [
                "import pandas as pd, helpers\n"
                "print(pd.read_csv('sales.csv')['revenue'].sum(), helpers.TAX)",
                "open('sales.csv', 'w')",
                "import os\nos.remove('sales.csv')",
                "os.rename('helpers.py', 'other.py')",
                "os.chmod('sales.csv', 0o666)",
                "open('notes.csv', 'w').write('mine')\nos.replace('notes.csv', 'copy.csv')\n"
                "print(sorted(os.listdir('.')))",
                "print(open('sales.csv').read(), end='')",
            ],
            TEST_LIMITS,
        )
    assert result.verdict is Verdict.OK
    texts = ["".join(o.get("text", "") for o in cell.outputs) for cell in result.cells]
    assert texts[0] == "320 0.2\n"
    assert [(cell.ename, cell.evalue) for cell in result.cells[1:5]] == [
        ("PermissionError", "[Errno 13] Permission denied: 'sales.csv'"),
        ("PermissionError", "[Errno 1] Operation not permitted: 'sales.csv'"),
        ("PermissionError", "[Errno 1] Operation not permitted: 'helpers.py' -> 'other.py'"),
        ("PermissionError", "[Errno 1] Operation not permitted: 'sales.csv'"),
    ]
    assert texts[5] == "['.ipython', 'copy.csv', 'helpers.py', 'sales.csv']\n"
    assert texts[6] == CSV.decode()


def test_every_kernel_of_a_provider_with_files_gets_them_before_code_runs():
    kernels = KernelsWithFiles(ColdKernels(TEST_LIMITS), FILES)
    with kernels.acquire() as first, kernels.acquire() as second:
        assert (first.run_dir / "sales.csv").read_bytes() == CSV
        assert (second.run_dir / "helpers.py").read_bytes() == b"TAX = 0.2\n"
        assert oct((first.run_dir / "sales.csv").stat().st_mode & 0o7777) == "0o444"


def test_a_name_already_taken_refuses_to_overwrite():
    with start_kernel(TEST_LIMITS) as kernel:
        place_files(kernel, FILES[:1])
        with pytest.raises(SandboxUnavailable, match="could not be put in the kernel: File exists"):
            place_files(kernel, FILES[:1])


def test_a_path_is_not_a_file_name():
    for name in ("../etc/passwd", ".hidden", "", "a/b"):
        with pytest.raises(ValueError, match="is not a plain file name"):
            KernelFile(name, b"")
