"""Probe groups: which probes share a worker, and how their results come back together.

Probes of one `Probe.group` share one worker; every other group of a submission
gets its own fresh worker with the student's files loaded, so hidden inputs never
sit in the worker whose output the student sees. A probe with `needs` runs after
the probe it names, in a worker that loads none of the student's files, and its
driver receives that probe's observed value as `artifact`. Only the "main"
worker's loads, problems and output are student-facing; the rest become
instructor notes.

Hidden groups ("hidden", "hidden:<x>") are held until every other task of the
submission is done and its worker is gone (`sealed`): a hidden worker never runs
beside the same student's student-visible workers, so it cannot pass hidden inputs
to them through kernel state they share (locks on a file both can read, timing).
The worker that finished the last of that visible work may then go on with a hidden
task (`follow_on`) instead of a fresh worker loading the same files again: its
output so far is cut and its results are final before it is sent a hidden input.
A student can have more than one run (their .py files, then the notebooks that also
changed: grader.grading), and every run's public results reach them: the runs of one
student form a cohort (the key's `cohort`), and hidden tasks wait for the whole
cohort's public work (`cohort_clear`).

This module is the scheduling policy both back-ends share (grader.runner.backend
runs it; scheduler.py and portable.py only start, watch and stop workers). Its
state is one `SubmissionRun` per admitted submission, holding one `Task` per worker
the submission needs; a task moves

    held (hidden, until the rest is sealed) -> waiting (for its artifact) -> ready
        -> running -> done   (or back to running, in a fresh worker, by `settle`)

and every function here is a plain function of that state and the clock.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from grader.model import ErrorInfo, FileLoad, Observation, Probe, RunOutcome
from grader.runner.channel import Collector
from grader.runner.limits import Limits
from grader.safetext import truncate

MAIN = "main"
HIDDEN = "hidden"
NOTE_CAP = 8000   # characters of one group's printed output kept in the instructor notes


@dataclass
class Task:
    """One group of one submission: the probes one worker runs (again, after a kill)."""

    group: str
    probes: list[Probe]
    files: dict[str, str]
    collector: Collector
    needs: str | None = None            # the probe whose value is this task's artifact
    artifact: object = None
    # held (hidden, until the rest is sealed) -> waiting (for its artifact) -> ready -> running -> done
    state: str = "ready"
    attempts: int = 0
    output: list[str] = field(default_factory=list)

    def job_probes(self, probes: Sequence[Probe]) -> list[dict[str, object]]:
        out: list[dict[str, object]] = []
        for p in probes:
            args = dict(p.args)
            if self.needs is not None:
                args["artifact"] = self.artifact
            out.append({"id": p.id, "driver": p.driver, "args": args, "exercise": p.exercise})
        return out


@dataclass
class SubmissionRun:
    """One admitted submission while its tasks run: what `compose` turns into its RunOutcome."""

    key: Any
    files: dict[str, str]
    tasks: list[Task]
    started: float
    skip: list[str] = field(default_factory=list)   # files found to hang while loading, for later workers
    unsealed: set[int] = field(default_factory=set)  # the sandbox's stopped workers not yet reported gone

    @property
    def finished(self) -> bool:
        return all(t.state == "done" for t in self.tasks)

    def skip_for(self, task: Task) -> list[str]:
        """Files a worker of `task` skips: one that hung while loading, or one notebook cell of it
        ("x.ipynb, cell 3"), is skipped by every later worker that loads the student's files."""
        return [f for f in self.skip if task.files and (f in task.files or ", cell " in f)]


def cohort(key: Any) -> tuple[Any, int] | None:
    """(who, how many runs) for a run that shares its student with others, from the key's
    `cohort` attribute (grader.grading.Run); None for a run that stands alone."""
    value = getattr(key, "cohort", None)
    return value if isinstance(value, tuple) and len(value) == 2 else None


def public_work_left(run: SubmissionRun) -> bool:
    """Whether any task of `run` but its held hidden ones is still to run or running."""
    return any(t.state not in ("done", "held") for t in run.tasks)


def cohort_clear(run: SubmissionRun, admitted: Sequence[SubmissionRun], seen: dict[Any, int], exhausted: bool,
                 sealed: Callable[[SubmissionRun], bool]) -> bool:
    """Whether `run`'s held hidden tasks may go as far as its cohort is concerned: every run of
    the same student has been admitted (`seen` counts them by who; `exhausted`: no more will
    come), and each one's public work is done and sealed. A run without a cohort: only its own
    `sealed`. (`unseal` still waits for the run's own other tasks.)"""
    if not sealed(run):
        return False
    mine = cohort(run.key)
    if mine is None:
        return True
    who, size = mine
    if seen.get(who, 0) < size and not exhausted:
        return False
    mates = [m for m in admitted if m is not run and cohort(m.key) == mine]
    return all(not public_work_left(m) and sealed(m) for m in mates)


def is_hidden(group: str) -> bool:
    """Whether a probe group holds hidden inputs (see grader.judging.checks.base.HIDDEN_GROUP)."""
    return group == HIDDEN or group.startswith(HIDDEN + ":")


def hidden_task(task: Task) -> bool:
    return any(is_hidden(p.group) for p in task.probes)


def plan(probes: Sequence[Probe], files: dict[str, str], memory_mb: int, *, isolate: bool = True) -> list[Task]:
    """The submission's tasks, "main" first (it always runs: it reports how the files loaded).

    With `isolate` False every probe without `needs` runs in the main worker
    (the behaviour before groups, kept for measuring what groups cost).
    """
    keyed: dict[tuple[str, str | None], list[Probe]] = {(MAIN, None): []}
    for p in probes:
        group = p.group if isolate or p.needs is not None else MAIN
        keyed.setdefault((group, p.needs), []).append(p)
    tasks = []
    for (group, needs), members in keyed.items():
        own_files = {} if needs is not None else files
        name = group if needs is None else f"{group} (needs {needs})"
        state = "held" if is_hidden(group) else "ready" if needs is None else "waiting"
        tasks.append(Task(name, members, own_files, Collector(members, memory_mb, own_files), needs=needs,
                          state=state))
    return tasks


def unseal(tasks: Sequence[Task], *, sealed: bool = True) -> list[Task]:
    """Held hidden tasks, let go once every other task is done and `sealed` (their workers
    are known to be gone): made ready, or waiting when they need an artifact."""
    held = [t for t in tasks if t.state == "held"]
    if not held or not sealed or any(t.state != "done" for t in tasks if t.state != "held"):
        return []
    for t in held:
        t.state = "ready" if t.needs is None else "waiting"
    return held


def admit(key: Any, files: dict[str, str], probes: Sequence[Probe], limits: Limits, now: float, *,
          isolate: bool = True) -> SubmissionRun:
    """A submission's run as it is admitted: its tasks planned, its clock started."""
    return SubmissionRun(key, dict(files), plan(probes, dict(files), limits.memory_mb, isolate=isolate), now)


def next_ready(runs: Sequence[SubmissionRun], limits: Limits, now: float) -> tuple[SubmissionRun, Task] | None:
    """The first ready task of the earliest admitted submission that still has time.

    A ready task of a submission whose time is used up (an artifact that came in
    its last second) is done at once, its probes out of time.
    """
    for run in runs:
        for t in run.tasks:
            if t.state != "ready":
                continue
            if now - run.started < limits.student_timeout:
                return run, t
            out_of_time(t, t.probes, limits)
            t.state = "done"
    return None


def follow_on(run: SubmissionRun, finished: Task) -> Task | None:
    """The hidden task the worker that just finished `finished` may go on with, instead of a
    fresh worker loading the student's files again: one `unseal` has made ready (so every task
    the student sees is done and sealed, their output cut), that loads the same files, has no
    artifact to receive, and has not been tried. `finished` must have loaded those files
    itself (not an artifact task, which loads none). None: `finished`'s worker just ends.

    Nothing is lost by going on: the student's visible results are final before the worker is
    sent a hidden input, and from then on whatever it prints or reports is the hidden task's.
    """
    if finished.needs is not None or not finished.files or hidden_task(finished):
        return None
    for t in run.tasks:
        if t.state == "ready" and t.needs is None and t.attempts == 0 and hidden_task(t) and t.files == finished.files:
            return t
    return None


def out_of_time(task: Task, probes: Sequence[Probe], limits: Limits) -> None:
    for p in probes:
        task.collector.observations.setdefault(p.id, Observation(p.id, error=ErrorInfo(
            "timeout", f"not run: the submission used up its {limits.student_timeout:g} s", killed="timeout")))


def settle(run: SubmissionRun, task: Task, kind: str | None, message: str, observed_before: int,
           limits: Limits, now: float) -> list[Probe]:
    """A worker of `task` ended (`kind` None: it reported done; else how it was stopped).

    The phase it was in gets the blame. Returns the probes to rerun in a fresh worker:
    none when it finished, made no progress since `observed_before` (observations plus
    loads when it started), was retried often enough, or the submission's time is up.
    """
    c = task.collector
    if kind is not None:
        skipped = c.stopped(kind, message)
        if skipped and skipped not in run.skip:
            run.skip.append(skipped)
    left = [p for p in task.probes if p.id not in c.observations]
    if c.done or not left:
        return []
    progressed = len(c.observations) + len(c.loads) > observed_before
    if not progressed or task.attempts > len(task.probes) + len(task.files) + 1:
        return []
    if now - run.started >= limits.student_timeout:
        out_of_time(task, left, limits)
        return []
    return left


def observed(tasks: Sequence[Task], probe_id: str) -> Observation | None:
    for t in tasks:
        if probe_id in t.collector.observations:
            return t.collector.observations[probe_id]
    return None


def release(tasks: Sequence[Task], *, final: bool = False, sealed: bool = True) -> list[Task]:
    """Waiting tasks whose artifact is now known (made ready) or can never come (made done),
    and held hidden tasks once the rest is sealed (see `unseal`).

    `final`: nothing of this submission runs or will run, so whatever still
    waits (on itself, or in a cycle) never gets its artifact. Held tasks let go
    in this call are not final yet: they have not had their turn.
    """
    changed = unseal(tasks, sealed=sealed)
    if changed and final:
        return changed
    for t in tasks:
        if t.state != "waiting" or t.needs is None:
            continue
        obs = observed(tasks, t.needs)
        source = next((s for s in tasks if t.needs in s.collector.wanted), None)
        if obs is not None and obs.ok:
            t.artifact, t.state = obs.value, "ready"
        elif obs is not None or final or source is None or source is t or source.state == "done":
            why = "it failed" if obs is not None else "it gave no result"
            for p in t.probes:
                t.collector.observations[p.id] = Observation(p.id, error=ErrorInfo(
                    "NoArtifact", f"not run: it checks what {t.needs} produced, and {why}"))
            t.state = "done"
        else:
            continue
        if not any(t is c for c in changed):  # a task let go above may be released here too
            changed.append(t)
    # A waiting task just made done may have been all the held ones waited for: let them go
    # now, in the same call, so that the worker which finished the rest can go on with them
    # (follow_on) however its messages were batched.
    return changed + unseal(tasks, sealed=sealed)   # only tasks still held: none of `changed`


def _note(group: str, text: str) -> str:
    return f"[{group}] {text}"


def compose(tasks: Sequence[Task], duration: float, output_cap: int) -> RunOutcome:
    """One outcome: every group's observations; student-facing parts from "main" only."""
    observations: dict[str, Observation] = {}
    notes: list[str] = []
    main = tasks[0]
    for t in tasks:
        observations.update(t.collector.observations)
        if t is main:
            continue
        notes += [_note(t.group, p) for p in dict.fromkeys(t.collector.problems)]
        notes += [_note(t.group, f"loading {load.name}: {load.error.type}: {load.error.message}")
                  for load in t.collector.loads if load.error is not None]
        text = "".join(t.output) + "".join(load.output for load in t.collector.loads)
        if text.strip():
            notes.append(_note(t.group, "output:\n" + truncate(text, NOTE_CAP)))
    output = "".join(main.output)
    output = truncate(output, output_cap * 2)
    loads: tuple[FileLoad, ...] = tuple(main.collector.loads)
    return RunOutcome(observations, loads, tuple(dict.fromkeys(main.collector.problems)), output=output,
                      duration=duration, instructor_notes=tuple(notes))
