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
from grader.runner.groups import (SubmissionRun, Task, admit, cohort, cohort_clear, compose, follow_on, next_ready,
                                  release, settle)
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

    # A back-end whose workers can take more probes after reporting done (the sandbox's)
    # overrides these two; the loop then hands a submission's hidden task to the worker
    # that finished the rest (groups.follow_on) instead of starting a fresh one.
    goes_on = False

    def cut(self, a: A) -> str:
        """The output the worker printed so far, leaving it running: the finished task's."""
        raise NotImplementedError

    def hand_over(self, a: A, job: dict[str, Any]) -> bool:
        """Send the worker that reported done `job` (more probes for the files it loaded);
        False when it could not take it (then it is ended, and the task gets a fresh worker)."""
        return False

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

    def go_on(self, a: A, task: Task) -> bool:
        """Hand `task` (all its probes) to the worker of `a`, which has loaded the same files
        and reported its own task done; False when the worker could not take it."""
        if not self.hand_over(a, {"probes": task.job_probes(task.probes)}):
            return False
        now = time.monotonic()
        task.attempts += 1
        task.state = "running"
        a.task, a.started, a.ready_at, a.phase, a.phase_started = task, now, now, None, now
        a.observed_before = len(task.collector.observations) + len(task.collector.loads)
        self.active[a.slot] = a
        return True

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
                if not self._settle(a, kind, message):
                    free.append(a.slot)
            for sub in self.admitted:
                release(sub.tasks, sealed=self.clear(sub))

    def _settle(self, a: A, kind: str | None, message: str) -> bool:
        """The worker of `a` ended (`kind` None: it reported done). True when its slot is busy
        again: the task retried in a fresh worker, or the same worker going on with the
        submission's hidden task (only after this task's output is cut and every task the
        student sees is done and sealed)."""
        keep = kind is None and self.goes_on
        text = self.cut(a) if keep else self.end(a)
        if text.strip():
            a.task.output.append(text)
        again = settle(a.sub, a.task, kind, message, a.observed_before, self.limits, time.monotonic())
        if again:
            if keep:
                self._ended(a)
            self.start(a.sub, a.task, a.slot, again)
            return True
        a.task.state = "done"
        if not keep:
            return False
        release(a.sub.tasks, sealed=self.clear(a.sub))
        then = follow_on(a.sub, a.task)
        if then is None:
            self._ended(a)
        elif not self.go_on(a, then):
            self._ended(a, then)  # it may have seen some of the hidden probes: its output is not the student's
        return then is not None and self.active.get(a.slot) is a

    def _ended(self, a: A, into: Task | None = None) -> None:
        """End a worker kept for going on; what it printed since the cut goes to `into`'s output
        (by default still the task it finished)."""
        text = self.end(a)
        if text.strip():
            (into or a.task).output.append(text)

    def _yield_finished(self) -> Iterator[tuple[Any, RunOutcome]]:
        for sub in list(self.admitted):
            if not any(t.state in ("ready", "running") for t in sub.tasks):
                release(sub.tasks, final=True, sealed=self.clear(sub))
            if sub.finished:
                self.admitted.remove(sub)
                yield sub.key, compose(sub.tasks, time.monotonic() - sub.started, self.limits.output_cap)
