"""The sandbox: where learner code runs. Single-use IPython kernels, each in its own jail.

Every kernel gets its own namespaces, per-run uid, tmpfs home, rlimits, cgroups and seccomp
filter, serves one submission and is killed with everything it started. The grading steps one
level up (``grading.engine``: assemble, execute, judge, score, sealed, report) decide what to run
and what it means; this package only decides where and how it runs.

Modules:

    kernels     SandboxKernel and start_kernel(): the launch chain, kill and reap, the OOM
                watcher, the stale-run sweep. Picks a launcher (``kernel_launcher()``).
    forkserver  the default launcher: forks each kernel from a zygote that has ipykernel
                imported. Its docstring holds the sandbox's threat model.
    zygote      the zygote's own program; never imported, forkserver runs its source.
    kernelspec  the one kernel command line and its allow-listed environment.
    cgroups     the memory, pids and CPU bounds of a whole run (cgroup v2 or v1).
    seccomp     the system-call filter every kernel (and the judge) runs under.
    hostcheck   which primitives this host offers; ``manage.py check_sandbox`` prints them.
    pool        where the grader gets kernels: ColdKernels, or a KernelPool of pre-started ones.
    files       an exercise's data files, put read-only in each kernel's working directory when
                it is acquired (KernelsWithFiles wraps any provider).

Imports run one way: the steps import the sandbox, and the sandbox imports of the steps only
``grading.engine.limits`` (shared by both halves) and three narrow seams: ``kernels`` runs
``execute.warm_up`` before it hands a kernel over, ``forkserver`` preloads the judge's learner
end into the zygote (``judge``'s constants, and ``kernels`` imports ``judge.JUDGE_CHANNEL``
lazily), and ``pool`` (and ``files``, which wraps a pool) hands out a ``judge.JudgeStart``. ``judge`` in turn imports ``seccomp``
and ``reap_in_background`` lazily, at call time, so neither side's import needs the other
finished. No module here imports Django, or anything outside ``grading.engine``.

The threat model is in ``forkserver``'s docstring, the design behind it in DESIGN.md. The names
below are the sandbox's public surface: import them from here.
"""

from grading.engine.sandbox.kernels import (
    LAUNCHER_ENV,
    LAUNCHERS,
    RUNS_DIR_ENV,
    SandboxKernel,
    SandboxUnavailable,
    kernel_launcher,
    reap_in_background,
    start_kernel,
    sweep_stale_runs,
)

__all__ = [
    "LAUNCHERS",
    "LAUNCHER_ENV",
    "RUNS_DIR_ENV",
    "SandboxKernel",
    "SandboxUnavailable",
    "kernel_launcher",
    "reap_in_background",
    "start_kernel",
    "sweep_stale_runs",
]
