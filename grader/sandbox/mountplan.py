"""What a worker's mount namespace holds, from paths alone (testable).

`plan_view`: the worker's own tree, built from nothing (applied by grader.sandbox.view).
`plan_mounts`: the fallback where that tree cannot be built: the host's tree with hidden
folders covered and imports bound back (applied by grader.sandbox.confine).
`leaks`: the zygote's probe's test of what a confined worker still sees.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class MountPlan:
    """What to cover and what to bring back, computed from paths alone (testable)."""

    cover: list[str] = field(default_factory=list)      # outermost first
    expose: list[str] = field(default_factory=list)     # bound back after covering
    recover: list[str] = field(default_factory=list)    # hidden paths inside exposed folders
    # Exposed folders under /tmp, /var/tmp or /dev/shm (a venv in /tmp): those are replaced
    # by fresh tmpfs, so these are bound back (read-only) after, whether covered or not.
    scratch: list[str] = field(default_factory=list)


SCRATCH = ("/tmp", "/var/tmp", "/dev/shm")  # replaced by a fresh tmpfs in every worker


def inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _blocker(path: str) -> str | None:
    """The outermost ancestor an unprivileged uid cannot traverse (e.g. /root, mode 0700)."""
    parts = Path(path).parts
    for i in range(2, len(parts)):
        folder = str(Path(*parts[:i]))
        try:
            mode = os.stat(folder).st_mode
        except OSError:
            return None
        if not mode & stat.S_IXOTH:
            return folder
    return None


def plan_mounts(hidden: Iterable[str], exposed: Iterable[str], *, unprivileged: bool) -> MountPlan:
    """Cover hidden paths (and, for an unprivileged uid, untraversable parents of
    exposed folders); bind back exposed folders that end up under a cover; then
    cover again every hidden path that a bound-back folder brought back."""
    hidden_set = {os.path.realpath(h) for h in hidden if os.path.lexists(h)}
    wanted = []
    for e in exposed:
        real = os.path.realpath(e)
        # A folder named hidden stays hidden even when it is also on sys.path
        # (PYTHONPATH=<repo>); only folders strictly inside a hidden one come back.
        # "/" (Python 3.10 puts the working folder first on sys.path) and the scratch
        # folders themselves would expose everything: they never come back whole.
        if os.path.isdir(real) and real not in hidden_set and real != "/" and real not in SCRATCH:
            wanted.append(real)
    covers = set(hidden_set)
    if unprivileged:
        for e in wanted:
            b = _blocker(e)
            if b is not None:
                covers.add(b)
    # Only the outermost covers are mounted first; inner ones vanish with them.
    outer = sorted(c for c in covers if not any(c != o and inside(c, o) for o in covers))
    expose = sorted({e for e in wanted if any(inside(e, c) for c in outer)
                     and not any(e != o and inside(e, o) for o in wanted)})
    scratch = sorted({e for e in wanted if any(inside(e, s) for s in SCRATCH)
                      and not any(e != o and inside(e, o) for o in wanted)})
    # Binding a folder back brings back what it holds: cover hidden paths in it again.
    recover = sorted(h for h in hidden_set if any(inside(h, e) for e in expose + scratch))
    return MountPlan(cover=outer, expose=expose, recover=recover, scratch=scratch)


# -- the worker's own file tree (a normal user with user namespaces) -------------------------

# What every worker gets from the host, read-only: programs, libraries and system settings
# (no user's files live there). Top-level symlinks (/lib -> usr/lib) are made again as symlinks.
SYSTEM = ("/usr", "/etc", "/sys", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
DEVICES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom")


@dataclass(frozen=True)
class ViewPlan:
    """A new root built from nothing: only what is listed here exists for the worker.

    Everything else (your home, other users' homes, /run with its agent sockets, the course
    folder, the submissions, the output folder, /mnt, /srv, /opt) is simply absent.
    """

    links: tuple[tuple[str, str], ...]     # (path, target): top-level symlinks made again
    binds: tuple[str, ...]                 # host folders and device files bound read-only, outermost first
    late_binds: tuple[str, ...]            # exposed folders under a scratch folder: bound after its tmpfs
    recover: tuple[str, ...]               # hidden paths inside a bound folder: covered again


def plan_view(hidden: Iterable[str], exposed: Iterable[str]) -> ViewPlan:
    """What a worker's root holds: the system folders, the device files, and the folders it
    imports from (`exposed`: the interpreter's sys.path and the grader package, a venv
    anywhere); hidden paths that lie inside any of those are covered again."""
    hidden_set = {os.path.realpath(h) for h in hidden if os.path.lexists(h)}
    links: list[tuple[str, str]] = []
    system: list[str] = []
    for top in SYSTEM:
        if os.path.islink(top):
            links.append((top, os.readlink(top)))
        elif os.path.isdir(top):
            system.append(top)
    wanted = []
    for e in exposed:
        real = os.path.realpath(e)
        if (os.path.isdir(real) and real not in hidden_set and real != "/" and real not in SCRATCH
                and not any(inside(real, s) for s in system)):
            wanted.append(real)
    outer = sorted({e for e in wanted if not any(e != o and inside(e, o) for o in wanted)})
    late = [e for e in outer if any(inside(e, s) for s in SCRATCH)]
    early = [e for e in outer if e not in late]
    devices = [d for d in DEVICES if os.path.exists(d)]
    bound = system + outer
    recover = sorted(h for h in hidden_set if any(h != b and inside(h, b) for b in bound))
    return ViewPlan(links=tuple(links), binds=tuple(system + devices + early), late_binds=tuple(late),
                    recover=tuple(recover))


def leaks(path: str, exposed: Iterable[str]) -> bool:
    """Whether a worker still sees something of `path` (run inside the confinement, by the
    probe): it exists and holds a readable byte, or a folder entry that is not on the way to
    a folder the worker must import from. A cover (empty tmpfs, /dev/null) counts as hidden."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return False
    if stat.S_ISDIR(mode):
        try:
            names = os.listdir(path)
        except OSError:
            return False
        kept = [os.path.realpath(e) for e in exposed]
        return any(not any(inside(e, os.path.join(path, n)) for e in kept) for n in names)
    try:
        with open(path, "rb") as f:
            return bool(f.read(1))
    except OSError:
        return False
