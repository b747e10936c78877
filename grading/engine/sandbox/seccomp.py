"""The seccomp filter every learner kernel runs under, whichever launcher built its sandbox.

A deny list, built here in the grader as a classic BPF program and loaded as the last step of
sandbox setup: by the fork server's sandbox init (``zygote.py``) before it forks the kernel, and by
bubblewrap (``--seccomp``) right before it execs the kernel. Nothing after that point needs a
refused call: the mounts are done and the namespaces are made.

Refused calls fail with ``EPERM`` (the process is not killed), so learner code gets a plain
``PermissionError`` / ``OSError: [Errno 1]``. ``clone3`` gets ``ENOSYS`` instead: its flags live in
memory a filter cannot read, and ``ENOSYS`` makes glibc fall back to ``clone``, whose flags it can.

What is refused and why (see ``DENIED``): kernel attack surface an unprivileged notebook never
needs (io_uring, keyrings, BPF, perf events, userfaultfd), anything that changes the machine
(modules, kexec, reboot, swap, clocks, accounting, quotas, host and domain names), mounting and
namespaces (a second line behind the missing capabilities: no user namespace, so no fresh
capabilities), looking into other processes (ptrace, process_vm_*, kcmp, pidfd_getfd,
process_madvise), file handles that bypass path checks, NUMA page placement, vmsplice, and
``personality`` other than querying or keeping the default (``ADDR_NO_RANDOMIZE`` would turn off
address-space randomisation). Checked against ipykernel, libzmq, numpy, pandas, matplotlib,
subprocess, threading and multiprocessing (an strace of all of them calls none of these).
Sockets are not filtered: libzmq aborts when ``AF_NETLINK`` is refused, and the network
namespace already has nothing to reach.
"""

from __future__ import annotations

import platform
import struct

# Audit architecture of each supported machine; a call made through any other ABI (i386
# compatibility calls on x86_64) kills the process.
AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}

# name: (x86_64 number, aarch64 number); None where the call does not exist on that machine.
DENIED: dict[str, tuple[int | None, int | None]] = {
    # Kernel attack surface with no use in a notebook.
    "io_uring_setup": (425, 425),
    "io_uring_enter": (426, 426),
    "io_uring_register": (427, 427),
    "keyctl": (250, 219),
    "add_key": (248, 217),
    "request_key": (249, 218),
    "bpf": (321, 280),
    "perf_event_open": (298, 241),
    "userfaultfd": (323, 282),
    "lookup_dcookie": (212, 18),
    "vmsplice": (278, 75),
    "memfd_secret": (447, 447),
    # Changing the machine itself.
    "kexec_load": (246, 104),
    "kexec_file_load": (320, 294),
    "init_module": (175, 105),
    "finit_module": (313, 273),
    "delete_module": (176, 106),
    "reboot": (169, 142),
    "swapon": (167, 224),
    "swapoff": (168, 225),
    "acct": (163, 89),
    "quotactl": (179, 60),
    "quotactl_fd": (443, 443),
    "settimeofday": (164, 170),
    "clock_settime": (227, 112),
    "adjtimex": (159, 171),
    "clock_adjtime": (305, 266),
    "sethostname": (170, 161),
    "setdomainname": (171, 162),
    "syslog": (103, 116),
    "iopl": (172, None),
    "ioperm": (173, None),
    "uselib": (134, None),
    "vhangup": (153, 58),
    "nfsservctl": (180, 42),
    "_sysctl": (156, None),
    # Mounts and namespaces: the sandbox is built before the filter is loaded.
    "mount": (165, 40),
    "umount2": (166, 39),
    "pivot_root": (155, 41),
    "chroot": (161, 51),
    "open_tree": (428, 428),
    "move_mount": (429, 429),
    "fsopen": (430, 430),
    "fsconfig": (431, 431),
    "fsmount": (432, 432),
    "fspick": (433, 433),
    "mount_setattr": (442, 442),
    "unshare": (272, 97),
    "setns": (308, 268),
    # Other processes' memory and descriptors.
    "ptrace": (101, 117),
    "process_vm_readv": (310, 270),
    "process_vm_writev": (311, 271),
    "process_madvise": (440, 440),
    "kcmp": (312, 272),
    "pidfd_getfd": (438, 438),
    # File handles bypass path-based checks; fanotify watches whole mounts.
    "open_by_handle_at": (304, 265),
    "name_to_handle_at": (303, 264),
    "fanotify_init": (300, 262),
    # NUMA page placement.
    "mbind": (237, 235),
    "migrate_pages": (256, 238),
    "move_pages": (279, 239),
    "set_mempolicy_home_node": (450, 450),
}
# Checked by argument rather than refused outright.
CLONE = {"x86_64": 56, "aarch64": 220}
CLONE3 = {"x86_64": 435, "aarch64": 435}
PERSONALITY = {"x86_64": 135, "aarch64": 92}
# clone() may not create namespaces (CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID,
# NEWNET). The low byte of clone's flags is the exit signal, so CLONE_NEWTIME (0x80, clone3 and
# unshare only) is not in the mask; both of those are refused whole.
CLONE_NAMESPACES = 0x7E020000
# personality(): 0 keeps the default Linux personality, 0xffffffff only reads the current one.
PERSONALITY_ALLOWED = (0x00000000, 0xFFFFFFFF)

X32_SYSCALL_BIT = 0x40000000
EPERM, ENOSYS = 1, 38

_LD_W_ABS, _JEQ, _JGE, _JSET, _RET = 0x20, 0x15, 0x35, 0x45, 0x06
_RET_KILL_PROCESS, _RET_ERRNO, _RET_ALLOW = 0x80000000, 0x00050000, 0x7FFF0000
# Offsets into struct seccomp_data: nr, arch, then the low word of args[0] (little endian).
_NR, _ARCH, _ARG0_LOW = 0, 4, 16


class SeccompUnsupported(RuntimeError):
    """The filter has no system call numbers for this machine."""


def denied_names() -> list[str]:
    """Every call the filter refuses outright, for documentation and the host check."""
    return sorted(DENIED)


def build_filter(machine: str | None = None) -> bytes:
    """The filter as the raw ``struct sock_filter`` array that prctl and bubblewrap load."""
    machine = machine or platform.machine()
    if machine not in AUDIT_ARCH:
        raise SeccompUnsupported(f"the sandbox's seccomp filter does not support {machine}")
    column = 0 if machine == "x86_64" else 1
    denied = sorted(
        {number for numbers in DENIED.values() if (number := numbers[column]) is not None}
    )
    # (code, jump-if-true label, jump-if-false label, k); labels are resolved below.
    program: list[tuple[int, str | None, str | None, int] | str] = [
        (_LD_W_ABS, None, None, _ARCH),
        (_JEQ, "arch_ok", None, AUDIT_ARCH[machine]),
        (_RET, None, None, _RET_KILL_PROCESS),
        "arch_ok",
        (_LD_W_ABS, None, None, _NR),
    ]
    if machine == "x86_64":
        # x32 numbers would reach the same calls under different numbers.
        program.append((_JGE, "eperm", None, X32_SYSCALL_BIT))
    program += [
        (_JEQ, "enosys", None, CLONE3[machine]),
        (_JEQ, "clone", None, CLONE[machine]),
        (_JEQ, "personality", None, PERSONALITY[machine]),
        *[(_JEQ, "eperm", None, number) for number in denied],
        (_RET, None, None, _RET_ALLOW),
        "clone",
        (_LD_W_ABS, None, None, _ARG0_LOW),
        (_JSET, "eperm", None, CLONE_NAMESPACES),
        (_RET, None, None, _RET_ALLOW),
        "personality",
        (_LD_W_ABS, None, None, _ARG0_LOW),
        *[(_JEQ, "allow", None, value) for value in PERSONALITY_ALLOWED],
        "eperm",
        (_RET, None, None, _RET_ERRNO | EPERM),
        "enosys",
        (_RET, None, None, _RET_ERRNO | ENOSYS),
        "allow",
        (_RET, None, None, _RET_ALLOW),
    ]
    return _assemble(program)


def _assemble(program: list[tuple[int, str | None, str | None, int] | str]) -> bytes:
    labels: dict[str, int] = {}
    position = 0
    for item in program:
        if isinstance(item, str):
            labels[item] = position
        else:
            position += 1
    raw = b""
    position = 0
    for item in program:
        if isinstance(item, str):
            continue
        code, if_true, if_false, k = item
        offsets = []
        for label in (if_true, if_false):
            offset = 0 if label is None else labels[label] - position - 1
            if not 0 <= offset <= 255:
                raise ValueError(f"seccomp jump to {label} out of range")
            offsets.append(offset)
        raw += struct.pack("=HBBI", code, offsets[0], offsets[1], k)
        position += 1
    return raw
