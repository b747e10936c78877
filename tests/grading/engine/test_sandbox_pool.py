"""Kernel providers: cold starts, and the pre-started single-use pool."""

from __future__ import annotations

import os
import time

import pytest

from grading.engine.execute import call_json
from grading.engine.limits import Limits
from grading.engine.sandbox.pool import ColdKernels, KernelPool, KernelProvider

pytestmark = pytest.mark.sandbox

LIMITS = Limits(cell_timeout_s=5.0, wall_timeout_s=20.0, memory_bytes=512 * 2**20)


def wait_for_spares(pool: KernelPool, count: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while pool.ready_count < count:
        assert time.monotonic() < deadline, (
            f"pool stuck at {pool.ready_count} spares: {pool.last_error}"
        )
        time.sleep(0.05)


def test_cold_kernels_start_a_fresh_kernel_per_acquire() -> None:
    provider: KernelProvider = ColdKernels(LIMITS)
    first, second = provider.acquire(), provider.acquire()
    try:
        assert first is not second
        assert first.uid != second.uid
        assert first.pid_namespace != second.pid_namespace
        assert call_json(first, "1 + 1") == 2
    finally:
        first.kill()
        second.kill()
        provider.close()


def test_pool_hands_out_each_kernel_once_and_refills() -> None:
    with KernelPool(LIMITS, size=2) as pool:
        wait_for_spares(pool, 2)
        spares = list(pool._ready)
        handed = [pool.acquire(), pool.acquire()]
        assert handed == spares
        # Learner state in one kernel is never seen by the next submission.
        call_json(handed[0], "globals().setdefault('leak', 'first submission')")
        wait_for_spares(pool, 2)
        fresh = pool.acquire()
        try:
            assert fresh not in handed
            assert call_json(fresh, "globals().get('leak')") is None
        finally:
            fresh.kill()
            for kernel in handed:
                kernel.kill()
        wait_for_spares(pool, 2)
        spares = list(pool._ready)
    assert [kernel.is_alive() for kernel in spares] == [False, False]
    assert [kernel.processes() for kernel in spares] == [set(), set()]


def test_acquire_from_an_empty_pool_starts_a_kernel_in_the_caller() -> None:
    with KernelPool(LIMITS, size=0) as pool:
        kernel = pool.acquire()
        try:
            assert call_json(kernel, "'cold'") == "cold"
        finally:
            kernel.kill()


def test_a_dead_spare_is_never_handed_out() -> None:
    with KernelPool(LIMITS, size=1) as pool:
        wait_for_spares(pool, 1)
        spare = pool._ready[0]
        spare.kill()
        kernel = pool.acquire()
        try:
            assert kernel is not spare
            assert kernel.is_alive()
        finally:
            kernel.kill()


def test_a_forked_child_inherits_no_kernels() -> None:
    with KernelPool(LIMITS, size=1) as pool:
        wait_for_spares(pool, 1)
        spare = pool._ready[0]
        child = os.fork()
        if child == 0:
            code = 0 if pool.ready_count == 0 else 1
            pool.close()
            os._exit(code)
        _, status = os.waitpid(child, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        # The child's close() did not kill the parent's spare.
        assert spare.is_alive()
        with pool.acquire() as kernel:
            assert kernel is spare
            assert call_json(kernel, "'parent'") == "parent"


def test_closed_pool_refuses_to_hand_out_kernels() -> None:
    pool = KernelPool(LIMITS, size=1)
    pool.close()
    with pytest.raises(RuntimeError, match="closed"):
        pool.acquire()


def _answers(judge) -> str | None:
    return judge.run("6 * 7", {}, until=time.monotonic() + 5, relay=None).result


def test_the_pool_hands_out_each_judge_once_and_replaces_a_dead_spare() -> None:
    with KernelPool(LIMITS, size=1) as pool:
        first = pool.judge().result()
        second = pool.judge().result()  # the spare started when the first was taken
        try:
            assert first is not second and first.process.pid != second.process.pid
            assert [_answers(first), _answers(second)] == ["42", "42"]
            spare = pool._spare_judge
            assert spare is not None
            spare.result().kill()
            third = pool.judge().result()
            assert third is not spare.result() and _answers(third) == "42"
            third.kill()
        finally:
            first.kill()
            second.kill()
        spare = pool._spare_judge
    assert spare is not None and not spare.alive()  # closing the pool killed the spare judge
