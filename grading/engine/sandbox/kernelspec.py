"""The one kernelspec every learner notebook runs with, whatever the notebook asks for.

The notebook's own ``metadata.kernelspec`` is never consulted: the grader always
starts ``python -m ipykernel_launcher`` with ``interrupt_mode = "message"``, because a
signal sent to the sandbox's wrapper processes would kill the wrapper, not interrupt
the kernel.
"""

from __future__ import annotations

from dataclasses import dataclass, field

KERNEL_NAME = "pm-academy-python"
LEARNER_USER = "learner"
# Inside the sandbox: the private tmpfs (home, cwd and the only writable place) and the
# directory that holds the kernel's ipc sockets and connection file.
INNER_RUN_DIR = "/home/learner"
INNER_IPC_DIR = "/run/kernel"
# How the kernel formats a failing cell's traceback. The grader reads only ename and evalue
# (from the execute reply) and never shows the traceback. IPython's default ("Context", in
# colour) parses and highlights every frame's source and formats each error twice (display
# and history): ~170 ms for a kernel's first failing cell and ~30 ms after that, against
# ~1 ms for the bare "ename: evalue" line.
TRACEBACK_MODE = "Minimal"
TRACEBACK_THEME = "nocolor"
# Host files in /etc that every sandbox sees read-only (whichever launcher built it).
SHARED_ETC_FILES = (
    "ld.so.cache",
    "ld.so.conf",
    "ld.so.conf.d",
    "localtime",
    "nsswitch.conf",
    "fonts",
    "mime.types",
    "matplotlibrc",
)


@dataclass(frozen=True)
class KernelSpec:
    name: str
    display_name: str
    language: str
    interrupt_mode: str
    argv: tuple[str, ...]
    env: dict[str, str] = field(default_factory=dict)

    def command(self, *, python: str, connection_file: str) -> list[str]:
        return [
            part.replace("{python}", python).replace("{connection_file}", connection_file)
            for part in self.argv
        ]


def sandbox_kernel_spec() -> KernelSpec:
    return KernelSpec(
        name=KERNEL_NAME,
        display_name="Python 3 (PM Academy sandbox)",
        language="python",
        interrupt_mode="message",
        argv=(
            "{python}",
            "-m",
            "ipykernel_launcher",
            "-f",
            "{connection_file}",
            # The history database is a sqlite file plus a writer thread: neither is
            # useful for a single-use kernel and the thread counts against RLIMIT_NPROC.
            "--HistoryManager.enabled=False",
            f"--InteractiveShell.xmode={TRACEBACK_MODE}",
            f"--InteractiveShell.colors={TRACEBACK_THEME}",
            # ipykernel sleeps 0.5 ms before every execute_reply so that a client which stops
            # reading at the reply has its outputs; the grader reads iopub until the cell's
            # idle status, which always comes after its outputs.
            "--Kernel._execute_sleep=0",
        ),
    )


def kernel_environment(*, home: str) -> dict[str, str]:
    """The complete environment of a learner kernel, built from an allow-list.

    Nothing from the grader's own environment is copied: secrets, settings modules and
    database URLs must never reach learner code.
    """
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "HOME": home,
        "USER": LEARNER_USER,
        "LOGNAME": LEARNER_USER,
        "TMPDIR": home,
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONNOUSERSITE": "1",
        "PYTHONUNBUFFERED": "1",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": f"{home}/.config/matplotlib",
        "IPYTHONDIR": f"{home}/.ipython",
        "JUPYTER_PLATFORM_DIRS": "1",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        # What nbgrader's autograder sets, so a notebook can tell it is being graded
        # (`if os.getenv("NBGRADER_EXECUTION"): ...` skips slow or interactive work).
        "NBGRADER_EXECUTION": "autograde",
        # glibc reserves 64 MiB of address space per malloc arena and per thread; with
        # RLIMIT_AS in force that would be charged against the learner's memory.
        "MALLOC_ARENA_MAX": "2",
        # Threads count against RLIMIT_NPROC; numeric libraries must not spawn one per core.
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "NUMEXPR_NUM_THREADS": "1",
    }
