"""Confinement of one worker process, applied right after the zygote forks it.

As root: new network, IPC, mount and PID namespaces; the worker gets a file tree of its
own, built from nothing (grader.sandbox.view): the system folders, a few device files and
the folders it must import from (stdlib, site-packages, the grader package), read-only,
with hidden paths inside those (hidden checks) covered again, and fresh, small /tmp,
/var/tmp and /dev/shm; then rlimits are set and the process drops to the slot's own
unprivileged uid. Where the tree cannot be built, the older plan is the fallback: the
whole host tree re-mounted read-only, hidden paths (the repository, solutions,
submissions, the batch output) covered with empty tmpfs, imports bound back.

Without root we try an unprivileged user namespace for the same namespaces and tree (the
worker is then the instructor's own uid, so the tree is what hides the instructor's files;
the zygote's probe checks it), and otherwise fall back to rlimits and a new session only;
the zygote reports the reduced isolation once so the runner can name it.

Processes: the job runs as PID 1 of its own PID namespace under a keeper process
(grader.sandbox.procs.keep), so a kill(-1) reaches only the job's own processes and
everything it starts (setsid daemons, double forks) dies with it. Without a PID
namespace the keeper is a subreaper that kills what the job left, and the zygote kills
what escaped a killed keeper; as root the slot's uid sweep backs both.

Network: last of all, in every worker, a seccomp filter (grader.sandbox.seccomp) refuses
socket(2) and io_uring_setup(2). Where the worker has a network namespace it backs that up;
where it cannot (root in a default container) it is the only thing keeping workers off the
network and the host's local services, which is why the zygote's probe tries sockets.

The kernel calls themselves (ctypes: Python 3.11 has no `os.unshare` or `mount`) are in
grader.sandbox.syscalls.
"""
from __future__ import annotations

import os
import signal
from dataclasses import asdict, dataclass
from typing import Any

try:
    import resource
except ImportError:  # Windows: no rlimits; there the portable runner is used and nothing is confined
    resource = None  # type: ignore[assignment]

from grader.sandbox import seccomp, view
from grader.sandbox.mountplan import SCRATCH, MountPlan, inside, plan_mounts, plan_view  # noqa: F401 - re-exported
from grader.sandbox.procs import PR_SET_PDEATHSIG, keep
from grader.sandbox.syscalls import (  # noqa: F401 - re-exported: the zygote, the portable worker, tests
    CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWUSER, MS_BIND, MS_NODEV, MS_NOEXEC, MS_NOSUID,
    MS_PRIVATE,
    MS_RDONLY, MS_REC, MS_REMOUNT, PR_SET_NO_NEW_PRIVS, SandboxSetupError, drop_capabilities, libc, mount,
    MNT_DETACH, mount_points, prctl, umount2, unshare)
from grader.sandbox.procs import (  # noqa: F401 - re-exported: the zygote and the slot watchers
    PR_SET_CHILD_SUBREAPER, ProcInfo, kill_uid, processes)

UID_BASE = 61000  # slot s runs as uid/gid UID_BASE + s
NO_OWN_TREE = "no file tree of its own"  # the warning grader.runner.isolation looks for
NO_SOCKET_FILTER = "no socket filter"     # a worker may open sockets (grader.sandbox.seccomp)


@dataclass(frozen=True)
class SandboxConfig:
    """Plain settings the runner sends to the zygote for each worker."""

    uid: int | None = None            # None: keep our uid (not root)
    data_mb: int = 0                  # RLIMIT_DATA; 0 = none
    nproc: int = 256
    cpu_seconds: int = 0              # RLIMIT_CPU; 0 = none
    file_mb: int = 64                 # RLIMIT_FSIZE: largest file (and captured output)
    tmp_mb: int = 256                 # size of the fresh /tmp
    hidden: tuple[str, ...] = ()      # covered with an empty tmpfs
    exposed: tuple[str, ...] = ()     # bound back read-only when under a covered folder
    namespaces: bool = True
    cgroup: str | None = None         # cgroup.procs of the slot's cgroup (memory.max), joined first

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["hidden"], d["exposed"] = list(self.hidden), list(self.exposed)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "SandboxConfig":
        d = dict(d)
        d["hidden"], d["exposed"] = tuple(d.get("hidden", ())), tuple(d.get("exposed", ()))
        return cls(**d)


def _cover(path: str) -> None:
    if os.path.isdir(path):
        mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=755")
    else:
        mount("/dev/null", path, None, MS_BIND)


def _apply_mounts(config: SandboxConfig, plan: MountPlan, warnings: list[str], pid_namespace: bool) -> None:
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    # O_PATH handles reach the real folders even after they are covered.
    handles = {e: os.open(e, os.O_PATH | os.O_DIRECTORY) for e in plan.expose}
    for path in plan.cover:
        _cover(path)
    for path, fd in handles.items():
        os.makedirs(path, exist_ok=True)
        mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC)
        os.close(fd)
    for path in plan.recover:
        _cover(path)
    if config.uid is not None or pid_namespace:
        # A /proc of our own that shows only the worker's own PID namespace (and, with
        # hidepid, only its uid's processes): the zygote's and the grader's command lines
        # (submission and output folders) stay out of sight.
        for options in ("hidepid=invisible", "hidepid=2", None):
            try:
                mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, options)
                break
            except OSError:
                if options is None:
                    raise
    # Everything read-only: the worker may write only to the fresh tmpfs below.
    for point, flags in mount_points():
        try:
            mount(None, point, None, MS_REMOUNT | MS_BIND | MS_RDONLY | flags)
        except OSError:
            pass  # e.g. a mount hidden under a cover; it is unreachable anyway
    # Exposed folders that live under the scratch folders about to be replaced (a checkout and
    # its venv in /tmp) would vanish with them: keep handles, and bind them back read-only after.
    buried = {e: os.open(e, os.O_PATH | os.O_DIRECTORY) for e in plan.scratch}
    uid = config.uid if config.uid is not None else os.getuid()
    mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV,
          f"size={config.tmp_mb}m,mode=700,uid={uid},gid={uid}")
    for small in SCRATCH[1:]:
        if os.path.isdir(small):
            try:
                mount("tmpfs", small, "tmpfs", MS_NOSUID | MS_NODEV, "size=16m,mode=1777")
            except OSError as exc:
                warnings.append(f"could not replace {small}: {exc}")
    for path, fd in buried.items():
        os.makedirs(path, exist_ok=True)
        mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC)
        mount(None, path, None, MS_REMOUNT | MS_BIND | MS_RDONLY)
        os.close(fd)
    for path in plan.recover:
        if any(inside(path, e) for e in buried):
            _cover(path)


def _own_tree(config: SandboxConfig, plan: MountPlan, warnings: list[str], pid_namespace: bool) -> None:
    """A root of its own holding only what the worker needs (grader.sandbox.view): without root
    the worker is the instructor's own uid, and as root a slot uid still reads what every user
    may. Where that cannot be built, the covers of the known secret paths are the fallback; the
    warning keeps a normal user's level from claiming the files (as root the slot uid and file
    permissions still stand, as they did before the tree existed)."""
    if pid_namespace:  # /proc of our own PID namespace is part of the tree
        try:
            uid = config.uid if config.uid is not None else os.getuid()
            view.build(plan_view(config.hidden, config.exposed), tmp_mb=config.tmp_mb, uid=uid, warnings=warnings)
            return
        except OSError as exc:
            reason = str(exc)
            try:
                umount2(view.NEW_ROOT, MNT_DETACH)  # a half-built tree, before its pivot
            except OSError:
                pass
    else:
        reason = "no PID namespace"
    warnings.append(f"{NO_OWN_TREE} ({reason}): a worker can read every file you can")
    _apply_mounts(config, plan, warnings, pid_namespace)


SYSV_SHM_BYTES = 16 << 20  # System V shared memory in the worker's own IPC namespace, as for /dev/shm


def _cap_sysv_shm(warnings: list[str]) -> None:
    """Segments that no process maps count in no process's memory: allow only a little."""
    try:
        for name, value in (("shmmax", SYSV_SHM_BYTES), ("shmall", SYSV_SHM_BYTES // os.sysconf("SC_PAGE_SIZE"))):
            with open(f"/proc/sys/kernel/{name}", "w") as f:
                f.write(str(value))
    except OSError as exc:
        warnings.append(f"System V shared memory not capped: {exc}")


def _namespaces(root: bool) -> bool:
    """Unshare mount, network and IPC namespaces, and a PID namespace for our next child
    when the kernel allows it (returned). Without root, inside a user namespace that keeps
    our own uid, so we may mount. A process forked as PID 1 of a fresh namespace (by the
    zygote, as root) needs no other."""
    flags = CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | (0 if root else CLONE_NEWUSER)
    if os.getpid() == 1:
        unshare(flags)
        if not root:
            _map_own_ids()
        return True
    try:
        unshare(flags | CLONE_NEWPID)
        pid_namespace = True
    except OSError:
        unshare(flags)
        pid_namespace = False
    if not root:
        _map_own_ids()
    return pid_namespace


def keep_job() -> bool:
    """For the portable runner's worker, before it imports anything heavy: continue as a
    job under a keeper (grader.sandbox.procs.keep), in a PID namespace of its own when the
    kernel allows one (returned), so whatever the job starts ends with it."""
    root = os.getuid() == 0
    try:
        unshare(CLONE_NEWPID if root else CLONE_NEWUSER | CLONE_NEWPID)
        if not root:
            _map_own_ids()
        pid_namespace = True
    except OSError:
        pid_namespace = False
    keep(pid_namespace=pid_namespace, prctl=prctl)
    if pid_namespace and not root:
        try:
            drop_capabilities()  # the user namespace was for the PID namespace only
        except OSError:
            pass
    return pid_namespace


def _map_own_ids() -> None:
    """In a fresh user namespace: be our own uid and gid there too."""
    uid, gid = os.getuid(), os.getgid()
    with open("/proc/self/setgroups", "w") as f:
        f.write("deny")
    with open("/proc/self/uid_map", "w") as f:
        f.write(f"{uid} {uid} 1")
    with open("/proc/self/gid_map", "w") as f:
        f.write(f"{gid} {gid} 1")


def set_limits(config: SandboxConfig) -> None:
    def lim(which: int, value: int) -> None:
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            soft, hard = resource.getrlimit(which)
            if hard == resource.RLIM_INFINITY or value <= hard:
                resource.setrlimit(which, (value, hard))

    lim(resource.RLIMIT_CORE, 0)
    lim(resource.RLIMIT_FSIZE, config.file_mb << 20)
    if config.data_mb:
        lim(resource.RLIMIT_DATA, config.data_mb << 20)
    if config.cpu_seconds:
        lim(resource.RLIMIT_CPU, config.cpu_seconds)
    if config.uid is not None or os.getuid() != 0:
        lim(resource.RLIMIT_NPROC, config.nproc)
    # A write past RLIMIT_FSIZE then fails with EFBIG instead of killing the worker.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def enter(config: SandboxConfig) -> list[str]:
    """Confine the calling (freshly forked, single-threaded) process.

    Returns warnings for whatever could not be done; raises only when a step
    that must not be skipped (dropping root) fails.
    """
    warnings: list[str] = []
    if config.cgroup is not None:
        try:
            with open(config.cgroup, "w") as f:
                f.write("0")  # this process, and so everything it starts
        except OSError as exc:
            warnings.append(f"could not join the slot's cgroup: {exc}")
    os.setsid()
    root = os.getuid() == 0
    unprivileged = config.uid is not None
    plan = plan_mounts(config.hidden, config.exposed, unprivileged=unprivileged)
    own = os.getpid() == 1  # forked as PID 1 of a fresh PID namespace (by the zygote, as root)
    isolated, pid_namespace = False, own
    if config.namespaces:
        try:
            pid_namespace = _namespaces(root) or own
            isolated = True
        except OSError as exc:
            warnings.append(f"no private network or file-system view ({exc})")
    else:
        warnings.append("namespaces disabled")
    if not pid_namespace:
        warnings.append("no PID namespace: a worker's processes are found and killed by the zygote")
    if not own:
        # From here on we are the job; our parent stays behind as its keeper (grader.sandbox.procs.keep).
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # the keeper dies with the zygote
        keep(pid_namespace=pid_namespace, prctl=prctl)
    if isolated:
        try:
            if root:
                _cap_sysv_shm(warnings)
            _own_tree(config, plan, warnings, pid_namespace)
        except OSError as exc:
            warnings.append(f"no private network or file-system view ({exc})")
    try:
        prctl(PR_SET_NO_NEW_PRIVS, 1)
    except OSError as exc:
        warnings.append(f"no_new_privs: {exc}")
    set_limits(config)
    if config.uid is not None and root:
        os.setgroups([])
        os.setgid(config.uid)
        os.setuid(config.uid)
        if os.getuid() != config.uid or os.geteuid() != config.uid:
            raise SandboxSetupError(0, "could not drop root")
    elif not root and config.namespaces:
        try:
            drop_capabilities()
        except OSError as exc:
            warnings.append(f"capabilities kept: {exc}")
    # Die with the zygote (a credential change clears this, so set it after the uid).
    try:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except OSError:
        pass
    # Last, once no_new_privs is set and root is dropped (so nothing above is filtered): no sockets.
    load_socket_filter(warnings)
    return warnings


def load_socket_filter(warnings: list[str]) -> None:
    """The worker's seccomp filter (grader.sandbox.seccomp); where it cannot be loaded, a warning,
    unless the zygote's probe proved it loads (the level may rest on it): then no student code runs."""
    try:
        seccomp.install()
    except OSError as exc:
        if seccomp.required():
            raise SandboxSetupError(exc.errno or 0, f"{NO_SOCKET_FILTER}: {exc}") from exc
        warnings.append(f"{NO_SOCKET_FILTER}: {exc}")
