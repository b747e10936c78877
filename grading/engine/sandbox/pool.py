"""Where the grader gets kernels: started on demand, or pre-started in a single-use pool.

Every kernel serves exactly one submission: ``acquire()`` hands it over and the caller
must ``kill()`` it. Nothing is ever returned to a pool.

Kernels die with the thread that started them (parent-death signal), so the pool starts
its spares from one long-lived refill thread, and ``acquire()`` starts a kernel in the
caller's own thread when no spare is ready.

``judge()`` hands over the judge process for one submission (judge.py), also single-use: the
pool keeps one spare judge started, so its boot overlaps the submission before.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import weakref
from typing import Protocol

from grading.engine.judge import JudgeStart
from grading.engine.limits import Limits
from grading.engine.sandbox.hostcheck import probe_host
from grading.engine.sandbox.kernels import (
    SandboxKernel,
    SandboxUnavailable,
    start_kernel,
    sweep_stale_runs,
)

logger = logging.getLogger(__name__)


class KernelProvider(Protocol):
    def acquire(self) -> SandboxKernel: ...

    def judge(self) -> JudgeStart: ...

    def close(self) -> None: ...


class ColdKernels:
    """Starts one fresh kernel per ``acquire()``."""

    def __init__(
        self, limits: Limits, *, unsafe_local: bool = False, launcher: str | None = None
    ) -> None:
        self.limits = limits
        self.unsafe_local = unsafe_local
        self.launcher = launcher

    def acquire(self) -> SandboxKernel:
        return start_kernel(self.limits, unsafe_local=self.unsafe_local, launcher=self.launcher)

    def judge(self) -> JudgeStart:
        """A judge starting now, beside the kernel the caller is about to acquire."""
        return JudgeStart(self.limits, sandboxed=not self.unsafe_local)

    def close(self) -> None:
        """Nothing is held between acquires."""


_live_pools: weakref.WeakSet[KernelPool] = weakref.WeakSet()


def _forget_pools_after_fork() -> None:
    for pool in list(_live_pools):
        pool._after_fork()


os.register_at_fork(after_in_child=_forget_pools_after_fork)


class KernelPool:
    """Pre-started, single-use sandboxed kernels, refilled in the background; thread-safe."""

    # After a failed start the refill thread waits this long before trying again, so a
    # broken host does not spin.
    RETRY_AFTER_S = 5.0

    def __init__(
        self,
        limits: Limits,
        *,
        size: int = 2,
        unsafe_local: bool = False,
        launcher: str | None = None,
    ) -> None:
        if size < 0:
            raise ValueError("KernelPool size must be zero or more")
        self.limits = limits
        self.size = size
        self.unsafe_local = unsafe_local
        self.launcher = launcher
        self._ready: list[SandboxKernel] = []
        self._spare_judge: JudgeStart | None = None
        self._condition = threading.Condition()
        self._closed = False
        self._owner_pid = os.getpid()
        self.last_error: Exception | None = None
        self._thread: threading.Thread | None = None
        _live_pools.add(self)
        removed = sweep_stale_runs(probe_host())
        if removed:
            logger.info("Removed %d run directories left by a killed grader", len(removed))
        self._start_thread()

    def _start_thread(self) -> None:
        if self.size == 0:
            return
        self._thread = threading.Thread(target=self._refill, name="kernel-pool-refill", daemon=True)
        self._thread.start()

    def _after_fork(self) -> None:
        # The child inherits copies of the parent's kernels: they are not ours to use or
        # kill. Drop them and start a fresh refill thread lazily on the next acquire.
        self._ready = []
        self._spare_judge = None
        self._condition = threading.Condition()
        self._thread = None
        self._owner_pid = os.getpid()

    @property
    def ready_count(self) -> int:
        with self._condition:
            return len(self._ready)

    def _refill(self) -> None:
        while True:
            with self._condition:
                while not self._closed and len(self._ready) >= self.size:
                    self._condition.wait()
                if self._closed:
                    return
            try:
                kernel = start_kernel(
                    self.limits, unsafe_local=self.unsafe_local, launcher=self.launcher
                )
            except Exception as error:  # any failure must not end the refill thread
                self.last_error = error
                logger.error("Kernel pool could not start a kernel: %s", error)
                with self._condition:
                    self._condition.wait(timeout=self.RETRY_AFTER_S)
                continue
            with self._condition:
                if self._closed:
                    kernel.kill()
                    return
                self._ready.append(kernel)
                self._condition.notify_all()

    def acquire(self) -> SandboxKernel:
        """A fresh, never-used kernel; a cold start in this thread when none is ready."""
        if os.getpid() != self._owner_pid:
            self._after_fork()
        with self._condition:
            if self._closed:
                raise RuntimeError("the kernel pool is closed")
            if self._thread is None or not self._thread.is_alive():
                self._start_thread()
            kernel = None
            while self._ready:
                candidate = self._ready.pop(0)
                if candidate.is_alive():
                    kernel = candidate
                    break
                candidate.kill()
            self._condition.notify_all()
        if kernel is not None:
            return kernel
        return start_kernel(self.limits, unsafe_local=self.unsafe_local, launcher=self.launcher)

    def judge(self) -> JudgeStart:
        """The spare judge (started when the last one was taken) if it is still alive, else one
        starting now; a new spare starts either way. Without spare kernels, no spare judge."""
        if os.getpid() != self._owner_pid:
            self._after_fork()
        sandboxed = not self.unsafe_local
        if self.size == 0:
            return JudgeStart(self.limits, sandboxed=sandboxed)
        with self._condition:
            if self._closed:
                raise RuntimeError("the kernel pool is closed")
            spare, self._spare_judge = (
                self._spare_judge,
                JudgeStart(self.limits, sandboxed=sandboxed),
            )
        if spare is not None and spare.alive():
            return spare
        if spare is not None:
            spare.abandon()
        return JudgeStart(self.limits, sandboxed=sandboxed)

    def close(self) -> None:
        """Kill every spare kernel and the spare judge, and stop refilling."""
        with self._condition:
            self._closed = True
            spares, self._ready = self._ready, []
            judge, self._spare_judge = self._spare_judge, None
            self._condition.notify_all()
        if os.getpid() != self._owner_pid:
            return
        if judge is not None:
            judge.abandon()
        for kernel in spares:
            with contextlib.suppress(Exception):
                kernel.kill()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=30)

    def __enter__(self) -> KernelPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


__all__ = ["ColdKernels", "KernelPool", "KernelProvider", "SandboxUnavailable"]
