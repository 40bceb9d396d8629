"""Isolation levels: what the sandbox really achieved, by name, and who may run at which.

The zygote's probe confines a throw-away child and reports what failed; `detect`
turns that report (and whether we are root) into a `Level`. Every command that
runs student code prints `Level.line()` once and records the level; commands
that run untrusted code (`grader grade`, `pytest --grader-submission`,
run_autograder) call `admit` first, which refuses a level below the command's
`Need` before any student code runs, unless weak isolation was allowed
explicitly (`--allow-weak-isolation`, or `GRADER_ALLOW_WEAK_ISOLATION=1` where
there is no command line: the pytest plugin and run_autograder).

    full       root, with mount (a file tree of its own), network, IPC and PID namespaces and a
               uid per worker, the file tree and the network proved by the probe
    container  root that may setuid but not unshare (a default Docker container), or root whose
               namespaces the probe could not prove: a uid per worker and file permissions; the
               network closed where the probe proved the socket filter (grader.sandbox.seccomp);
               workers still share the host's world-writable folders (no `scratch`), so a class,
               whose students meet there one after another, is refused (run_autograder is not)
    user       a normal user with user namespaces: the worker is you, in namespaces of its own and
               a file tree built from nothing (grader.sandbox.view), proved by the probe
    none       the portable runner, or a normal user without namespaces
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from grader.errors import IsolationRefused

ALLOW_ENV = "GRADER_ALLOW_WEAK_ISOLATION"
ALLOW_FLAG = "--allow-weak-isolation"
# Where to get the strongest level; the same words in the refusal and the README.
HOW_TO_GET_FULL = (
    "run the grader as root on a Linux host that allows namespaces (sudo .venv/bin/grader grade ...), "
    "or in a container started with --cap-add SYS_ADMIN --security-opt seccomp=unconfined "
    "--security-opt apparmor=unconfined (see the README's 'Isolation levels')")
# A normal user gets 'user', which protects all three, where user namespaces are allowed.
HOW_TO_GET_USER = (
    "as a normal user, allow unprivileged user namespaces (on Ubuntu 23.10 and later: sudo sysctl "
    "kernel.apparmor_restrict_unprivileged_userns=0, or an AppArmor profile with 'userns,' for this python)")

_GUARANTEES = {
    "full": "own network, IPC and PID namespaces and a file tree of only the interpreter, its libraries and "
            "a private /tmp; a uid per worker; rlimits; memory poll",
    "container": "a uid per worker; file permissions; rlimits; memory poll; no namespaces",
    # Added to the line only where the probe proved it (see Level.line).
    "container network": "no sockets: socket(2) and io_uring refused by a seccomp filter",
    "user": "own network, IPC and PID namespaces and a file tree of only the interpreter, its libraries and "
            "a private /tmp; workers run as your own user; rlimits; memory poll",
    "none": "rlimits and a memory poll only; workers see the file system as your user (nobody when root)",
}


@dataclass(frozen=True)
class Level:
    """An isolation level as achieved: what it protects, and what is missing (in words)."""

    name: str                    # full | container | user | none
    runner: str                  # sandbox | portable
    files: bool                  # the instructor's files (solutions, hidden checks, output, home) are out of reach
    network: bool                # workers have no network (nor the host's local services)
    processes: bool              # workers can signal or trace no process but their own
    # Workers write only to folders of their own (a fresh /tmp each, everything else read-only):
    # nothing one leaves in a world-writable folder waits for, or stands in the way of, another.
    scratch: bool = False
    missing: tuple[str, ...] = ()
    allowed_weak: bool = False   # below what the command needs, graded anyway by explicit option

    def label(self) -> str:
        """The short form recorded in each results.json."""
        return self.name + (" (weak isolation allowed)" if self.allowed_weak else "")

    def line(self) -> str:
        """The one line every command that runs student code prints (stderr)."""
        said = _GUARANTEES[self.name]
        if self.name == "container" and self.network:
            said = said.replace("; rlimits", "; " + _GUARANTEES["container network"] + "; rlimits")
        text = f"isolation: {self.name} ({said})"
        if not self.network:
            text += "; WORKERS CAN REACH THE NETWORK and local services"
        if self.allowed_weak:
            text += f"; below what this command needs, allowed by {ALLOW_FLAG}"
        return text

    def record(self) -> dict[str, object]:
        """What summary.json says about the run's isolation."""
        return {"level": self.name, "runner": self.runner, "files": self.files, "network": self.network,
                "processes": self.processes, "scratch": self.scratch, "missing": list(self.missing),
                "allowed_weak": self.allowed_weak}


@dataclass(frozen=True)
class Need:
    """What a command requires of the level before it runs student code."""

    name: str
    files: bool = False
    network: bool = False
    processes: bool = False
    scratch: bool = False
    allow_weak: bool = False     # the explicit option: run at any level, printed and recorded as such

    @property
    def untrusted(self) -> bool:
        return self.files or self.network or self.processes


# Self-checks and the built-in example class: the student's own (or our own) code.
TRUSTED = Need("trusted")
# `grader grade` and `pytest --grader-submission`: untrusted code on the instructor's machine.
# A class: students graded one after another on the same machine must not meet in shared folders.
UNTRUSTED = Need("untrusted", files=True, network=True, processes=True, scratch=True)
# run_autograder: one submission in a throw-away container that Gradescope starts with a
# network. The socket filter keeps workers off it where libseccomp is present; where it is
# not, the open network is said in the output but does not stop the grading. One submission
# per container: no later student shares its folders.
GRADESCOPE = Need("gradescope", files=True, processes=True)


def allowed_by_env(environ: dict[str, str] | None = None) -> bool:
    value = (os.environ if environ is None else environ).get(ALLOW_ENV, "")
    return value.strip().lower() in ("1", "true", "yes")


# -- detection -------------------------------------------------------------------

def _failed(warnings: Sequence[str], *needles: str) -> list[str]:
    return [w for w in warnings if any(n in w for n in needles)]


def detect(as_root: bool, warnings: Sequence[str], hidden: Iterable[str] = (), *,
           pid_namespaces: bool = False, proved: frozenset[str] = frozenset()) -> Level:
    """The level a started sandbox gives, from the zygote probe's warnings and proofs.

    `warnings` are what the probe child could not do (grader.sandbox.confine.enter);
    `hidden` are the paths workers must not read, checked against file permissions
    where no mount namespace covers them. `pid_namespaces`: the sandbox puts each worker
    in a PID namespace of its own where it can (it then warns where it could not).
    `proved`: what the probe child, confined as a worker, tried and could
    not do (grader.sandbox.proof): "files" (read a hidden path or your home) and
    "network" (find a network interface, or open a socket). Nothing is claimed unproved
    but what a root worker's own uid gives: its processes, and files closed by permissions.
    """
    no_namespaces = _failed(warnings, "no private network or file-system view", "namespaces disabled")
    if as_root:
        return _root_level(warnings, hidden, proved, no_namespaces)
    if not no_namespaces:
        # A PID namespace of its own keeps a worker's signals and ptrace among its own processes.
        own_pids = pid_namespaces and not _failed(warnings, "no PID namespace")
        files, network = "files" in proved, "network" in proved
        why_files = _failed(warnings, "file tree", "still visible", "root still shows")
        missing = []
        if not files:
            missing.append("the instructor's files: workers run as your own user and could read every file you "
                           "can (your home, keys): " + ("; ".join(why_files) if why_files
                                                        else "the sandbox could not prove them hidden"))
        if not network:
            why = _failed(warnings, "network interfaces")
            missing.append("the network: workers can reach it and the host's local services"
                           + (f" ({why[0]})" if why else ""))
        if not own_pids:
            missing.append("the processes: workers run as your own user, so a student's kill(-1) "
                           "or ptrace reaches your other processes")
        return Level("user", "sandbox", files=files, network=network, processes=own_pids, scratch=True,
                     missing=tuple(missing))
    return none_level("sandbox", why=no_namespaces[0])


def _root_level(warnings: Sequence[str], hidden: Iterable[str], proved: frozenset[str],
                no_namespaces: Sequence[str]) -> Level:
    """Root: `full` when the namespaces stood and the probe proved both files and network.
    Otherwise `container`: each worker has its own uid, so the instructor's files are as safe as
    their permissions (the probe's own file warnings are not used there: with no file tree of
    its own a worker lists the checkout it imports from, which is no leak), and the network is
    closed only where the probe found no way to open a socket (the seccomp filter)."""
    network = "network" in proved
    if not no_namespaces and "files" in proved and network:
        return Level("full", "sandbox", files=True, network=True, processes=True, scratch=True)
    exposed = readable_by_others(hidden)
    files = "files" in proved or not exposed
    missing = []
    if not files:
        # Where the namespaces stood, what the probe saw says why `full` was not claimed.
        tree = [] if no_namespaces else _failed(warnings, "file tree", "still visible", "root still shows")
        missing.append("the instructor's files: readable by other users, so by the workers: "
                       + ", ".join(exposed[:4]) + (" ..." if len(exposed) > 4 else "")
                       + "".join(f"; {w}" for w in tree)
                       + " (chmod o-rwx them, or run where namespaces are allowed)")
    if not network:
        why = [f"no network namespace: {w}" for w in no_namespaces[:1]]
        why += _failed(warnings, "no socket filter", "network interfaces", "could open")
        missing.append("the network: workers can reach it and the host's local services"
                       + (f" ({'; '.join(why)})" if why else ""))
    if no_namespaces:
        missing.append(SHARED_FOLDERS + f" (no mount namespace: {no_namespaces[0]})")
    return Level("container", "sandbox", files=files, network=network, processes=True,
                 scratch=not no_namespaces, missing=tuple(missing))


SHARED_FOLDERS = ("the shared folders: workers can write into the host's world-writable folders (/tmp, /var/tmp, "
                  "/dev/shm), where what one student leaves waits for, or stands in the way of, the students "
                  "graded after")


def none_level(runner: str, why: str = "") -> Level:
    reason = f" ({why})" if why else ""
    return Level("none", runner, files=False, network=False, processes=False, missing=(
        f"the instructor's files: workers see the whole file system as your user{reason}",
        "the network: workers can reach it and the host's local services",
        "the processes: workers run as your own user (or nobody) without their own namespaces",
        SHARED_FOLDERS))


def readable_by_others(paths: Iterable[str]) -> list[str]:
    """Those of `paths` a process of another uid (no shared group) can read.

    Folders the workers must import from (the grader package's parents, the
    interpreter's prefix) are not counted: a mount namespace would re-expose them too.
    """
    needed = [Path(p).resolve() for p in (Path(__file__).resolve().parents[2], sys.prefix, sys.base_prefix)]
    out = []
    for raw in paths:
        path = Path(raw)
        if not path.exists() or any(path == n or path in n.parents for n in needed):
            continue
        if _reachable(path):
            out.append(str(path))
    return out


def _reachable(path: Path) -> bool:
    """Every folder on the way searchable by others, and the path itself readable by them."""
    for folder in reversed(path.parents):
        try:
            if not os.stat(folder).st_mode & stat.S_IXOTH:
                return False
        except OSError:
            return False
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    if stat.S_ISDIR(mode):
        return bool(mode & stat.S_IXOTH)  # a known name inside is enough, listing or not
    return bool(mode & stat.S_IROTH)


# -- admission -------------------------------------------------------------------

def shortfall(level: Level, need: Need) -> list[str]:
    """What `level` is missing for `need`, in words (empty: admitted)."""
    wanted = [(need.files, level.files, "the instructor's files"), (need.network, level.network, "the network"),
              (need.processes, level.processes, "the processes"), (need.scratch, level.scratch, "the shared folders")]
    gaps = [topic for required, has, topic in wanted if required and not has]
    return [m for m in level.missing if any(m.startswith(g) for g in gaps)] or gaps


def admit(level: Level, need: Need) -> Level:
    """`level`, if it is enough for `need` (or weak isolation was allowed); else IsolationRefused."""
    gaps = shortfall(level, need)
    if not gaps:
        return level
    if need.allow_weak:
        return replace(level, allowed_weak=True)
    raise IsolationRefused(refusal_text(level.name, gaps))


def refusal_text(name: str, gaps: Sequence[str]) -> str:
    """One paragraph (the CLI prints errors on one line): what is missing, and how to get it."""
    return (f"refusing to run untrusted student code at isolation level '{name}', which does not protect "
            + "; ".join(gaps) + f". To get the 'full' level: {HOW_TO_GET_FULL}; or the 'user' level: "
            f"{HOW_TO_GET_USER}. To grade anyway (code you "
            f"trust): {ALLOW_FLAG} (or {ALLOW_ENV}=1 for `pytest --grader-submission` and run_autograder); "
            "the level is then printed and recorded as allowed. No student code was run.")


def trusted_path_entries(value: str) -> tuple[list[str], list[str]]:
    """PYTHONPATH entries split into (kept, dropped): an entry another user could write to
    (a folder under /tmp) would let them plant modules the root zygote imports."""
    kept: list[str] = []
    dropped: list[str] = []
    for entry in filter(None, value.split(os.pathsep)):
        (dropped if _writable_by_others(Path(entry)) else kept).append(entry)
    return kept, dropped


def _writable_by_others(path: Path) -> bool:
    me = os.geteuid()
    for folder in [path, *path.parents]:
        try:
            st = os.lstat(folder)
        except OSError:
            continue  # not there (yet): whoever creates it decides; judged by its parents
        if stat.S_ISLNK(st.st_mode):
            try:
                st = os.stat(folder)
            except OSError:
                return True
        if st.st_uid not in (me, 0):
            return True
        sticky = st.st_mode & stat.S_ISVTX
        if st.st_mode & (stat.S_IWOTH | stat.S_IWGRP) and not (sticky and folder != path and st.st_uid == 0
                                                              and _owned_below(path, folder, me)):
            return True
    return False


def _owned_below(path: Path, sticky_folder: Path, me: int) -> bool:
    """In a sticky folder (/tmp) only the owner of an entry may replace it: fine if it is ours."""
    child = path
    while child.parent != sticky_folder:
        if child.parent == child:
            return False
        child = child.parent
    try:
        return os.lstat(child).st_uid in (me, 0)
    except OSError:
        return False
