"""The grading engine's kernels and limits, configured from settings.PMA_GRADING.

One provider per process: a warm `KernelPool` in long-lived workers (POOL_SIZE > 0),
fresh kernels otherwise. The engine itself never reads settings; this module does it
for the Django side (tasks, admin validation).
"""

from __future__ import annotations

import atexit
import threading
from dataclasses import fields
from typing import Any

from django.conf import settings

from grading.engine.limits import Limits
from grading.engine.sandbox.pool import ColdKernels, KernelPool, KernelProvider

_lock = threading.Lock()
_provider: KernelProvider | None = None


def grading_settings() -> dict[str, Any]:
    return dict(getattr(settings, "PMA_GRADING", {}))


def grading_limits() -> Limits:
    """Limits from settings.PMA_GRADING["LIMITS"] (a dict of Limits fields), else the defaults."""
    overrides = grading_settings().get("LIMITS", {}) or {}
    known = {f.name for f in fields(Limits)}
    unknown = set(overrides) - known
    if unknown:
        raise ValueError(
            f"Unknown grading limits in PMA_GRADING['LIMITS']: {', '.join(sorted(unknown))}"
        )
    return Limits(**overrides)


def unsafe_local_mode() -> bool:
    return bool(grading_settings().get("UNSAFE_LOCAL_MODE", False))


def kernel_launcher_setting() -> str | None:
    """settings.PMA_GRADING["KERNEL_LAUNCHER"] ("forkserver" or "bwrap"); None defers to the
    PM_ACADEMY_KERNEL_LAUNCHER environment variable, then the engine's default."""
    value = grading_settings().get("KERNEL_LAUNCHER") or None
    return str(value) if value is not None else None


def kernel_provider() -> KernelProvider:
    """The process's kernel provider, created on first use."""
    global _provider
    with _lock:
        if _provider is None:
            size = int(grading_settings().get("POOL_SIZE", 0))
            limits = grading_limits()
            if size > 0:
                _provider = KernelPool(
                    limits,
                    size=size,
                    unsafe_local=unsafe_local_mode(),
                    launcher=kernel_launcher_setting(),
                )
            else:
                _provider = ColdKernels(
                    limits, unsafe_local=unsafe_local_mode(), launcher=kernel_launcher_setting()
                )
        return _provider


def kernel_provider_close() -> None:
    global _provider
    with _lock:
        if _provider is not None:
            _provider.close()
            _provider = None


atexit.register(kernel_provider_close)
