"""The portable runner: student code in spawned worker processes, plain pipes only.

Where the Linux sandbox cannot start (macOS, Windows, containers without root or
user namespaces), `PortableRunner` runs the same worker code (`grader.sandbox.worker.run_job`)
in a fresh `python` process per submission and probe group: no fork, no namespaces,
no memfd or SOCK_SEQPACKET. The job goes in on stdin, framed results come back on
stdout, the worker's own fd-level output goes to a temporary file. Each worker
imports TensorFlow once; one spare worker is always warming up, so the next
submission (or the next re-check under `grader check --watch`) finds TensorFlow loaded.

Verdicts are the same as the sandbox's: the same drivers run the same probes, and
the trusted side (this process) collects the frames with the same `Collector`.
What is weaker is isolation: student code runs as the user (as `nobody` when we
are root on POSIX), sees the file system, and memory is polled on Linux only.
Processes: on Linux each worker's job runs under a keeper, in a PID namespace of its
own where the kernel allows one (root, or unprivileged user namespaces), so every
process it starts (setsid daemons included) ends with it; elsewhere the worker's
process group is killed, best effort. Hidden units run only after the student's other
units are finished, as in the sandbox (grader.runner.groups).
The sandbox stays the default for `grader grade`; `GRADER_RUNNER=portable` forces
this runner, `GRADER_RUNNER=sandbox` forbids the fallback.
"""

from __future__ import annotations

import os
import queue
import subprocess
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from grader.errors import SandboxError
from grader.model import ErrorInfo, Observation, Probe, RunOutcome
from grader.runner.portable_worker import NOBODY, Worker, anon_kb
from grader.runner.channel import Collector, where
from grader.runner.groups import is_hidden, split_units, student_work_left
from grader.runner.limits import Limits, describe_status
from grader.safetext import truncate

K = TypeVar("K")
ENV_VAR = "GRADER_RUNNER"
@dataclass
class _Unit:
    """Probes of one submission that share one worker (one probe group, or one `needs` probe)."""

    key: Any
    files: dict[str, str]
    probes: list[Probe]
    collector: Collector
    started: float
    skip: list[str] = field(default_factory=list)
    output: list[str] = field(default_factory=list)
    attempts: int = 0
    startups: int = 0     # workers that died before they were ready


@dataclass
class _Attempt:
    unit: _Unit
    worker: Worker
    started: float
    phase: str | None = None
    phase_started: float = 0.0
    done_before: int = 0
    baseline_kb: int = 0
    eof: bool = False


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
        self._units_by_key: dict[int, list[_Unit]] = {}
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

    def _take(self) -> Worker:
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
        pending = iter(items)
        active: dict[Worker, _Attempt] = {}
        waiting: list[_Unit] = []           # units ready to start
        left: dict[int, list[_Unit]] = {}   # submission -> its units not finished yet
        subs: dict[int, tuple[K, list[_Unit], dict[str, str]]] = {}
        counter = 0
        exhausted = False
        try:
            while True:
                while not exhausted and len(waiting) < self.jobs:
                    try:
                        key, files, probes = next(pending)
                    except StopIteration:
                        exhausted = True
                        break
                    counter += 1
                    units = [_Unit(counter, dict(files), unit, Collector(unit, self.limits.memory_mb, files),
                                   time.monotonic()) for unit in split_units(probes)]
                    subs[counter] = (key, units, dict(files))
                    self._units_by_key[counter] = units
                    left[counter] = list(units)
                    if not units:
                        del left[counter], subs[counter]
                        yield key, RunOutcome({}, duration=0.0)
                        continue
                    waiting.extend(u for u in units if u.probes[0].needs is None and not is_hidden(u.probes[0].group))
                    waiting[:0] = self._release(left[counter], waiting)
                while waiting and len(active) < self.jobs:
                    unit = waiting.pop(0)
                    self._start(unit, active)
                if not active:
                    if exhausted and not waiting:
                        return
                    continue
                for unit in self._step(active):
                    n = unit.key
                    left[n].remove(unit)
                    waiting[:0] = self._release(left[n], waiting)
                    if not left[n]:
                        del left[n]
                        key, units, _ = subs.pop(n)
                        self._units_by_key.pop(n, None)
                        yield key, self._outcome(units)
        finally:
            for a in active.values():
                a.worker.stop(0)

    # -- helpers -----------------------------------------------------------
    def _release(self, left: list[_Unit], waiting: list[_Unit]) -> list[_Unit]:
        """`needs` units of one submission whose producing probe has finished, and hidden
        units once the student's other units are finished (their workers stopped): ready to run.

        A unit whose producing probe gave no result is finished at once, with an error.
        """
        ready = []
        public = student_work_left([u.probes for u in left])
        for u in list(left):
            p = u.probes[0]
            if u.attempts or u in waiting or (is_hidden(p.group) and public):
                continue
            if p.needs is None:
                if is_hidden(p.group):
                    ready.append(u)
                continue
            producing = [x for x in left if x is not u and p.needs in x.collector.wanted]
            if producing:
                continue
            done = [x for x in self._finished_units(u) if p.needs in x.collector.observations]
            if done:
                self._prepare_needs(u, done[0].collector.observations[p.needs])
                if p.id in u.collector.observations:
                    left.remove(u)  # the artifact itself was an error
                else:
                    ready.append(u)
            else:
                u.collector.observations[p.id] = Observation(p.id, error=ErrorInfo(
                    "crash", f"not run: {p.needs} gave no result", killed="crash"))
                left.remove(u)
        return ready

    def _finished_units(self, unit: _Unit) -> list[_Unit]:
        return [u for u in self._units_by_key.get(unit.key, []) if u is not unit]

    def _prepare_needs(self, unit: _Unit, artifact: Observation) -> None:
        """Evidence checked where student code never ran: no files, the artifact as an argument."""
        p = unit.probes[0]
        unit.files = {}
        unit.probes = [replace(p, args={**p.args, "artifact": artifact.value})]
        unit.collector = Collector(unit.probes, self.limits.memory_mb, ())
        if artifact.error is not None:
            unit.collector.observations[p.id] = Observation(p.id, error=artifact.error)

    def _start(self, unit: _Unit, active: dict[Worker, _Attempt], probes: Sequence[Probe] | None = None) -> None:
        unit.attempts += 1
        todo = list(probes if probes is not None else unit.probes)
        todo = [p for p in todo if p.id not in unit.collector.observations]
        w = self._take()
        w.send({"files": unit.files, "skip_files": list(unit.skip),
                "probes": [{"id": p.id, "driver": p.driver, "args": p.args, "exercise": p.exercise} for p in todo]})
        now = time.monotonic()
        c = unit.collector
        active[w] = _Attempt(unit, w, now, phase_started=now, done_before=len(c.observations) + len(c.loads))

    def _deadline(self, a: _Attempt) -> tuple[float, float, str]:
        lim, c = self.limits, a.unit.collector
        phase = c.current
        if phase is not None and not phase.startswith("load:"):
            probe = next((p for p in a.unit.probes if p.id == phase), None)
            limit = lim.check_timeout or (probe.timeout if probe else lim.load_timeout)
            start = a.phase_started
        elif phase is None and not a.worker.ready.is_set():
            limit, start = 300.0, a.started  # still importing TensorFlow: not the student's time
        else:  # loading, or between probes: from the later of the phase's start and the worker's readiness
            limit, start = lim.load_timeout, max(a.phase_started, a.worker.ready_at)
        deadline, scope = start + limit, where(phase)
        total = a.unit.started + lim.student_timeout + (0 if a.worker.ready.is_set() else 300.0)
        if total < deadline:
            deadline, limit, scope = total, lim.student_timeout, f"{scope} (the whole submission's time limit)"
        return deadline, limit, scope

    def _step(self, active: dict[Worker, _Attempt]) -> list[_Unit]:
        """Feed frames for up to 0.1 s, enforce limits; return the units that finished."""
        stopped: list[tuple[_Attempt, str | None, str]] = []
        end = time.monotonic() + 0.1
        while True:
            try:
                w, message = self.inbox.get(timeout=max(0.0, end - time.monotonic()))
            except queue.Empty:
                break
            a = active.get(w)
            if a is None:
                continue  # a spare that died, or a worker already stopped
            c = a.unit.collector
            if message is None:
                a.eof = True
                if not w.ready.is_set():
                    stopped.append((a, "startup", ""))  # no student code ran: not the student's fault
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
                if c.current != a.phase:
                    a.phase, a.phase_started = c.current, time.monotonic()
                if c.done:
                    stopped.append((a, None, ""))
        now = time.monotonic()
        busy = {id(x[0]) for x in stopped}
        for a in active.values():
            if id(a) in busy:
                continue
            deadline, limit, scope = self._deadline(a)
            if now >= deadline:
                stopped.append((a, "timeout", f"timed out after {limit:g} s in {scope}"))
                continue
            if a.worker.ready.is_set() and not a.baseline_kb:
                a.baseline_kb = anon_kb(a.worker.proc.pid) or -1
            used = anon_kb(a.worker.proc.pid)
            if a.baseline_kb > 0 and used - a.baseline_kb > self.limits.memory_mb * 1024:
                stopped.append((a, "memory", f"exceeded the {self.limits.memory_mb} MiB memory limit "
                                             f"in {where(a.unit.collector.current)}"))
        finished: list[_Unit] = []
        seen: set[int] = set()
        for a, kind, message in stopped:
            if id(a) in seen:
                continue
            seen.add(id(a))
            del active[a.worker]
            text = a.worker.stop(self.limits.output_cap)
            unit, c = a.unit, a.unit.collector
            if kind == "startup":
                unit.attempts -= 1
                unit.startups += 1
                if unit.startups < 3:
                    self._start(unit, active, [p for p in unit.probes if p.id not in c.observations])
                    continue
                c.problems.append("the portable worker could not start: " + (text.strip()[-500:] or "no output"))
                finished.append(unit)
                continue
            if text.strip():
                unit.output.append(text)
            if kind is not None:
                skipped = c.stopped(kind, message)
                if skipped:
                    unit.skip.append(skipped)
            again = self._remaining(a)
            if again:
                self._start(unit, active, again)
            else:
                finished.append(unit)
        return finished

    def _remaining(self, a: _Attempt) -> list[Probe]:
        """Probes to rerun in a fresh worker after this attempt was stopped early (as the sandbox does)."""
        unit, c = a.unit, a.unit.collector
        todo = [p for p in unit.probes if p.id not in c.observations]
        if c.done or not todo:
            return []
        progressed = len(c.observations) + len(c.loads) > a.done_before
        if not progressed or unit.attempts > len(unit.probes) + len(unit.files) + 1:
            return []
        if time.monotonic() - unit.started >= self.limits.student_timeout:
            for p in todo:
                c.observations[p.id] = Observation(p.id, error=ErrorInfo(
                    "timeout", f"not run: the submission used up its {self.limits.student_timeout:g} s",
                    killed="timeout"))
            return []
        return todo

    def _outcome(self, units: list[_Unit]) -> RunOutcome:
        observations: dict[str, Observation] = {}
        loads: list[Any] = []
        problems: list[str] = []
        output: list[str] = []
        for u in units:
            c = u.collector
            observations.update(c.observations)
            main = u.probes and u.probes[0].group == "main" and u.probes[0].needs is None
            if main or not loads:
                loads.extend(x for x in c.loads if all(y.name != x.name for y in loads))
            problems.extend(c.problems)
            if main:  # other groups' output is for the instructor only: it never reaches students
                output.extend(u.output)
        text = "".join(output)
        text = truncate(text, self.limits.output_cap * 2)
        start = min((u.started for u in units), default=time.monotonic())
        return RunOutcome(observations, tuple(loads), tuple(dict.fromkeys(problems)), output=text,
                          duration=time.monotonic() - start)


def _ended(code: int, phase: str) -> str:
    """The sandbox's wording for a worker that ended without reporting `done`."""
    if hasattr(os, "WIFSIGNALED"):
        _, phrase = describe_status(-code if code < 0 else code << 8)
    elif code == 71:
        phrase = "stopped on an exception it could not report (KeyboardInterrupt?)"
    else:
        phrase = f"exited early with status {code} (sys.exit or os._exit?)"
    return f"the worker {phrase} in {phase}"


__all__ = ["ENV_VAR", "NOBODY", "PortableRunner", "split_units"]
