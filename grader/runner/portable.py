"""The portable runner: student code in spawned worker processes, plain pipes only.

Where the Linux sandbox cannot start (macOS, Windows, containers without root or
user namespaces), `PortableRunner` runs the same worker code (`grader.sandbox.worker.run_job`)
in a `python` process per submission and probe group (a hidden group may go on in the
worker that ran the rest: grader.runner.groups.follow_on): no fork, no namespaces,
no memfd or SOCK_SEQPACKET. The job goes in on stdin, framed results come back on
stdout, the worker's own fd-level output goes to a temporary file. Each worker
imports TensorFlow once; one spare worker is always warming up, so the next
submission (or the next re-check under `grader check --watch`) finds TensorFlow loaded.

Outcomes are the same as the sandbox's by construction: the same drivers run the same
probes, the trusted side (this process) collects the frames with the same `Collector`,
and the same scheduling policy (grader.runner.backend over grader.runner.groups) plans
the workers, releases artifacts, retries, and composes the outcome; this module only
starts, watches and stops processes.
What is weaker is isolation: student code runs as the user (as `nobody` when we
are root on POSIX), sees the file system, and memory is polled on Linux only.
Processes: on Linux each worker's job runs under a keeper, in a PID namespace of its
own where the kernel allows one (root, or unprivileged user namespaces), so every
process it starts (setsid daemons included) ends with it; elsewhere the worker's
process group is killed, best effort (a stopped worker is waited for, so a submission's
hidden groups start only once its other workers are gone, as in the sandbox).
The sandbox stays the default for `grader grade`; `GRADER_RUNNER=portable` forces
this runner, `GRADER_RUNNER=sandbox` forbids the fallback.
"""

from __future__ import annotations

import os
import queue
import subprocess
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from grader.errors import SandboxError
from grader.model import Probe, RunOutcome
from grader.runner.backend import Attempt, Ended, GroupScheduler, attempt_deadline
from grader.runner.channel import where
from grader.runner.groups import SubmissionRun, Task
from grader.runner.limits import Limits, describe_status
from grader.runner.portable_worker import NOBODY, Worker, anon_kb

K = TypeVar("K")
ENV_VAR = "GRADER_RUNNER"
STARTUP_TRIES = 3   # workers that may die before they are ready (before any student code ran)


@dataclass(kw_only=True)
class _PortableAttempt(Attempt):
    worker: Worker
    baseline_kb: int = 0
    startups: int = 0     # workers of this task that died before they were ready
    stopped: bool = False

    def sync(self) -> None:
        """The worker's readiness is set by its reader thread: take it over once."""
        if self.ready_at is None and self.worker.ready.is_set():
            self.ready_at = self.worker.ready_at


class PortableRunner:
    """Runner-compatible: a context manager with `run(files, probes)` and `run_many(items)`."""

    def __init__(self, limits: Limits | None = None, jobs: int | None = None, *,
                 hidden_paths: Iterable[str | Path] = (), drop_root: bool = True, **_: Any) -> None:
        self.limits = limits or Limits()
        self.jobs = max(1, jobs or 1)
        self.warnings = ["portable runner: student code runs without the Linux sandbox"]
        self.env = self._env(drop_root)
        self.inbox: queue.Queue[tuple[Worker, Any]] = queue.Queue()
        self.spares: list[Worker] = []
        self.entered = False

    @staticmethod
    def _env(drop_root: bool) -> dict[str, str]:
        keep = ("PATH", "LANG", "LC_ALL", "SYSTEMROOT", "TEMP", "TMP", "HOME", "XDG_CACHE_HOME",
                "GRADER_CACHE", "TF_CPP_MIN_LOG_LEVEL", "USERPROFILE")
        env = {k: v for k, v in os.environ.items() if k in keep}
        import grader

        package_parent = str(Path(grader.__file__).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join([package_parent, *filter(None, [os.environ.get("PYTHONPATH", "")])])
        env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        if drop_root and hasattr(os, "getuid") and os.getuid() == 0:
            env["GRADER_PORTABLE_UID"] = str(NOBODY)
        return env

    def __enter__(self) -> "PortableRunner":
        self.spares = [Worker(self.env, self.inbox)]
        self.entered = True
        return self

    def __exit__(self, *exc: object) -> None:
        for w in self.spares:
            w.stop(0)
        self.spares = []
        self.entered = False

    def take(self) -> Worker:
        """A warm (or warming) worker; a new spare starts warming at once."""
        for dead in [x for x in self.spares if x.ended.is_set()]:  # died while warming up (killed, out of memory)
            self.spares.remove(dead)
            dead.stop(0)
        w = self.spares.pop(0) if self.spares else Worker(self.env, self.inbox)
        if not self.spares:
            self.spares.append(Worker(self.env, self.inbox))
        return w

    def warm(self, timeout: float = 180.0) -> bool:
        """Wait until the spare worker has imported TensorFlow (for benchmarks and --watch)."""
        if not self.spares:
            self.spares.append(Worker(self.env, self.inbox))
        return self.spares[0].ready.wait(timeout)

    def run(self, files: dict[str, str], probes: Sequence[Probe]) -> RunOutcome:
        for _, outcome in self.run_many([(None, files, probes)]):
            return outcome
        raise SandboxError("no outcome")

    def run_many(self, items: Iterable[tuple[K, dict[str, str], Sequence[Probe]]]) -> Iterator[tuple[K, RunOutcome]]:
        """Run submissions `jobs` workers at a time; yield (key, outcome) as each finishes."""
        if not self.entered:
            raise SandboxError("use the PortableRunner as a context manager")
        scheduler = PortableScheduler(self)
        try:
            yield from scheduler.run(iter(items))
        finally:
            scheduler.close()


class PortableScheduler(GroupScheduler[_PortableAttempt]):
    """The shared policy over spawned worker processes (one `run_many` call)."""

    def __init__(self, runner: PortableRunner) -> None:
        super().__init__(runner.limits, runner.jobs)
        self.runner = runner
        self.by_worker: dict[Worker, _PortableAttempt] = {}

    def launch(self, sub: SubmissionRun, task: Task, slot: int, job: dict[str, Any]) -> _PortableAttempt:
        w = self.runner.take()
        w.send(job)
        now = time.monotonic()
        a = _PortableAttempt(sub=sub, task=task, slot=slot, started=now, ready_at=None, phase_started=now, worker=w)
        self.by_worker[w] = a
        return a

    def end(self, a: _PortableAttempt) -> str:
        if a.stopped:
            return ""
        a.stopped = True
        self.by_worker.pop(a.worker, None)
        return a.worker.stop(self.limits.output_cap)

    goes_on = True

    def cut(self, a: _PortableAttempt) -> str:
        return a.worker.output(self.limits.output_cap)

    def hand_over(self, a: _PortableAttempt, job: dict[str, Any]) -> bool:
        if a.worker.ended.is_set() or a.worker.proc.poll() is not None:
            return False
        a.worker.send(job)
        return True

    def wait(self) -> list[Ended[_PortableAttempt]]:
        """Feed frames for up to 0.1 s, enforce limits; the attempts that ended."""
        stopped: list[Ended[_PortableAttempt]] = []
        end = time.monotonic() + 0.1
        while True:
            try:
                w, message = self.runner.inbox.get(timeout=max(0.0, end - time.monotonic()))
            except queue.Empty:
                break
            a = self.by_worker.get(w)
            if a is None:
                continue  # a spare that died, or a worker already stopped
            a.sync()
            c = a.task.collector
            if message is None:
                if not w.ready.is_set():
                    stopped.extend(filter(None, [self._restart(a)]))
                elif not c.done:
                    try:
                        code = w.proc.wait(timeout=2.0)
                        stopped.append((a, "crash", _ended(code, where(c.current))))
                    except subprocess.TimeoutExpired:  # it closed its channel but runs on
                        stopped.append((a, "crash", f"the worker stopped unexpectedly in {where(c.current)}"))
                else:
                    stopped.append((a, None, ""))
            elif message.get("kind") == "malformed":
                c.problems.append(f"the worker sent malformed data ({message.get('message')})")
            else:
                c.feed(message)
                a.noted()
                if c.done:
                    stopped.append((a, None, ""))
        return stopped + self._over_limits({id(x[0]) for x in stopped})

    def _over_limits(self, busy: set[int]) -> list[Ended[_PortableAttempt]]:
        now = time.monotonic()
        out: list[Ended[_PortableAttempt]] = []
        for a in self.active.values():
            if id(a) in busy:
                continue
            a.sync()
            when, limit, scope = attempt_deadline(self.limits, a)
            if now >= when:
                out.append((a, "timeout", f"timed out after {limit:g} s in {scope}"))
                continue
            if a.ready_at is not None and not a.baseline_kb:
                a.baseline_kb = anon_kb(a.worker.proc.pid) or -1
            used = anon_kb(a.worker.proc.pid)
            if a.baseline_kb > 0 and used - a.baseline_kb > self.limits.memory_mb * 1024:
                out.append((a, "memory", f"exceeded the {self.limits.memory_mb} MiB memory limit "
                                         f"in {where(a.task.collector.current)}"))
        return out

    def _restart(self, a: _PortableAttempt) -> Ended[_PortableAttempt] | None:
        """A worker died before it was ready (killed, out of memory, a broken install): no student
        code ran, so another starts for the same probes; after STARTUP_TRIES the attempt ends
        with that said in the task's problems."""
        text = self.end(a)
        a.stopped = True
        if a.startups + 1 >= STARTUP_TRIES:
            return a, "crash", "the portable worker could not start: " + (text.strip()[-500:] or "no output")
        del self.active[a.slot]
        a.task.attempts -= 1
        left = [p for p in a.task.probes if p.id not in a.task.collector.observations]
        self.start(a.sub, a.task, a.slot, left).startups = a.startups + 1
        return None


def _ended(code: int, phase: str) -> str:
    """The sandbox's wording for a worker that ended without reporting `done`."""
    if hasattr(os, "WIFSIGNALED"):
        _, phrase = describe_status(-code if code < 0 else code << 8)
    elif code == 71:
        phrase = "stopped on an exception it could not report (KeyboardInterrupt?)"
    else:
        phrase = f"exited early with status {code} (sys.exit or os._exit?)"
    return f"the worker {phrase} in {phase}"


__all__ = ["ENV_VAR", "NOBODY", "PortableRunner"]
