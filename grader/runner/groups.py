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
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from grader.model import ErrorInfo, FileLoad, Observation, Probe, RunOutcome
from grader.runner.channel import Collector
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


def is_hidden(group: str) -> bool:
    """Whether a probe group holds hidden inputs (see grader.judging.checks.base.HIDDEN_GROUP)."""
    return group == HIDDEN or group.startswith(HIDDEN + ":")


def hidden_task(task: Task) -> bool:
    return any(is_hidden(p.group) for p in task.probes)


def split_units(probes: Sequence[Probe]) -> list[list[Probe]]:
    """Probes by worker: one list per group (in first-seen order), then each `needs` probe alone."""
    groups: dict[str, list[Probe]] = {}
    later: list[list[Probe]] = []
    for p in probes:
        if p.needs is not None:
            later.append([p])
        else:
            groups.setdefault(p.group, []).append(p)
    return [*groups.values(), *later]


def student_work_left(units: Sequence[Sequence[Probe]]) -> bool:
    """Whether these unfinished units (the portable runner's) still hold student-visible work
    that hidden units must wait for. One that needs a hidden probe's value cannot run before
    the hidden ones, so it does not hold them back (it would wait forever)."""
    hidden = {p.id for u in units for p in u if is_hidden(p.group)}
    return any(not is_hidden(u[0].group) and u[0].needs not in hidden for u in units if u)


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
    return changed


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
