"""A worker's own file tree, built from nothing (a normal user with user namespaces).

Without root a worker runs as the instructor's own uid, so file permissions hide nothing
from it: covering the paths we know to be secret (grader.sandbox.mountplan.plan_mounts) would
still leave the home folder, keys, agent sockets and every other readable file in view.
Here the worker gets a fresh root instead (`pivot_root`), holding only what `plan_view`
lists: the system folders, a few device files, the folders it imports from (the
interpreter's sys.path, the grader package, a venv wherever it lives), a private /tmp,
/var/tmp and /dev/shm, and a /proc of its own PID namespace. Everything is read-only but
the scratch folders. Run by the job (PID 1 of its PID namespace, inside the user and mount
namespaces grader.sandbox.confine made), after its keeper was forked.
"""

from __future__ import annotations

import os

from grader.sandbox.mountplan import SCRATCH, ViewPlan
from grader.sandbox.syscalls import (MNT_DETACH, MS_BIND, MS_NODEV, MS_NOEXEC, MS_NOSUID, MS_PRIVATE, MS_RDONLY,
                                     MS_REC, MS_REMOUNT, mount, mount_points, pivot_root, umount2)
NEW_ROOT = "/tmp"  # where the new root's tmpfs is mounted before the pivot (our own mount namespace)


def _source(path: str) -> int:
    """An O_PATH handle: the host's folder stays reachable once /tmp is covered by the new root."""
    return os.open(path, os.O_PATH | (os.O_DIRECTORY if os.path.isdir(path) else 0))


def _bind(fd: int, path: str, at: str) -> None:
    target = at + path
    if os.path.isdir(f"/proc/self/fd/{fd}"):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "w"):
            pass
    mount(f"/proc/self/fd/{fd}", target, None, MS_BIND | MS_REC)


def _cover(target: str) -> None:
    if os.path.isdir(target):
        mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=755")
    else:
        mount("/dev/null", target, None, MS_BIND)


def build(plan: ViewPlan, *, tmp_mb: int, uid: int, warnings: list[str]) -> None:
    """Make `plan` the calling process's whole file tree (its mount namespace's root);
    `uid` owns the private /tmp (the slot's uid as root, our own otherwise)."""
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    handles = {p: _source(p) for p in (*plan.binds, *plan.late_binds)}
    root = NEW_ROOT
    mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=755")
    try:
        for path, target in plan.links:
            os.symlink(target, root + path)
        for path in plan.binds:
            _bind(handles[path], path, root)
        os.makedirs(root + "/tmp")
        mount("tmpfs", root + "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, f"size={tmp_mb}m,mode=700,uid={uid},gid={uid}")
        for small in SCRATCH[1:]:
            os.makedirs(root + small)
            mount("tmpfs", root + small, "tmpfs", MS_NOSUID | MS_NODEV, "size=16m,mode=1777")
        for path in plan.late_binds:  # a venv under /tmp: bound over the fresh /tmp
            _bind(handles[path], path, root)
        for path in plan.recover:
            if os.path.lexists(root + path):
                _cover(root + path)
        for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                             ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")):
            os.symlink(target, f"{root}/dev/{name}")
        os.makedirs(root + "/proc")
        # Our own PID namespace's /proc: nothing of the zygote, the grader or other workers.
        mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None)
    finally:
        for fd in handles.values():
            os.close(fd)
    # The old root goes away entirely: pivot onto the new one, then detach the old, stacked on top.
    os.chdir(root)
    pivot_root(".", ".")
    umount2(".", MNT_DETACH)
    os.chdir("/")
    writable = set(SCRATCH) | {"/proc"}
    for point, flags in mount_points():
        if point in writable:
            continue
        try:
            mount(None, point, None, MS_REMOUNT | MS_BIND | MS_RDONLY | flags)
        except OSError as exc:
            if point == "/" or point in plan.binds or point in plan.late_binds:
                raise  # a venv the student could change for the next run, say
            warnings.append(f"could not make {point} read-only: {exc}")
