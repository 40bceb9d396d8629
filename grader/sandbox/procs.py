"""Watching and killing a slot's processes, from the trusted side (the runner, the tests).

Beside the confinement because both rest on one scheme: each worker slot runs as
its own uid, so a slot's processes are exactly that uid's.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from dataclasses import dataclass


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
