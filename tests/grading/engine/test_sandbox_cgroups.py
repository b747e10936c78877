"""Where each run's cgroups come from: cgroup v2 when the host delegates a controller, v1 where
it is mounted as v1, and "not available: <reason>" otherwise.

This host offers no v2 controllers (they are bound to v1 hierarchies), so the v2 decisions are
tested on a fake cgroup tree: directories with the kernel's files, and ``_write`` replaced by a
model of the kernel's rules for ``cgroup.subtree_control`` (a controller must be offered by the
parent; a non-root cgroup with processes cannot enable any: EBUSY).
"""

from __future__ import annotations

import dataclasses
import errno
from pathlib import Path

import pytest

from grading.engine.limits import Limits
from grading.engine.sandbox import cgroups
from grading.engine.sandbox.cgroups import PARENT_NAME, create_run, prepare_layout
from grading.engine.sandbox.hostcheck import CGROUP_ENV, probe_host

LIMITS = Limits(memory_bytes=512 * 2**20, tmpfs_bytes=32 * 2**20, max_processes=40, cpu_quota=0.5)


def cgroup_dir(path: Path, *, offered: str = "", procs: str = "") -> Path:
    path.mkdir(parents=True, exist_ok=True)
    for name, text in {
        "cgroup.controllers": offered,
        "cgroup.subtree_control": "",
        "cgroup.procs": procs,
        "cgroup.kill": "",
    }.items():
        (path / name).write_text(text)
    return path


class FakeKernel:
    """The rules of cgroup.subtree_control that decide delegation; other writes just land."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.writes: list[tuple[str, str]] = []

    def __call__(self, path: Path, text: str) -> None:
        self.writes.append((str(path.relative_to(self.root.parent)), text))
        if path.name != "cgroup.subtree_control":
            path.write_text(text)
            return
        directory = path.parent
        enabled = set(path.read_text().split())
        for word in text.split():
            name = word.lstrip("+")
            if name not in (directory / "cgroup.controllers").read_text().split():
                raise OSError(errno.ENOENT, "No such file or directory")
            if directory != self.root and (directory / "cgroup.procs").read_text().strip():
                raise OSError(errno.EBUSY, "Device or resource busy")
            enabled.add(name)
            for child in directory.iterdir():
                if (child / "cgroup.controllers").exists():
                    offered = set((child / "cgroup.controllers").read_text().split()) | {name}
                    (child / "cgroup.controllers").write_text(" ".join(sorted(offered)))
        path.write_text(" ".join(sorted(enabled)))


@pytest.fixture
def host(tmp_path: Path):
    """A host whose only cgroups are the fake ones below (no v1 hierarchies)."""
    return dataclasses.replace(
        probe_host(), cgroup_v2=None, cgroup_v1_memory=None, cgroup_v1_pids=None, cgroup_v1_cpu=None
    )


@pytest.fixture
def kernel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeKernel:
    fake = FakeKernel(tmp_path / "cgroup2")
    monkeypatch.setattr(cgroups, "_write", fake)
    monkeypatch.delenv(CGROUP_ENV, raising=False)
    return fake


def test_a_grader_in_the_root_cgroup_gets_every_controller_on_v2(tmp_path, host, kernel) -> None:
    root = cgroup_dir(tmp_path / "cgroup2", offered="cpuset cpu io memory pids", procs="1\n42\n")
    cgroup_dir(root / PARENT_NAME)
    layout = prepare_layout(dataclasses.replace(host, cgroup_v2=root))

    parent = root / PARENT_NAME
    assert [(c.name, c.version, c.parent) for c in layout.controllers] == [
        ("memory", 2, parent),
        ("pids", 2, parent),
        ("cpu", 2, parent),
    ]
    assert (root / "cgroup.subtree_control").read_text().split() == ["cpu", "memory", "pids"]
    assert (parent / "cgroup.subtree_control").read_text().split() == ["cpu", "memory", "pids"]
    assert layout.describe() == (
        f"memory: cgroup v2 ({parent}); pids: cgroup v2 ({parent}); cpu: cgroup v2 ({parent})"
    )

    run = create_run(layout, LIMITS, "pm-sandbox-abc")
    cgroup = parent / "pm-sandbox-abc"
    assert run.paths == [cgroup]
    assert (run.memory, run.memory_version, run.pids, run.cpu) == (cgroup, 2, cgroup, cgroup)
    assert {
        name: (cgroup / name).read_text() for name in ("memory.max", "pids.max", "cpu.max")
    } == {
        "memory.max": str(544 * 2**20),  # memory_bytes + tmpfs_bytes: the whole run, files included
        "pids.max": "44",  # max_processes + the launcher chain
        "cpu.max": "50000 100000",  # half a core
    }


def test_v2_swap_and_group_oom_are_set_when_the_kernel_has_them(tmp_path, host, kernel) -> None:
    root = cgroup_dir(tmp_path / "cgroup2", offered="memory pids cpu")
    cgroup_dir(root / PARENT_NAME)
    layout = prepare_layout(dataclasses.replace(host, cgroup_v2=root))
    # The fake mkdir makes an empty directory; a real kernel fills it with its files.
    original_mkdir = Path.mkdir

    def mkdir_with_files(self: Path, *args, **kwargs) -> None:
        original_mkdir(self, *args, **kwargs)
        for name in ("memory.swap.max", "memory.oom.group", "memory.events"):
            (self / name).write_text("")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Path, "mkdir", mkdir_with_files)
        run = create_run(layout, LIMITS, "pm-sandbox-def")
    cgroup = root / PARENT_NAME / "pm-sandbox-def"
    assert (
        (cgroup / "memory.swap.max").read_text(),
        (cgroup / "memory.oom.group").read_text(),
    ) == ("0", "1")
    assert run.oom_fd is not None  # memory.events, polled by the OOM watcher
    run.close()


def test_a_grader_cgroup_with_processes_cannot_delegate_and_says_why(
    tmp_path, host, kernel
) -> None:
    """The no-internal-processes rule: a non-root cgroup that holds the grader cannot enable
    controllers for a child; without v1 hierarchies nothing bounds the run as a whole."""
    root = cgroup_dir(tmp_path / "cgroup2", offered="memory pids cpu")
    service = cgroup_dir(
        root / "system.slice" / "grader.service", offered="memory pids cpu", procs="4242\n"
    )
    cgroup_dir(service / PARENT_NAME)
    layout = prepare_layout(dataclasses.replace(host, cgroup_v2=service))

    assert layout.v2_parent == service / PARENT_NAME  # still used for cgroup.kill
    assert [c.version for c in layout.controllers] == [None, None, None]
    assert layout.memory.describe() == (
        f"not available: cgroup v2: cannot enable it in {service}/cgroup.subtree_control (Device or "
        "resource busy) because that cgroup holds processes (cgroup v2 lets only a cgroup without "
        f"processes hand controllers to its children); set {CGROUP_ENV} to a delegated cgroup "
        "without processes; cgroup v1: no writable cgroup v1 memory hierarchy"
    )


def test_a_controller_the_host_does_not_offer_falls_back_to_v1(tmp_path, host, kernel) -> None:
    """Like this machine: v2 offers only hugetlb, memory is a v1 hierarchy."""
    root = cgroup_dir(tmp_path / "cgroup2", offered="hugetlb")
    cgroup_dir(root / PARENT_NAME)
    memory_v1 = tmp_path / "memory" / "supervisor" / "grader"
    (memory_v1 / PARENT_NAME).mkdir(parents=True)
    (memory_v1 / PARENT_NAME / "memory.limit_in_bytes").write_text("")
    layout = prepare_layout(dataclasses.replace(host, cgroup_v2=root, cgroup_v1_memory=memory_v1))

    assert (layout.memory.version, layout.memory.parent) == (1, memory_v1 / PARENT_NAME)
    assert layout.pids.describe() == (
        f"not available: cgroup v2: the host does not delegate it to {root} (its cgroup.controllers: "
        "hugetlb); cgroup v1: no writable cgroup v1 pids hierarchy"
    )
    assert layout.parents() == [root / PARENT_NAME, memory_v1 / PARENT_NAME]

    run = create_run(layout, LIMITS, "pm-sandbox-ghi")
    v1 = memory_v1 / PARENT_NAME / "pm-sandbox-ghi"
    assert run.paths == [root / PARENT_NAME / "pm-sandbox-ghi", v1]
    assert (run.memory, run.memory_version) == (v1, 1)
    assert (v1 / "memory.limit_in_bytes").read_text() == str(544 * 2**20)


def test_an_operator_delegated_cgroup_is_used_without_touching_the_cgroups_above(
    tmp_path, host, kernel, monkeypatch
) -> None:
    root = cgroup_dir(tmp_path / "cgroup2", offered="memory pids cpu")
    (root / "cgroup.subtree_control").write_text("memory pids")
    service = cgroup_dir(root / "grader.service", offered="memory pids")  # delegated, no processes
    monkeypatch.setenv(CGROUP_ENV, str(service))
    layout = prepare_layout(dataclasses.replace(host, cgroup_v2=root))

    assert layout.v2_parent == service
    assert [(c.name, c.version) for c in layout.controllers] == [
        ("memory", 2),
        ("pids", 2),
        ("cpu", None),
    ]
    assert layout.cpu.reason.startswith(
        f"cgroup v2: it is not enabled in {root}/cgroup.subtree_control (delegate it to {service})"
    )
    assert [path for path, _ in kernel.writes if path == "cgroup2/cgroup.subtree_control"] == []


def test_the_cpu_quota_is_a_positive_number_of_cores() -> None:
    assert Limits().cpu_quota == 1.0
    for bad in (0, -1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="cpu_quota"):
            Limits(cpu_quota=bad)


@pytest.mark.sandbox
def test_this_host_bounds_runs_with_the_controllers_it_has() -> None:
    """What check_sandbox reports here; on this machine every controller is a v1 hierarchy."""
    layout = cgroups.cgroup_layout(probe_host(), refresh=True)
    for controller in layout.controllers:
        assert controller.available or controller.reason
        if controller.available:
            assert controller.parent is not None and controller.parent.name == PARENT_NAME
            assert controller.parent.is_dir()
