"""Watching and killing a worker's processes.

Beside the confinement because both rest on these schemes: as root each worker slot
runs as its own uid, so a slot's processes are exactly that uid's; and every worker
job runs under a keeper (`keep`), so what the job starts ends with it even where
uids or namespaces are not available.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36


@dataclass(frozen=True)
class ProcInfo:
    pid: int
    uid: int
    anon_kb: int
    threads: int
    zombie: bool
    shmem_kb: int = 0   # resident shared memory (shm, memfd, MAP_SHARED) it maps


def processes(uids: set[int] | None = None) -> Iterator[ProcInfo]:
    """Every process (optionally only those whose real uid is in `uids`), from /proc."""
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            # One stat() skips other users' processes without reading their status:
            # the runner polls this several times a second.
            if uids is not None and os.stat(f"/proc/{name}").st_uid not in uids:
                continue
            with open(f"/proc/{name}/status", "rb") as f:
                text = f.read()
        except OSError:
            continue
        uid = anon = threads = shmem = 0
        zombie = False
        for line in text.split(b"\n"):
            if line.startswith(b"Uid:"):
                uid = int(line.split()[1])
                if uids is not None and uid not in uids:
                    break
            elif line.startswith(b"RssAnon:"):
                anon = int(line.split()[1])
            elif line.startswith(b"RssShmem:"):
                shmem = int(line.split()[1])
            elif line.startswith(b"Threads:"):
                threads = int(line.split()[1])
            elif line.startswith(b"State:"):
                zombie = b"Z" in line.split()[1]
        else:
            if uids is None or uid in uids:
                yield ProcInfo(int(name), uid, anon, threads, zombie, shmem)


def kill_uid(uid: int) -> None:
    """SIGKILL every process of `uid`, including any that left the process group.

    kill(-1) from a helper running as that uid reaches exactly its processes,
    all at once, so a fork bomb cannot outrun a pid-by-pid sweep.
    """
    pid = os.fork()
    if pid == 0:
        try:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            os.kill(-1, signal.SIGKILL)
        except BaseException:  # noqa: BLE001
            os._exit(1)
        os._exit(0)
    os.waitpid(pid, 0)


def children(pid: int) -> list[int]:
    """Live child processes of `pid` (every thread's), from /proc."""
    found: list[int] = []
    try:
        tids = os.listdir(f"/proc/{pid}/task")
        for tid in tids:
            with open(f"/proc/{pid}/task/{tid}/children", "rb") as f:
                found += [int(x) for x in f.read().split()]
        return found
    except FileNotFoundError:
        pass  # no such process, or a kernel without CONFIG_PROC_CHILDREN: look at every parent
    except OSError:
        return found
    return [c for c, parent in _parents().items() if parent == pid]


def _parents() -> dict[int, int]:
    parents: dict[int, int] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat", "rb") as f:
                    parents[int(name)] = int(f.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    return parents


def descendants(roots: list[int]) -> list[int]:
    """`roots` and every process below them."""
    out: list[int] = []
    todo = list(roots)
    while todo and len(out) < 100000:
        pid = todo.pop()
        out.append(pid)
        todo += children(pid)
    return out


def kill_trees(roots: Callable[[], list[int]], *, reap: bool = True, rounds: int = 100) -> None:
    """SIGKILL the processes `roots()` names and everything below them, again until none is
    left: a process may fork between the look and the kill, and what a killed process
    leaves is reparented (to us, as subreaper), so `roots` is asked again each round.
    `reap`: we are their parent (the zygote, a keeper); never in a process whose other
    children belong to someone else (subprocess.Popen would lose their statuses)."""
    for _ in range(rounds):
        pids = [p for p in descendants(roots()) if p != os.getpid() and _running(p)]
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        if reap:
            _reap()
        else:
            time.sleep(0.001)  # SIGKILL is not instant; our caller reaps them


def _running(pid: int) -> bool:
    """Not gone and not a zombie (which only its parent can clear away)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[0] not in (b"Z", b"X")
    except (OSError, IndexError):
        return False


def _reap() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def keep(*, pid_namespace: bool, prctl: Callable[[int, int], None]) -> None:
    """Fork; return in the child (the job), while the parent stays as its keeper and never returns.

    With `pid_namespace` (the caller unshared CLONE_NEWPID) the job is PID 1 of a fresh
    namespace: when it ends, or its keeper is killed (PDEATHSIG), the kernel kills every
    process in it, whatever setsid or double forks they did. Without one the keeper is a
    subreaper, so orphans of the job come to it, and it kills them all when the job ends.
    Either way it then exits as the job did, so the zygote reports the job's own status.
    """
    if not pid_namespace:
        prctl(PR_SET_CHILD_SUBREAPER, 1)
    job = os.fork()
    if job == 0:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # set again once the credentials are final
        os.setsid()  # a kill(0) by the job reaches its own process group, not its keeper
        return
    os.closerange(0, 1 << 16)  # the job's descriptors (channel, output) close when the job ends
    _, status = os.waitpid(job, 0)
    if not pid_namespace:
        kill_trees(lambda: children(os.getpid()))
    _exit_like(status)


def _exit_like(status: int) -> None:
    """Exit with `status`: the same signal when the job died of one (core dumps are off)."""
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        try:
            import resource

            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            if sig not in (signal.SIGKILL, signal.SIGSTOP):
                signal.signal(sig, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, [sig])
            os.kill(os.getpid(), sig)
        except (OSError, ValueError):
            pass
        os._exit(128 + sig)
    os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 70)
