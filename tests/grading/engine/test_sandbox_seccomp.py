"""The seccomp filter itself, loaded in a forked child of the test: refused calls get EPERM, what a
kernel needs still works. (tests/security/test_sandbox_limits.py probes it from notebook cells.)"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import platform
import re
import struct
from pathlib import Path

import pytest

from grading.engine.sandbox.seccomp import (
    CLONE,
    CLONE3,
    DENIED,
    PERSONALITY,
    SeccompUnsupported,
    build_filter,
)

MACHINE = platform.machine()
COLUMN = 0 if MACHINE == "x86_64" else 1
HEADERS = {
    "x86_64": Path("/usr/include/x86_64-linux-gnu/asm/unistd_64.h"),
    "aarch64": Path("/usr/include/asm-generic/unistd.h"),
}
CLONE_NEWUSER, CLONE_NEWNET, SIGCHLD = 0x10000000, 0x40000000, 17
ADDR_NO_RANDOMIZE = 0x0040000


def in_filtered_child(probe) -> dict:  # noqa: ANN001 - a function of the libc handle
    """Fork, drop to nobody, load the filter (no_new_privs first, as the sandbox does), run
    ``probe`` and report what it found."""
    program = build_filter()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read_end)
            libc = ctypes.CDLL(None, use_errno=True)
            libc.syscall.restype = ctypes.c_long
            libc.prctl.argtypes = [
                ctypes.c_int,
                ctypes.c_ulong,
                ctypes.c_ulong,
                ctypes.c_ulong,
                ctypes.c_ulong,
            ]
            if os.geteuid() == 0:
                # Unprivileged, as learner code is: should the filter let a call through, the
                # probe's zero arguments must not reach the host as root (sethostname, vhangup).
                os.setgroups([])
                os.setresgid(65534, 65534, 65534)
                os.setresuid(65534, 65534, 65534)
            libc.prctl(38, 1, 0, 0, 0)  # PR_SET_NO_NEW_PRIVS
            buffer = ctypes.create_string_buffer(program)
            fprog = ctypes.create_string_buffer(
                struct.pack("HxxxxxxP", len(program) // 8, ctypes.addressof(buffer))
            )
            if libc.prctl(22, 2, ctypes.addressof(fprog), 0, 0) != 0:  # PR_SET_SECCOMP, FILTER
                os.write(write_end, json.dumps({"load": ctypes.get_errno()}).encode())
            else:
                os.write(write_end, json.dumps(probe(libc)).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    return json.loads(data)


def errno_of(libc, number: int, *args: int) -> int:  # noqa: ANN001
    ctypes.set_errno(0)
    result = libc.syscall(ctypes.c_long(number), *[ctypes.c_long(arg) for arg in args])
    return ctypes.get_errno() if result == -1 else 0


@pytest.mark.skipif(
    MACHINE not in ("x86_64", "aarch64"), reason="the filter knows x86_64 and aarch64"
)
def test_every_denied_call_gets_eperm_and_a_kernel_still_works() -> None:
    def probe(libc) -> dict:  # noqa: ANN001
        found = {
            name: errno_of(libc, numbers[COLUMN], 0, 0, 0, 0, 0, 0)
            for name, numbers in DENIED.items()
            if numbers[COLUMN] is not None
        }
        found["clone(CLONE_NEWUSER)"] = errno_of(
            libc, CLONE[MACHINE], CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0
        )
        found["clone(CLONE_NEWNET)"] = errno_of(
            libc, CLONE[MACHINE], CLONE_NEWNET | SIGCHLD, 0, 0, 0, 0
        )
        found["clone3"] = errno_of(libc, CLONE3[MACHINE], 0, 0)
        found["personality(ADDR_NO_RANDOMIZE)"] = errno_of(
            libc, PERSONALITY[MACHINE], ADDR_NO_RANDOMIZE
        )
        found["personality(query)"] = errno_of(libc, PERSONALITY[MACHINE], 0xFFFFFFFF)
        found["personality(default)"] = errno_of(libc, PERSONALITY[MACHINE], 0)
        child = os.fork()  # glibc's fork: clone without namespace flags
        if child == 0:
            os._exit(7)
        found["fork"] = os.waitstatus_to_exitcode(os.waitpid(child, 0)[1])
        found["getpid"] = os.getpid() > 0
        return found

    found = in_filtered_child(probe)
    assert "load" not in found, f"the filter did not load: {os.strerror(found['load'])}"
    denied = {name for name, numbers in DENIED.items() if numbers[COLUMN] is not None}
    assert {name: found[name] for name in denied} == dict.fromkeys(denied, errno.EPERM)
    assert found["clone(CLONE_NEWUSER)"] == found["clone(CLONE_NEWNET)"] == errno.EPERM
    assert found["clone3"] == errno.ENOSYS  # glibc falls back to clone, whose flags are checked
    assert found["personality(ADDR_NO_RANDOMIZE)"] == errno.EPERM
    assert (found["personality(query)"], found["personality(default)"]) == (0, 0)
    assert (found["fork"], found["getpid"]) == (7, True)


@pytest.mark.parametrize("machine", ["x86_64", "aarch64"])
def test_the_system_call_numbers_match_the_kernel_headers(machine: str) -> None:
    header = HEADERS[machine]
    if not header.exists():
        pytest.skip(f"{header} is not installed (apt-get install linux-libc-dev)")
    numbers = {
        match[1]: int(match[2])
        for match in re.finditer(r"#define __NR(?:3264)?_(\w+)\s+(\d+)", header.read_text())
    }
    column = 0 if machine == "x86_64" else 1
    for name, pair in DENIED.items():
        assert pair[column] == numbers.get(name), name
    for table in (CLONE, CLONE3, PERSONALITY):
        name = {id(CLONE): "clone", id(CLONE3): "clone3", id(PERSONALITY): "personality"}[id(table)]
        assert table[machine] == numbers[name]


def test_the_program_is_whole_instructions_and_refuses_unknown_machines() -> None:
    for machine in ("x86_64", "aarch64"):
        program = build_filter(machine)
        assert len(program) % 8 == 0 and 0 < len(program) // 8 < 4096
    with pytest.raises(SeccompUnsupported, match="riscv64"):
        build_filter("riscv64")
