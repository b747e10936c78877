"""Resource limits for one sandboxed notebook run (pure Python, no Django)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    cell_timeout_s: float = 10.0
    wall_timeout_s: float = 60.0
    cpu_seconds: int = 60
    memory_bytes: int = 1024 * 2**20
    max_processes: int = 64
    max_open_files: int = 256
    max_file_bytes: int = 16 * 2**20
    tmpfs_bytes: int = 64 * 2**20
    output_bytes: int = 1 * 2**20
    message_bytes: int = 8 * 2**20
    #: The run's share of the CPUs, in cores (0.5 = half of one core, 2.0 = two cores), enforced
    #: on the whole run by the cpu cgroup (cpu.max on v2, cpu.cfs_quota_us on v1) where the host
    #: delegates one; cpu_seconds still bounds each process's CPU time everywhere.
    cpu_quota: float = 1.0
    #: The run's weight against other runs when the CPUs are contended, on cgroup v2's scale
    #: (1 to 10000, 100 the default: cpu.weight on v2, cpu.shares = weight × 1024 / 100 on v1).
    #: Learners' scratch runs use a low weight so graded submissions keep the CPUs.
    cpu_weight: int = 100

    def __post_init__(self) -> None:
        for name in ("cell_timeout_s", "wall_timeout_s"):
            if not getattr(self, name) > 0:
                raise ValueError(f"Limits.{name} must be positive")
        for name in (
            "cpu_seconds",
            "memory_bytes",
            "max_processes",
            "max_open_files",
            "max_file_bytes",
            "tmpfs_bytes",
            "output_bytes",
            "message_bytes",
        ):
            if getattr(self, name) <= 0:
                raise ValueError(f"Limits.{name} must be positive")
        if not 0 < self.cpu_quota < float("inf"):
            raise ValueError("Limits.cpu_quota must be a positive number of cores")
        if not 1 <= self.cpu_weight <= 10000:
            raise ValueError("Limits.cpu_weight must be between 1 and 10000")
