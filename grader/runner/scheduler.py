"""Admission and retries: which submission runs in which worker slot, and when.

Submissions are admitted `jobs` at a time. Each running worker's channel is
read as it streams; a worker that overstays its deadline, outgrows the memory
limit or starts too many processes is stopped, the phase it was in gets the
blame, and the probes that remain run in a fresh worker, so one infinite loop
in one exercise does not zero the others.
"""

from __future__ import annotations

import os
import select
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from grader.model import ErrorInfo, Observation, Probe, RunOutcome
from grader.runner.channel import MAX_CHANNEL, Collector, read_frames, read_output, where
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


@dataclass
class _Student:
    key: Any
    files: dict[str, str]
    probes: list[Probe]
    collector: Collector
    started: float
    attempts: int = 0
    skip: list[str] = field(default_factory=list)
    output: list[str] = field(default_factory=list)


@dataclass
class _Attempt:
    student: _Student
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


class Scheduler:
    """One `run_many` call: admits submissions into free slots and yields their outcomes."""

    def __init__(self, workers: Workers) -> None:
        self.w = workers
        self.limits = workers.limits
        self.active: dict[int, _Attempt] = {}          # slot -> attempt
        self.by_token: dict[int, _Attempt] = {}
        self.exits: dict[int, int] = {}

    def close(self) -> None:
        """Leave no worker behind (the caller may stop early)."""
        for a in self.active.values():
            self._stop(a)
        self.active.clear()

    def run(self, pending: Iterator[Item[K]]) -> Iterator[tuple[K, RunOutcome]]:
        active, lim = self.active, self.limits
        free = [s for s in range(self.w.jobs) if s not in active]
        exhausted = False
        last_poll = 0.0
        while active or not exhausted:
            while free and not exhausted:
                try:
                    key, files, probes = next(pending)
                except StopIteration:
                    exhausted = True
                    break
                st = _Student(key, dict(files), list(probes),
                              Collector(probes, lim.memory_mb, files), time.monotonic())
                self._admit(self._start(st, free.pop(0)))
            if not active:
                break
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
                st = a.student
                if stop_kind is not None:
                    skipped = st.collector.stopped(stop_kind, message)
                    if skipped:
                        st.skip.append(skipped)
                again = self._remaining(a)
                if again:
                    self._admit(self._start(st, a.slot, again))
                    continue
                free.append(a.slot)
                yield st.key, self._outcome(st)

    # -- one pass of the loop ---------------------------------------------
    def _admit(self, a: _Attempt) -> None:
        self.active[a.slot] = self.by_token[a.token] = a

    def _control(self) -> None:
        spawned, exits = self.w.control()
        for token, pid in spawned.items():
            if token in self.by_token:
                self.by_token[token].pid = pid
        self.exits.update(exits)
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
            if a.student.collector.done:
                finished.append((a, None, ""))
            elif a.eof and (a.status is not None or now - a.eof_at > 2.0):
                kind, phrase = describe_status(a.status if a.status is not None else 0)
                if a.status is None:
                    kind, phrase = "crash", "stopped unexpectedly"
                finished.append((a, kind, f"the worker {phrase} in {where(a.student.collector.current)}"))
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
                                         f"in {where(a.student.collector.current)}"))
            elif counts[slot] > lim.max_processes:
                out.append((a, "crash", f"started more than {lim.max_processes} processes "
                                        f"in {where(a.student.collector.current)}"))
        return out

    # -- helpers -----------------------------------------------------------
    def _start(self, st: _Student, slot: int, probes: Sequence[Probe] | None = None) -> _Attempt:
        st.attempts += 1
        todo = list(probes if probes is not None else st.probes)
        job = {"files": st.files, "skip_files": list(st.skip),
               "probes": [{"id": p.id, "driver": p.driver, "args": p.args, "exercise": p.exercise} for p in todo]}
        token, channel, out_fd = self.w.spawn(job, slot)
        now = time.monotonic()
        return _Attempt(st, slot, token, channel, out_fd, now, phase_started=now,
                        observed_before=len(st.collector.observations) + len(st.collector.loads))

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
        collector = a.student.collector
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

    def _deadline(self, a: _Attempt) -> tuple[float, float, str]:
        st = a.student
        phase = st.collector.current
        probe = next((p for p in st.probes if p.id == phase), None)
        return deadline(self.limits, phase, a.phase_started, probe.timeout if probe else None, st.started)

    def _stop(self, a: _Attempt) -> None:
        """Kill whatever the attempt left running, collect its output, close its fds."""
        self.w.stop(a.pid, a.slot)
        os.close(a.channel)
        text = read_output(a.out_fd, self.limits.output_cap)
        os.close(a.out_fd)
        if text.strip():
            a.student.output.append(text)

    def _remaining(self, a: _Attempt) -> list[Probe]:
        """Probes to rerun in a fresh worker after this attempt was stopped early."""
        st = a.student
        c = st.collector
        left = [p for p in st.probes if p.id not in c.observations]
        if c.done or not left:
            return []
        progressed = len(c.observations) + len(c.loads) > a.observed_before
        if not progressed or st.attempts > len(st.probes) + len(st.files) + 1:
            return []
        if time.monotonic() - st.started >= self.limits.student_timeout:
            for p in left:
                c.observations[p.id] = Observation(p.id, error=ErrorInfo(
                    "timeout", f"not run: the submission used up its {self.limits.student_timeout:g} s",
                    killed="timeout"))
            return []
        return left

    def _outcome(self, st: _Student) -> RunOutcome:
        c = st.collector
        output = "".join(st.output)
        if len(output) > self.limits.output_cap * 2:
            output = output[:self.limits.output_cap * 2] + "\n[... output cut]"
        return RunOutcome(dict(c.observations), tuple(c.loads), tuple(dict.fromkeys(c.problems)),
                          output=output, duration=time.monotonic() - st.started)
