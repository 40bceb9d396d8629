"""Admission and retries: which submission runs in which worker slot, and when.

Submissions are admitted `jobs` at a time. Each running worker's channel is
read as it streams; a worker that overstays its deadline, outgrows the memory
limit or starts too many processes is stopped, the phase it was in gets the
blame, and the probes that remain run in a fresh worker, so one infinite loop
in one exercise does not zero the others.

A submission's hidden groups start only once its other workers are sealed: their
results received, their descriptors closed, and the zygote's word that each is gone
(with everything it started: the zygote reports a worker's exit only after that).
"""

from __future__ import annotations

import os
import select
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from grader.model import ErrorInfo, Observation, Probe, RunOutcome
from grader.runner.channel import MAX_CHANNEL, read_frames, read_output, where
from grader.runner.groups import Task, compose, plan, release
from grader.runner.limits import POLL_INTERVAL, Limits, deadline, describe_status
from grader.runner.memory import SlotWatch
from grader.sandbox import wire

K = TypeVar("K")
Item = tuple[K, dict[str, str], Sequence[Probe]]


class Workers(Protocol):
    """What the scheduler needs from the zygote's client (the Runner)."""

    limits: Limits
    jobs: int
    as_root: bool
    uid_base: int
    watch: SlotWatch

    def spawn(self, job: dict[str, Any], slot: int) -> tuple[int, int, int]: ...
    def control(self) -> tuple[dict[int, int], dict[int, int]]: ...
    def control_fd(self) -> int: ...
    def stop(self, pid: int | None, slot: int) -> None: ...
    def oom_kills(self, slot: int) -> int: ...


@dataclass
class _Submission:
    key: Any
    files: dict[str, str]
    tasks: list[Task]
    started: float
    skip: list[str] = field(default_factory=list)   # files found to hang while loading, for later workers
    unsealed: set[int] = field(default_factory=set)  # pids (or -tokens) of stopped workers not yet reported gone

    @property
    def finished(self) -> bool:
        return all(t.state == "done" for t in self.tasks)


@dataclass
class _Attempt:
    sub: _Submission
    task: Task
    slot: int
    token: int
    channel: int
    out_fd: int
    started: float
    pid: int | None = None
    buffer: bytearray = field(default_factory=bytearray)
    phase: str | None = None
    phase_started: float = 0.0
    eof: bool = False
    eof_at: float = 0.0
    status: int | None = None
    observed_before: int = 0
    received: int = 0
    oom_before: int = 0


class Scheduler:
    """One `run_many` call: admits submissions, runs their groups in free slots, yields outcomes.

    A free slot goes first to a ready group of a submission already admitted
    (so the clean workers fork while the student's own worker runs), and only
    then to the next submission.
    """

    def __init__(self, workers: Workers, *, isolate_groups: bool = True) -> None:
        self.w = workers
        self.limits = workers.limits
        self.isolate = isolate_groups
        self.active: dict[int, _Attempt] = {}          # slot -> attempt
        self.by_token: dict[int, _Attempt] = {}
        self.exits: dict[int, int] = {}
        self.admitted: list[_Submission] = []
        self.awaiting: dict[int, _Submission] = {}     # stopped worker's pid (or -token) -> its submission

    def close(self) -> None:
        """Leave no worker behind (the caller may stop early)."""
        for a in self.active.values():
            self._stop(a)
        self.active.clear()

    def run(self, pending: Iterator[Item[K]]) -> Iterator[tuple[K, RunOutcome]]:
        active = self.active
        free = [s for s in range(self.w.jobs) if s not in active]
        exhausted = False
        last_poll = 0.0
        while active or self.admitted or not exhausted:
            while free:
                task = self._next_ready()
                if task is not None:
                    self._admit(self._start(task[0], task[1], free.pop(0)))
                    continue
                if exhausted:
                    break
                try:
                    key, files, probes = next(pending)
                except StopIteration:
                    exhausted = True
                    break
                tasks = plan(probes, dict(files), self.limits.memory_mb, isolate=self.isolate)
                self.admitted.append(_Submission(key, dict(files), tasks, time.monotonic()))
            yield from self._yield_finished()
            if not active and not self.awaiting:
                if exhausted and not self.admitted:
                    break
                continue
            now = time.monotonic()
            wait = min([POLL_INTERVAL] + [max(0.0, self._deadline(a)[0] - now) for a in active.values()])
            fds = [a.channel for a in active.values() if not a.eof]
            control = self.w.control_fd()
            ready, _, _ = select.select(fds + [control], [], [], wait)
            if control in ready:
                self._control()
            now = time.monotonic()
            finished = self._finished(ready, now)
            if now - last_poll >= POLL_INTERVAL and self.w.as_root:
                last_poll = now
                finished += self._limits_exceeded({a.slot for a, _, _ in finished})
            for a, stop_kind, message in finished:
                self._stop(a)
                del active[a.slot]
                self.by_token.pop(a.token, None)
                self._await_exit(a)
                collector = a.task.collector
                if stop_kind is not None:
                    skipped = collector.stopped(stop_kind, message)
                    if skipped and skipped not in a.sub.skip:
                        a.sub.skip.append(skipped)
                again = self._remaining(a)
                if again:
                    self._admit(self._start(a.sub, a.task, a.slot, again))
                    continue
                a.task.state = "done"
                free.append(a.slot)
            for sub in self.admitted:
                release(sub.tasks, sealed=not sub.unsealed)

    # -- admission ---------------------------------------------------------
    def _next_ready(self) -> tuple[_Submission, Task] | None:
        for sub in self.admitted:
            for t in sub.tasks:
                if t.state != "ready":
                    continue
                if time.monotonic() - sub.started < self.limits.student_timeout:
                    return sub, t
                self._out_of_time(t, t.probes)  # e.g. an artifact that came in the last second
                t.state = "done"
        return None

    def _out_of_time(self, task: Task, probes: Sequence[Probe]) -> None:
        for p in probes:
            task.collector.observations.setdefault(p.id, Observation(p.id, error=ErrorInfo(
                "timeout", f"not run: the submission used up its {self.limits.student_timeout:g} s",
                killed="timeout")))

    def _yield_finished(self) -> Iterator[tuple[Any, RunOutcome]]:
        for sub in list(self.admitted):
            if not any(t.state in ("ready", "running") for t in sub.tasks):
                release(sub.tasks, final=True, sealed=not sub.unsealed)
            if sub.finished:
                self.admitted.remove(sub)
                yield sub.key, compose(sub.tasks, time.monotonic() - sub.started, self.limits.output_cap)

    def _admit(self, a: _Attempt) -> None:
        self.active[a.slot] = self.by_token[a.token] = a

    # -- one pass of the loop ---------------------------------------------
    def _control(self) -> None:
        spawned, exits = self.w.control()
        for token, pid in spawned.items():
            if token in self.by_token:
                self.by_token[token].pid = pid
            elif -token in self.awaiting:  # stopped before we learnt its pid
                sub = self.awaiting.pop(-token)
                sub.unsealed.discard(-token)
                self._await(sub, pid)
        self.exits.update(exits)
        for pid in [p for p in self.awaiting if p in self.exits]:
            self.exits.pop(pid)
            self.awaiting.pop(pid).unsealed.discard(pid)
        if len(self.exits) > 10000:  # grandchildren nobody waits for
            self.exits.clear()

    def _finished(self, ready: list[int], now: float) -> list[tuple[_Attempt, str | None, str]]:
        """(attempt, killed kind, message) for workers that are done, died or ran out of time."""
        finished: list[tuple[_Attempt, str | None, str]] = []
        for a in list(self.active.values()):
            if a.channel in ready:
                self._read(a)
            if a.pid is not None and a.status is None and a.pid in self.exits:
                a.status = self.exits.pop(a.pid)
            if a.task.collector.done:
                finished.append((a, None, ""))
            elif a.eof and (a.status is not None or now - a.eof_at > 2.0):
                kind, phrase = describe_status(a.status if a.status is not None else 0)
                if a.status is None:
                    kind, phrase = "crash", "stopped unexpectedly"
                blame = where(a.task.collector.current)
                if self.w.oom_kills(a.slot) > a.oom_before:  # the cgroup's memory.max
                    finished.append((a, "memory", f"exceeded the {self.limits.memory_mb} MiB memory limit in {blame}"))
                else:
                    finished.append((a, kind, f"the worker {phrase} in {blame}"))
            else:
                when, limit, scope = self._deadline(a)
                if now >= when:
                    finished.append((a, "timeout", f"timed out after {limit:g} s in {scope}"))
        return finished

    def _limits_exceeded(self, busy: set[int]) -> list[tuple[_Attempt, str | None, str]]:
        lim, base = self.limits, self.w.uid_base
        usage, counts = self.w.watch.poll({base + s: s for s in self.active if s not in busy})
        out: list[tuple[_Attempt, str | None, str]] = []
        for slot, kb in usage.items():
            a = self.active[slot]
            if kb > lim.memory_mb * 1024:
                out.append((a, "memory", f"exceeded the {lim.memory_mb} MiB memory limit "
                                         f"in {where(a.task.collector.current)}"))
            elif counts[slot] > lim.max_processes:
                out.append((a, "crash", f"started more than {lim.max_processes} processes "
                                        f"in {where(a.task.collector.current)}"))
        return out

    # -- helpers -----------------------------------------------------------
    def _start(self, sub: _Submission, task: Task, slot: int, probes: Sequence[Probe] | None = None) -> _Attempt:
        task.attempts += 1
        task.state = "running"
        todo = list(probes if probes is not None else task.probes)
        # A file that hung while loading, or one notebook cell of it ("x.ipynb, cell 3"), is
        # skipped by every later worker that loads the student's files.
        skip = [f for f in sub.skip if task.files and (f in task.files or ", cell " in f)]
        job = {"files": task.files, "skip_files": skip,
               "probes": task.job_probes(todo)}
        token, channel, out_fd = self.w.spawn(job, slot)
        now = time.monotonic()
        c = task.collector
        return _Attempt(sub, task, slot, token, channel, out_fd, now, phase_started=now,
                        observed_before=len(c.observations) + len(c.loads), oom_before=self.w.oom_kills(slot))

    def _read(self, a: _Attempt) -> None:
        try:
            chunk = os.read(a.channel, 1 << 16)
        except OSError:
            chunk = b""
        if not chunk:
            a.eof, a.eof_at = True, time.monotonic()
            return
        a.buffer += chunk
        a.received += len(chunk)
        collector = a.task.collector
        seen = len(collector.observations)
        try:
            if a.received > MAX_CHANNEL:
                raise wire.WireError(f"more than {MAX_CHANNEL >> 20} MiB of results")
            for message in read_frames(a.buffer):
                collector.feed(message)
        except wire.WireError as exc:
            collector.problems.append(f"the worker sent malformed data ({exc})")
            a.eof, a.eof_at, a.status = True, time.monotonic(), 0
            a.buffer.clear()
        if collector.current != a.phase:
            a.phase, a.phase_started = collector.current, time.monotonic()
        if len(collector.observations) != seen:
            release(a.sub.tasks)  # an artifact may have arrived: its check can start now

    def _deadline(self, a: _Attempt) -> tuple[float, float, str]:
        phase = a.task.collector.current
        probe = next((p for p in a.task.probes if p.id == phase), None)
        return deadline(self.limits, phase, a.phase_started, probe.timeout if probe else None, a.sub.started)

    def _stop(self, a: _Attempt) -> None:
        """Kill whatever the attempt left running, collect its output, close its fds."""
        self.w.stop(a.pid, a.slot)
        os.close(a.channel)
        text = read_output(a.out_fd, self.limits.output_cap)
        os.close(a.out_fd)
        if text.strip():
            a.task.output.append(text)

    def _await_exit(self, a: _Attempt) -> None:
        """Until the zygote reports this stopped worker gone, its submission is not sealed."""
        if a.status is not None:
            return
        if a.pid is None:
            self._await(a.sub, -a.token)
        elif self.exits.pop(a.pid, None) is None:
            self._await(a.sub, a.pid)

    def _await(self, sub: _Submission, key: int) -> None:
        sub.unsealed.add(key)
        self.awaiting[key] = sub

    def _remaining(self, a: _Attempt) -> list[Probe]:
        """Probes to rerun in a fresh worker after this attempt was stopped early."""
        task = a.task
        c = task.collector
        left = [p for p in task.probes if p.id not in c.observations]
        if c.done or not left:
            return []
        progressed = len(c.observations) + len(c.loads) > a.observed_before
        if not progressed or task.attempts > len(task.probes) + len(task.files) + 1:
            return []
        if time.monotonic() - a.sub.started >= self.limits.student_timeout:
            self._out_of_time(task, left)
            return []
        return left
