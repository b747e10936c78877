"""The fork server's own program: holds ipykernel imported and forks one sandboxed kernel per request.

The grader never imports this module. ``forkserver`` runs its source in a fresh interpreter with
an allow-listed environment, so it may use the standard library and ctypes only (no Django, nothing
from the project). The threat model and the launch sequence are in ``forkserver``'s docstring.

Stage ``setup`` (host Python, ``-I -S``, root): private mount namespace, a read-only template root
(the same view bubblewrap builds), pivot into it with the host root parked on ``/proc``, then exec
the sandbox's Python as stage ``serve``. Stage ``serve`` imports ipykernel, freezes the heap, and
forks one launcher per request socket it is handed; it never reads a request itself.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import gc
import json
import os
import platform
import resource
import signal
import socket
import struct
import sys

CLONE_NEWNS = 0x00020000
CLONE_NEWCGROUP = 0x02000000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_RDONLY = 0x1
MS_NOSUID = 0x2
MS_NODEV = 0x4
MS_NOEXEC = 0x8
MS_REMOUNT = 0x20
MS_BIND = 0x1000
MS_REC = 0x4000
MS_PRIVATE = 0x40000
MNT_DETACH = 0x2
PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_SECCOMP = 22
PR_SET_NO_NEW_PRIVS = 38
SECCOMP_MODE_FILTER = 2
# pivot_root per architecture (the seccomp filter, with its own tables, comes from the grader).
PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}
INNER_ENV_DIR = "/opt/kernel-env"
HOME = "/home/learner"
IPC = "/run/kernel"
SETUP_FAILED = 125

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = [
    ctypes.c_char_p,
    ctypes.c_char_p,
    ctypes.c_char_p,
    ctypes.c_ulong,
    ctypes.c_char_p,
]
_libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
_libc.unshare.argtypes = [ctypes.c_int]
_libc.sethostname.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
_libc.prctl.argtypes = [
    ctypes.c_int,
    ctypes.c_ulong,
    ctypes.c_ulong,
    ctypes.c_ulong,
    ctypes.c_ulong,
]


class SetupError(Exception):
    """A step of building a sandbox failed; str() names the step and the errno."""


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise SetupError(f"{what}: {os.strerror(errno)}")


def _b(value: str | None) -> bytes | None:
    return None if value is None else value.encode()


def mount(
    source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None
) -> None:
    _check(_libc.mount(_b(source), _b(target), _b(fstype), flags, _b(data)), f"mount {target}")


def bind(source: str, target: str, *, readonly: bool, extra: int = 0) -> None:
    mount(source, target, None, MS_BIND | MS_REC)
    flags = MS_BIND | MS_REMOUNT | MS_NOSUID | extra | (MS_RDONLY if readonly else 0)
    mount(None, target, None, flags)


def _pivot_root_number() -> int:
    try:
        return PIVOT_ROOT[platform.machine()]
    except KeyError:
        raise SetupError(f"the fork server does not support {platform.machine()}") from None


def prctl(option: int, value: int) -> None:
    _check(_libc.prctl(option, value, 0, 0, 0), f"prctl {option}")


def die_with_parent(expected_parent: int) -> None:
    """Die when the parent dies; a parent outside our pid namespace shows as pid 0."""
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != expected_parent:
        os._exit(SETUP_FAILED)


# ---------------------------------------------------------------- stage setup: the template root


def _touch(path: str) -> None:
    with open(path, "w"):
        pass


def _bind_into(root: str, host_path: str, *, readonly: bool = True) -> None:
    target = root + host_path
    if os.path.isdir(host_path):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        _touch(target)
    bind(host_path, target, readonly=readonly, extra=MS_NODEV)


def _build_template(root: str, config: dict) -> None:
    mount("pm-zygote", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,nr_inodes=4096,mode=0755")
    for name in ("home/learner", "run/kernel", "proc", "dev", "etc", f"{INNER_ENV_DIR}/bin"):
        os.makedirs(f"{root}/{name}", exist_ok=True)
    os.makedirs(f"{root}/usr")
    bind("/usr", f"{root}/usr", readonly=True, extra=MS_NODEV)
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        top = f"/{name}"
        if os.path.islink(top):
            os.symlink(os.readlink(top), f"{root}{top}")
        elif os.path.isdir(top):
            _bind_into(root, top)
    for name in config["etc"]:
        if os.path.exists(f"/etc/{name}"):
            _bind_into(root, f"/etc/{name}")
    for name in ("passwd", "group"):
        _touch(f"{root}/etc/{name}")
    with open(f"{root}/etc/hosts", "w") as hosts:
        hosts.write("127.0.0.1 localhost\n::1 localhost\n")
    python = config["python"]
    prefix = os.path.dirname(os.path.dirname(python))
    if not prefix.startswith("/usr"):
        _bind_into(root, prefix)
    with open(f"{root}{INNER_ENV_DIR}/pyvenv.cfg", "w") as cfg:
        cfg.write(f"home = {os.path.dirname(python)}\ninclude-system-site-packages = false\n")
    os.symlink(python, f"{root}{INNER_ENV_DIR}/bin/python")
    site = f"{root}{INNER_ENV_DIR}/lib/{config['python_version']}/site-packages"
    os.makedirs(site)
    bind(config["site_packages"], site, readonly=True, extra=MS_NODEV)
    _build_dev(f"{root}/dev")


def _build_dev(dev: str) -> None:
    mount(
        "pm-dev", dev, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=64k,nr_inodes=64,mode=0755"
    )
    for node in ("null", "zero", "full", "random", "urandom", "tty"):
        _touch(f"{dev}/{node}")
        bind(f"/dev/{node}", f"{dev}/{node}", readonly=False, extra=MS_NOEXEC)
    for name in ("shm", "pts"):
        os.mkdir(f"{dev}/{name}")
    for link, target in (
        ("fd", "/proc/self/fd"),
        ("stdin", "/proc/self/fd/0"),
        ("stdout", "/proc/self/fd/1"),
        ("stderr", "/proc/self/fd/2"),
        ("ptmx", "pts/ptmx"),
    ):
        os.symlink(target, f"{dev}/{link}")
    mount(None, dev, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)


def setup(config_fd: int, source_fd: int, control_fd: int) -> None:
    config = json.loads(os.pread(config_fd, 1 << 20, 0))
    die_with_parent(config["grader_pid"])
    _pivot_root_number()
    _check(_libc.unshare(CLONE_NEWNS), "unshare the mount namespace")
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    root = config["root"]
    _build_template(root, config)
    os.chdir(root)
    # The host root is parked on /proc: each launcher binds its run's directory from there and
    # then detaches it before mounting its own /proc, so no sandbox ever sees it.
    _check(_libc.syscall(ctypes.c_long(_pivot_root_number()), b".", b"proc"), "pivot_root")
    os.chdir("/")
    mount(None, "/", None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
    python = f"{INNER_ENV_DIR}/bin/python"
    os.execve(  # noqa: S606 - the sandbox's own interpreter, fixed argv
        python,
        [
            python,
            "-c",
            config["bootstrap"],
            "serve",
            str(config_fd),
            str(source_fd),
            str(control_fd),
        ],
        config["environment"],
    )


# ---------------------------------------------------------------- stage serve: the fork loop


def _reap(*_: object) -> None:
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass


def _warm_tracebacks(mode: str, theme: str) -> None:
    """Format one exception the way every kernel will, so what IPython builds lazily for it
    (pygments' terminal formatter and its colour tables) is built once here, not in each
    kernel's first failing cell. Only a speed-up: a newer IPython that formats differently must
    not stop the fork server."""
    try:
        from IPython.core.ultratb import FormattedTB

        try:
            raise ValueError("warm-up")
        except ValueError as error:
            FormattedTB(mode=mode, theme_name=theme).structured_traceback(
                type(error), error, error.__traceback__
            )
    except Exception:  # noqa: S110 - see the docstring
        pass


def _load_learner_end(name: str, source: str, channel: str) -> None:
    """The judge's end in the learner's kernel, as a module every kernel inherits: the grader's
    first call then finds it instead of compiling it (judge.LEARNER_END). Learner code can change
    it like anything else in its kernel; the judge trusts nothing it answers but plain values."""
    import types

    module = types.ModuleType(name)
    exec(compile(source, "<pma-judge>", "exec"), module.__dict__)  # noqa: S102 - the grader's own source
    sys.modules[name] = module
    _learner_end[:] = [name, channel]


#: The learner end's module name and the comm target each kernel registers at its start.
_learner_end: list[str] = []


def serve(config_fd: int, source_fd: int, control_fd: int) -> None:
    config = json.loads(os.pread(config_fd, 1 << 20, 0))
    os.close(config_fd)
    os.close(source_fd)
    control = socket.socket(fileno=control_fd)
    try:
        for name in config["blocked"]:
            sys.modules[name] = None  # type: ignore[assignment]  # makes `import name` fail
        for name in config["preload"]:
            __import__(name)
        for name in config["blocked"]:
            del sys.modules[name]
        _warm_tracebacks(*config["traceback"])
        _load_learner_end(*config["learner_end"])
        import threading

        if threading.active_count() != 1:
            raise SetupError("preloading started a thread; forking would copy a lock held by it")
        _pivot_root_number()
    except Exception as error:  # the grader reports why the fork server is unusable
        control.send(f"error {type(error).__name__}: {error}".encode())
        return
    gc.collect()
    # Objects that exist now are never collected again, so forked kernels do not dirty (copy)
    # the pages that hold them.
    gc.freeze()
    signal.signal(signal.SIGCHLD, _reap)
    zygote_pid = os.getpid()
    control.send(b"ready")
    while True:
        try:
            _, fds, _, _ = socket.recv_fds(control, 16, 1)
        except OSError:
            return
        if not fds:
            return
        request = socket.socket(fileno=fds[0])
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            control.close()
            launcher(request, zygote_pid, config)
            os._exit(0)
        request.close()


# ---------------------------------------------------------------- one sandbox per request


def _send(conn: socket.socket, **message: object) -> None:
    with contextlib.suppress(OSError):
        conn.send(json.dumps(message).encode())


def launcher(conn: socket.socket, zygote_pid: int, config: dict) -> None:
    """The outer process of one run (bubblewrap's outer process in the other launcher)."""
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGPIPE):
        signal.signal(number, signal.SIG_DFL)
    os.setsid()
    die_with_parent(zygote_pid)
    try:
        data, fds, _, _ = socket.recv_fds(conn, 1 << 16, 16)
        request = json.loads(data)
        log_fd, cgroup_fds = fds[0], fds[1:]
        for fd in cgroup_fds:
            os.write(fd, b"0")
            os.close(fd)
        flags = (
            CLONE_NEWNS
            | CLONE_NEWPID
            | CLONE_NEWNET
            | CLONE_NEWIPC
            | CLONE_NEWUTS
            | CLONE_NEWCGROUP
        )
        _check(_libc.unshare(flags), "unshare namespaces")
        mount(None, "/", None, MS_REC | MS_PRIVATE)
        _check(_libc.sethostname(b"sandbox", 7), "sethostname")
    except (SetupError, OSError, ValueError, KeyError, IndexError) as error:
        _send(conn, error=f"launcher: {error}")
        os._exit(SETUP_FAILED)
    ready_read, ready_write = os.pipe()
    init_pid = os.fork()
    if init_pid == 0:
        os.close(ready_read)
        conn.close()
        sandbox_init(request, log_fd, ready_write)
        os._exit(SETUP_FAILED)
    os.close(ready_write)
    os.close(log_fd)
    with os.fdopen(ready_read, "rb") as ready:
        answer = ready.read().decode("utf-8", "replace")
    uid = request["uid"]
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    # Changing credentials cleared the parent-death signal: arm it again.
    die_with_parent(zygote_pid)
    if answer == "ok":
        _send(conn, pid=os.getpid(), init_pid=init_pid)
    else:
        _send(conn, error=answer or "the sandbox init died during setup")
    _, status = os.waitpid(init_pid, 0)
    code = os.waitstatus_to_exitcode(status)
    _send(conn, exit=code if code >= 0 else 128 - code)
    os._exit(0)


def _private_files(request: dict) -> None:
    """Per-run /etc/passwd and /etc/group, read-only, from a tmpfs that is detached at once."""
    uid = request["uid"]
    mount(
        "pm-etc", HOME, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=16k,nr_inodes=8,mode=0755"
    )
    files = {
        "passwd": (
            f"learner:x:{uid}:{uid}:PM Academy learner:{HOME}:/usr/sbin/nologin\n"
            "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
        ),
        "group": f"learner:x:{uid}:\nnogroup:x:65534:\n",
    }
    for name, text in files.items():
        with open(f"{HOME}/{name}", "w") as handle:
            handle.write(text)
        bind(f"{HOME}/{name}", f"/etc/{name}", readonly=True, extra=MS_NODEV | MS_NOEXEC)
    _check(_libc.umount2(HOME.encode(), MNT_DETACH), "detach the staging tmpfs")


def _mounts(request: dict) -> None:
    bind(f"/proc{request['ipc_dir']}", IPC, readonly=False, extra=MS_NODEV | MS_NOEXEC)
    _private_files(request)
    mount("pm-sandbox", HOME, "tmpfs", MS_NOSUID | MS_NODEV, request["tmpfs_options"])
    _check(_libc.umount2(b"/proc", MNT_DETACH), "detach the host root")
    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    shm = "/dev/shm"  # noqa: S108 - the run's own shm is mounted here, not used as a temp dir
    mount("pm-shm", shm, "tmpfs", MS_NOSUID | MS_NODEV, request["tmpfs_options"])
    mount(
        "devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=620"
    )


def _load_seccomp(program: bytes) -> None:
    """Load the grader's filter (``grading.engine.sandbox.seccomp``): refused calls fail with EPERM.

    Built by the grader, so both launchers run the same list; it refuses, among others, new user
    namespaces (bubblewrap's --disable-userns), io_uring, keyrings, ptrace and mounts.
    """
    if not program or len(program) % 8:
        raise SetupError("seccomp: the grader sent no filter")
    buffer = ctypes.create_string_buffer(program)
    fprog = ctypes.create_string_buffer(
        struct.pack("HxxxxxxP", len(program) // 8, ctypes.addressof(buffer))
    )
    _check(
        _libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(fprog), 0, 0), "seccomp"
    )


def _loopback_up() -> None:
    """A new network namespace has only ``lo``, and it is down; bubblewrap brings it up too."""
    siocgifflags, siocsifflags, iff_up = 0x8913, 0x8914, 0x1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        request = struct.pack("16sH22x", b"lo", 0)
        flags = struct.unpack("16sH22x", fcntl.ioctl(probe, siocgifflags, request))[1]
        fcntl.ioctl(probe, siocsifflags, struct.pack("16sH22x", b"lo", flags | iff_up))


def sandbox_init(request: dict, log_fd: int, ready_fd: int) -> None:
    """pid 1 of the run: builds the mounts, drops to the run's uid and forks the kernel."""
    try:
        die_with_parent(0)
        _mounts(request)
        _loopback_up()
        os.chdir(HOME)
        for number, soft, hard in request["rlimits"]:
            resource.setrlimit(number, (soft, hard))
        uid = request["uid"]
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
        if os.getresuid() != (uid, uid, uid) or os.getgroups():
            raise SetupError("the run's uid did not stick")
        # The uid change cleared the parent-death signal and made us undumpable (which would
        # make /proc/self root-owned): restore both.
        die_with_parent(0)
        prctl(PR_SET_DUMPABLE, 1)
        prctl(PR_SET_NO_NEW_PRIVS, 1)
        _load_seccomp(bytes.fromhex(request["seccomp"]))
        null = os.open("/dev/null", os.O_RDWR)
        os.dup2(null, 0)
        os.dup2(null, 1)
        os.dup2(log_fd, 2)
        keep = {0, 1, 2, ready_fd}
        for fd in sorted(int(name) for name in os.listdir("/proc/self/fd")):
            if fd not in keep:
                with contextlib.suppress(OSError):
                    os.close(fd)
    except Exception as error:  # reported to the grader as the reason the start failed
        with contextlib.suppress(OSError):
            os.write(ready_fd, f"sandbox setup: {error}".encode())
        os._exit(SETUP_FAILED)
    kernel_pid = os.fork()
    if kernel_pid == 0:
        os.close(ready_fd)
        run_kernel(request)
        os._exit(0)
    for number in range(1, signal.NSIG):
        with contextlib.suppress(OSError, ValueError, RuntimeError):
            signal.signal(number, signal.SIG_DFL)
    os.write(ready_fd, b"ok")
    os.close(ready_fd)
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            os._exit(0)
        if pid == kernel_pid:
            code = os.waitstatus_to_exitcode(status)
            os._exit(code if code >= 0 else 128 - code)


def run_kernel(request: dict) -> None:
    """pid 2: becomes what ``python -m ipykernel_launcher`` would have become, minus the imports."""
    import random

    signal.signal(signal.SIGINT, signal.default_int_handler)
    for number in (signal.SIGTERM, signal.SIGPIPE, signal.SIGCHLD):
        signal.signal(number, signal.SIG_DFL)
    random.seed()
    # The zygote started with this same allow-list; what the preloaded modules added to it
    # (debugpy's PYDEVD_USE_FRAME_EVAL) is what a freshly started kernel would have too.
    os.environ.update(request["environment"])
    os.environ["PWD"] = HOME
    site = (
        f"{INNER_ENV_DIR}/lib/python{sys.version_info.major}.{sys.version_info.minor}/site-packages"
    )
    sys.argv = [f"{site}/ipykernel_launcher.py", *request["argv"]]
    sys.path[0] = HOME
    from ipykernel.kernelapp import IPKernelApp

    # What kernelapp.launch_new_instance() does, with the judge's comm target registered in between,
    # so the grader's first question after the learner's cells is a comm message, not a cell run.
    app = IPKernelApp.instance()
    app.initialize()
    if _learner_end:
        name, channel = _learner_end
        if not sys.modules[name].open_channel(channel, app.kernel):
            print("pm-academy: the judge's comm target could not be registered", file=sys.stderr)
    app.start()


def main(argv: list[str]) -> None:
    stage, config_fd, source_fd, control_fd = argv[0], int(argv[1]), int(argv[2]), int(argv[3])
    if stage == "setup":
        try:
            setup(config_fd, source_fd, control_fd)
        except (SetupError, OSError) as error:
            with contextlib.suppress(OSError):
                os.write(control_fd, f"error setup: {error}".encode())
            os._exit(SETUP_FAILED)
    else:
        serve(config_fd, source_fd, control_fd)
