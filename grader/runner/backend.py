"""One scheduling loop, two back-ends: the policy of grader.runner.groups, run over worker slots.

`GroupScheduler.run` admits submissions, starts their ready tasks in free slots,
settles every worker that ended (blame, retry in a fresh worker, or done), lets
artifacts and hidden groups go, and yields each submission's outcome as it
finishes. What differs between the Linux sandbox (scheduler.py: a zygote forks
workers, results come on a pipe, limits come from cgroups and uids) and the
portable runner (portable.py: spawned `python` processes, results through a
queue, memory polled) is only how a worker is started, watched and stopped: the
four abstract methods below. So the two runners give the same outcome for the
same worker messages by construction.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from grader.model import Probe, RunOutcome
from grader.runner.channel import where
from grader.runner.groups import (SubmissionRun, Task, admit, cohort, cohort_clear, compose, next_ready, release,
                                  settle)
from grader.runner.limits import Limits, deadline

K = TypeVar("K")
Item = tuple[K, dict[str, str], Sequence[Probe]]
STARTUP_LIMIT = 300.0   # seconds a portable worker may take to import TensorFlow: not the student's time


@dataclass(kw_only=True)
class Attempt:
    """One worker running (part of) one task."""

    sub: SubmissionRun
    task: Task
    slot: int
    started: float
    ready_at: float | None          # when it could start on student code; None: still starting up
    phase: str | None = None        # the collector's phase when last seen, and since when
    phase_started: float = 0.0
    observed_before: int = 0        # observations plus loads when it started (did it progress?)

    def noted(self) -> None:
        """Call after feeding the collector: a new phase starts its own clock."""
        current = self.task.collector.current
        if current != self.phase:
            self.phase, self.phase_started = current, time.monotonic()


def attempt_deadline(limits: Limits, a: Attempt) -> tuple[float, float, str]:
    """(when, limit in seconds, what to blame) for the tightest limit on a running worker.

    A probe's clock starts with the probe; loading (or the time between probes)
    starts at the later of its phase and the worker's readiness. While a worker
    is still starting up, only STARTUP_LIMIT applies and the submission's own
    limit is stretched by as much: importing TensorFlow is not the student's time.
    """
    phase = a.task.collector.current
    if a.ready_at is None and phase is None:
        when, limit, scope = a.started + STARTUP_LIMIT, STARTUP_LIMIT, where(None)
        total = a.sub.started + limits.student_timeout + STARTUP_LIMIT
        if total < when:
            when, limit, scope = total, limits.student_timeout, f"{scope} (the whole submission's time limit)"
        return when, limit, scope
    probe = next((p for p in a.task.probes if p.id == phase), None)
    loading = phase is None or phase.startswith("load:")
    start = max(a.phase_started, a.ready_at or 0.0) if loading else a.phase_started
    slack = 0.0 if a.ready_at is not None else STARTUP_LIMIT
    return deadline(limits, phase, start, probe.timeout if probe else None, a.sub.started + slack)


A = TypeVar("A", bound=Attempt)
Ended = tuple[A, "str | None", str]   # (attempt, how it was stopped or None when it reported done, message)


class GroupScheduler(ABC, Generic[A]):
    """One `run_many` call: admits submissions, runs their tasks in `jobs` slots, yields outcomes.

    A free slot goes first to a ready task of a submission already admitted (so
    the clean workers start while the student's own worker runs), and only then
    to the next submission.
    """

    def __init__(self, limits: Limits, jobs: int, *, isolate_groups: bool = True) -> None:
        self.limits = limits
        self.jobs = jobs
        self.isolate = isolate_groups
        self.active: dict[int, A] = {}          # slot -> attempt
        self.admitted: list[SubmissionRun] = []
        self.cohorts: dict[Any, int] = {}       # runs admitted per student with more than one run
        self.exhausted = False

    # -- what a back-end provides ------------------------------------------
    @abstractmethod
    def launch(self, sub: SubmissionRun, task: Task, slot: int, job: dict[str, Any]) -> A:
        """Start a worker in `slot` running `job`; the attempt that watches it."""

    @abstractmethod
    def wait(self) -> list[Ended[A]]:
        """Feed the running workers' messages to their collectors for a moment and enforce
        the limits; the attempts whose workers reported done, died or overstayed."""

    @abstractmethod
    def end(self, a: A) -> str:
        """Stop what the attempt left running and free its resources; its printed output."""

    def sealed(self, sub: SubmissionRun) -> bool:
        """Whether every stopped worker of `sub` is known to be gone (hidden groups wait for it)."""
        return True

    def clear(self, sub: SubmissionRun) -> bool:
        """Whether `sub`'s hidden tasks may go: it is sealed, and so is its student's other
        public work (groups.cohort_clear)."""
        return cohort_clear(sub, self.admitted, self.cohorts, self.exhausted, self.sealed)

    def waiting_on_exits(self) -> bool:
        """Whether, with no worker running, the loop must still wait (for exits to be reported)."""
        return False

    # -- the loop ------------------------------------------------------------
    def close(self) -> None:
        """Leave no worker behind (the caller may stop early)."""
        for a in list(self.active.values()):
            self.end(a)
        self.active.clear()

    def start(self, sub: SubmissionRun, task: Task, slot: int, probes: Sequence[Probe] | None = None) -> A:
        task.attempts += 1
        task.state = "running"
        todo = [p for p in (probes if probes is not None else task.probes) if p.id not in task.collector.observations]
        job = {"files": task.files, "skip_files": sub.skip_for(task), "probes": task.job_probes(todo)}
        c = task.collector
        before = len(c.observations) + len(c.loads)
        a = self.launch(sub, task, slot, job)
        a.observed_before = before
        self.active[slot] = a
        return a

    def run(self, pending: Iterator[Item[K]]) -> Iterator[tuple[K, RunOutcome]]:
        free = [s for s in range(self.jobs) if s not in self.active]
        self.exhausted = exhausted = False
        while self.active or self.admitted or not exhausted:
            while free:
                ready = next_ready(self.admitted, self.limits, time.monotonic())
                if ready is not None:
                    self.start(*ready, free.pop(0))
                    continue
                if exhausted:
                    break
                try:
                    key, files, probes = next(pending)
                except StopIteration:
                    self.exhausted = exhausted = True
                    break
                mine = cohort(key)
                if mine is not None:
                    self.cohorts[mine[0]] = self.cohorts.get(mine[0], 0) + 1
                self.admitted.append(admit(key, files, probes, self.limits, time.monotonic(),
                                           isolate=self.isolate))
            yield from self._yield_finished()
            if not self.active and not self.waiting_on_exits():
                if exhausted and not self.admitted:
                    break
                continue
            for a, kind, message in self.wait():
                if self.active.get(a.slot) is not a:
                    continue  # reported twice in one pass
                del self.active[a.slot]
                text = self.end(a)
                if text.strip():
                    a.task.output.append(text)
                again = settle(a.sub, a.task, kind, message, a.observed_before, self.limits, time.monotonic())
                if again:
                    self.start(a.sub, a.task, a.slot, again)
                    continue
                a.task.state = "done"
                free.append(a.slot)
            for sub in self.admitted:
                release(sub.tasks, sealed=self.clear(sub))

    def _yield_finished(self) -> Iterator[tuple[Any, RunOutcome]]:
        for sub in list(self.admitted):
            if not any(t.state in ("ready", "running") for t in sub.tasks):
                release(sub.tasks, final=True, sealed=self.clear(sub))
            if sub.finished:
                self.admitted.remove(sub)
                yield sub.key, compose(sub.tasks, time.monotonic() - sub.started, self.limits.output_cap)
