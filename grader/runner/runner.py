"""The run stage's front door: a Runner owns the zygote and the worker slots.

`Runner` starts a zygote (`grader.sandbox.zygote`) that has imported TensorFlow once,
and asks it to fork one confined worker per job (see grader.sandbox.confine).
This process never forks workers itself: it holds the reference solution's
observations, which must never be in a worker's memory.

The parts: `scheduler` (which submission runs where, retries), `groups` (a worker
per probe group, artifact probes), `channel` (framing and the Collector), `limits`
(Limits, deadlines), `memory` (the slot poll), `cgroups` (memory.max per slot).
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from grader.errors import SandboxError
from grader.model import Probe, RunOutcome
from grader.runner import isolation, uidblocks
from grader.runner.cgroups import SlotCgroups
from grader.runner.limits import Limits
from grader.runner.memory import SlotWatch
from grader.runner.scheduler import SandboxScheduler
from grader.sandbox import confine, wire
from grader.sandbox.confine import UID_BASE, SandboxConfig
from grader.sandbox.procs import kill_uid, processes

K = TypeVar("K")


def default_hidden() -> list[Path]:
    """What no worker may see: hidden checks, the repository (solutions, tests,
    .git, example students) and the course folder found from here."""
    from grader.paths import PACKAGE_DIR, Paths

    paths = Paths.discover()
    hidden = [paths.hidden_checks]
    if (PACKAGE_DIR.parent / "pyproject.toml").is_file():
        hidden.append(PACKAGE_DIR.parent)  # a development checkout holds solutions and tests
    if paths.exercises.is_dir():
        # The whole course folder is covered; its parts are listed too so that
        # they stay hidden even where a parent folder is re-exposed for imports.
        hidden += [paths.solutions, paths.root / "tests", paths.root / ".git", paths.examples.parent,
                   paths.reports, paths.root]
    return hidden


def zygote_env(environ: dict[str, str], jobs: int) -> tuple[dict[str, str], list[str]]:
    """The zygote's (and so every worker's) environment, and the values left out of it.

    Workers inherit it: nothing secret passes. Paths the zygote imports or reads data
    from, as root and before any confinement, pass only if no other user can write there.
    """
    env = {k: v for k, v in environ.items()
           if k in ("PATH", "LANG", "LC_ALL", "TF_CPP_MIN_LOG_LEVEL", "HOME",
                    "XDG_CACHE_HOME", "GRADER_CACHE", "GRADER_ROOT")}
    # PYTHONPATH: a folder others can write to (a checkout in someone's /tmp) would let them plant modules.
    kept, dropped = isolation.trusted_path_entries(environ.get("PYTHONPATH", ""))
    if kept:
        env["PYTHONPATH"] = os.pathsep.join(kept)
    # The MNIST cache: one planted there would be every student's (and the reference's) training data.
    for name in ("GRADER_CACHE", "XDG_CACHE_HOME"):
        if name in env and not isolation.trusted_path_entries(env[name])[0]:
            dropped.append(env.pop(name))
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    # One worker per core already fills the machine: TF's own thread pools
    # per session would only fight each other for the same cores.
    threads = str(max(1, (os.cpu_count() or 1) // jobs))
    env.setdefault("TF_NUM_INTRAOP_THREADS", threads)
    env.setdefault("TF_NUM_INTEROP_THREADS", threads)
    # No unsafe sys.path entry (cwd "/" is harmless anyway): -P, or its variable, from Python 3.11.
    env["PYTHONSAFEPATH"] = "1"
    env["TF_USE_LEGACY_KERAS"] = "1"  # tf.layers in student code needs Keras 2 (tf-keras)
    return env, dropped


class Runner:
    """Runs probes in sandboxed workers forked from one zygote.

    `jobs` workers run at once (default: one per core), each as its own
    unprivileged uid when we are root. `hidden_paths` adds folders workers must
    not see (the batch output folder, the submissions being graded).
    Each probe group of a submission gets its own worker (see grader.runner.groups).
    """

    def __init__(self, limits: Limits | None = None, jobs: int | None = None, *,
                 hidden_paths: Iterable[str | Path] = (), drop_root: bool = True,
                 namespaces: bool = True, isolate_groups: bool = True) -> None:
        self.limits = limits or Limits()
        # False runs every probe group in the student's one worker (as before
        # groups existed), for measuring what the separate workers cost.
        self.isolate_groups = isolate_groups
        # Slots are uid blocks of 128 (see _claim_uids).
        self.jobs = min(128, max(1, jobs or os.cpu_count() or 1))
        # Covering "/" would hide the whole system; everything else may be hidden.
        self.hidden = [h for h in dict.fromkeys(str(Path(p).resolve()) for p in [*default_hidden(), *hidden_paths])
                       if h != "/"]
        self.as_root = os.getuid() == 0 and drop_root
        self.namespaces = namespaces
        self.uid_base = UID_BASE
        self._uid_locks: list[int] = []
        self.zygote: subprocess.Popen[bytes] | None = None
        self._control: socket.socket | None = None
        self.warnings: list[str] = []
        self.dropped_path: list[str] = []
        # What the zygote's probe showed the sandbox achieves here (set on entering).
        self.level: isolation.Level = isolation.none_level("sandbox", "not started")
        self.watch = SlotWatch()
        self.cgroups = SlotCgroups(self.jobs, self.limits.memory_mb)
        self.cgroup_note = "not root"   # why there is no cgroup memory limit, or "" when there is
        self.data_kb = 0
        self.preload_s = 0.0
        self._tokens = 0

    # Memory figures kept as attributes for callers that report them.
    @property
    def baseline_kb(self) -> int:
        return self.watch.baseline_kb

    @property
    def peak_kb(self) -> int:
        return self.watch.peak_kb

    @property
    def peak_threads(self) -> int:
        return self.watch.peak_threads

    # -- lifecycle ---------------------------------------------------------
    def config(self, slot: int) -> SandboxConfig:
        lim = self.limits
        cores = os.cpu_count() or 1
        return SandboxConfig(
            uid=self.uid_base + slot if self.as_root else None,
            # A backstop on allocations; RSS polling is the real limit.
            data_mb=self.data_kb // 1024 + lim.memory_mb + 512,
            nproc=lim.nproc or 128 + 8 * cores,
            cpu_seconds=lim.cpu_seconds or int(lim.student_timeout * min(cores, 8)) + 10,
            file_mb=lim.file_mb, tmp_mb=lim.tmp_mb, hidden=tuple(self.hidden),
            namespaces=self.namespaces, cgroup=self.cgroups.procs(slot))

    def _claim_uids(self) -> None:
        """Lock a block of 128 uids for this runner's slots, so concurrent graders
        (or test runs) on one machine never kill each other's workers (see uidblocks)."""
        block, self._uid_locks = uidblocks.claim()
        self.uid_base = uidblocks.first_uid(block)

    def __enter__(self) -> "Runner":
        if self.as_root:
            self._claim_uids()
            for slot in range(self.jobs):
                self._sweep(slot)  # leftovers of a grader that was killed
            self.cgroup_note = self.cgroups.create() or ""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env, self.dropped_path = zygote_env(dict(os.environ), self.jobs)
        self.zygote = subprocess.Popen(
            [sys.executable, "-m", "grader.sandbox.zygote", str(theirs.fileno())],
            pass_fds=[theirs.fileno()], cwd="/", env=env, stdin=subprocess.DEVNULL)
        theirs.close()
        self._control = ours
        # The configuration (with every hidden path) goes down the socket, never into
        # argv or the environment, which any process may read in /proc.
        ours.send(json.dumps({"op": "config", "probe": self.config(0).to_dict()}).encode())
        ready, _, _ = select.select([ours], [], [], 180)
        raw = ours.recv(1 << 16) if ready else b""
        try:
            hello = json.loads(raw) if raw else {}
        except ValueError:
            hello = {}
        if hello.get("op") != "ready":
            self.__exit__(None, None, None)
            raise SandboxError("the sandbox's zygote process did not start")
        self.watch.baseline_kb = int(hello.get("anon_kb", 0))
        self.watch.baseline_shmem_kb = int(hello.get("shmem_kb", 0))
        self.data_kb = int(hello.get("data_kb", 0))
        self.preload_s = float(hello.get("preload_s", 0.0))
        self.warnings = [str(w) for w in hello.get("warnings", [])]
        failed = [w for w in self.warnings if w.startswith("sandbox setup failed")]
        if failed:  # every worker would fail the same way: the sandbox did not start
            self.__exit__(None, None, None)
            raise SandboxError(failed[0])
        self.level = isolation.detect(self.as_root, self.warnings, self.hidden,
                                      pid_namespaces=hasattr(confine, "CLONE_NEWPID"),
                                      proved=frozenset(str(p) for p in hello.get("proved", [])))
        return self

    def __exit__(self, *exc: object) -> None:
        if self._control is not None:
            self._control.close()
            self._control = None
        if self.zygote is not None:
            try:
                self.zygote.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.zygote.kill()
                self.zygote.wait()
            self.zygote = None
        if self.as_root:
            for slot in range(self.jobs):
                self._sweep(slot)
            self.cgroups.remove()
        for fd in self._uid_locks:
            os.close(fd)
        self._uid_locks = []

    # -- running -----------------------------------------------------------
    def run(self, files: dict[str, str], probes: Sequence[Probe]) -> RunOutcome:
        for _, outcome in self.run_many([(None, files, probes)]):
            return outcome
        raise SandboxError("no outcome")

    def run_many(self, items: Iterable[tuple[K, dict[str, str], Sequence[Probe]]]) -> Iterator[tuple[K, RunOutcome]]:
        """Run submissions `jobs` at a time; yield (key, outcome) as each finishes."""
        if self._control is None:
            raise SandboxError("use the Runner as a context manager (with Runner() as r: ...)")
        scheduler = SandboxScheduler(self, isolate_groups=self.isolate_groups)
        try:
            yield from scheduler.run(iter(items))
        finally:
            scheduler.close()

    # -- what the scheduler asks of the zygote -------------------------------
    def control_fd(self) -> int:
        if self._control is None:
            raise SandboxError("the sandbox's zygote is not running")
        return self._control.fileno()

    def spawn(self, job: dict[str, Any], slot: int) -> tuple[int, int, int, int]:
        """Ask the zygote for a worker in `slot` running `job`: (token, channel fd, output fd, and
        the write end of the pipe on which it waits for more probes once done)."""
        if self._control is None:
            raise SandboxError("the sandbox's zygote is not running")
        job_fd = os.memfd_create("grader-job")
        data = wire.encode(job)
        view = memoryview(data)
        while view:
            view = view[os.write(job_fd, view):]
        os.lseek(job_fd, 0, os.SEEK_SET)
        out_fd = os.memfd_create("grader-output")
        read_fd, write_fd = os.pipe()
        next_r, next_w = os.pipe()
        self._tokens += 1
        message = {"op": "spawn", "token": self._tokens, "config": self.config(slot).to_dict()}
        try:
            socket.send_fds(self._control, [json.dumps(message).encode()], [job_fd, write_fd, out_fd, next_r])
        except OSError as exc:
            for fd in (read_fd, out_fd, next_w):
                os.close(fd)
            raise SandboxError(f"the sandbox's zygote is gone ({exc})") from exc
        finally:
            for fd in (job_fd, write_fd, next_r):
                os.close(fd)
        return self._tokens, read_fd, out_fd, next_w

    def control(self) -> tuple[dict[int, int], dict[int, int]]:
        """Pending zygote messages: ({token: pid} spawned, {pid: wait status} exited)."""
        assert self._control is not None
        spawned: dict[int, int] = {}
        exits: dict[int, int] = {}
        while True:
            try:
                raw = self._control.recv(1 << 16, socket.MSG_DONTWAIT)
            except BlockingIOError:
                return spawned, exits
            if not raw:
                raise SandboxError("the sandbox's zygote process died")
            msg = json.loads(raw)
            if msg.get("op") == "spawned" and isinstance(msg.get("token"), int):
                spawned[msg["token"]] = int(msg["pid"])
            elif msg.get("op") == "exited":
                exits[int(msg["pid"])] = int(msg["status"])

    def stop(self, pid: int | None, slot: int) -> None:
        """Kill a worker's process group and, as root, everything its slot's uid still runs."""
        if pid is not None:
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if self.as_root:
            self._sweep(slot)

    def oom_kills(self, slot: int) -> int:
        """Kills for memory the kernel made in the slot's cgroup so far (0 without cgroups)."""
        return self.cgroups.oom_kills(slot)

    def _sweep(self, slot: int) -> None:
        uid = self.uid_base + slot
        end = time.monotonic() + 5.0
        while True:
            alive = [p for p in processes({uid}) if not p.zombie]
            if not alive or time.monotonic() > end:
                return
            kill_uid(uid)
            time.sleep(0.002)
