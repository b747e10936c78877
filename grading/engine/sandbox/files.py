"""Exercise files in a kernel's working directory: the instructor's data, read-only to learner code.

An exercise revision may ship data files (a CSV, an image, a helper module). Every kernel that
runs for it, the learner's and the reference kernel of sealed checks alike, finds them in its
working directory (the home tmpfs, ``kernelspec.INNER_RUN_DIR``) before any code runs: the grader
writes them there as root, mode 0444, through ``/proc/<sandbox init>/root``. The home is owned by
root with the sticky bit (mode 1777, see ``kernels._prepare_run``), so learner code may create
files of its own beside them but cannot write, delete, rename or replace the instructor's:
``open("data.csv", "w")`` fails with ``PermissionError``. Pooled kernels are started before
anyone knows which exercise they will run, which is why the files arrive at ``acquire()`` and
not at the kernel's start.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Sequence
from dataclasses import dataclass

from grading.engine.judge import JudgeStart
from grading.engine.sandbox.kernels import SandboxKernel, SandboxUnavailable
from grading.engine.sandbox.pool import KernelProvider

#: The mode of every exercise file in a kernel: readable by learner code, writable by nobody.
FILE_MODE = 0o444


@dataclass(frozen=True)
class KernelFile:
    """One file as the kernel sees it: a plain name in its working directory, and the bytes."""

    name: str
    data: bytes

    def __post_init__(self) -> None:
        # The names were checked when the instructor uploaded them (exercises.files); this only
        # keeps a bad row from writing anywhere but the kernel's working directory.
        if not self.name or self.name.startswith(".") or "/" in self.name or "\0" in self.name:
            raise ValueError(f"{self.name!r} is not a plain file name")


def place_files(kernel: SandboxKernel, files: Sequence[KernelFile]) -> None:
    """Write ``files`` into ``kernel``'s working directory, read-only; before learner code runs.

    Never follows a link and never replaces a file: the kernel's home holds nothing of the
    learner's yet, and a name already taken means something is wrong.
    """
    for item in files:
        path = kernel.run_dir / item.name
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        try:
            fd = os.open(path, flags, FILE_MODE)
        except OSError as error:
            raise SandboxUnavailable(
                f"The exercise file {item.name!r} could not be put in the kernel: {error.strerror}"
            ) from error
        try:
            view = memoryview(item.data)
            while view:
                view = view[os.write(fd, view) :]
            os.fchmod(fd, FILE_MODE)
        except OSError as error:
            with contextlib.suppress(OSError):
                os.unlink(path)
            reason = (
                "they are larger than the kernel's working directory"
                if error.errno == errno.ENOSPC
                else error.strerror
            )
            raise SandboxUnavailable(
                f"The exercise file {item.name!r} could not be put in the kernel: {reason}"
            ) from error
        finally:
            os.close(fd)


class KernelsWithFiles:
    """A kernel provider whose every kernel holds ``files`` in its working directory.

    Wraps the process's provider (pool or cold starts) for one grading or validation; it owns
    nothing, so ``close()`` leaves the wrapped provider running.
    """

    def __init__(self, kernels: KernelProvider, files: Sequence[KernelFile]) -> None:
        self.kernels = kernels
        self.files = tuple(files)

    def acquire(self) -> SandboxKernel:
        kernel = self.kernels.acquire()
        try:
            place_files(kernel, self.files)
        except BaseException:
            kernel.kill(wait=False)
            raise
        return kernel

    def judge(self) -> JudgeStart:
        return self.kernels.judge()

    def close(self) -> None:
        """The wrapped provider belongs to the caller."""


def with_files(kernels: KernelProvider, files: Sequence[KernelFile]) -> KernelProvider:
    """``kernels`` itself when there are no files, else a provider that places them."""
    return KernelsWithFiles(kernels, files) if files else kernels
