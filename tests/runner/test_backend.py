"""The one scheduling loop (grader.runner.backend) over a scripted back-end: when a submission's
hidden probes go on in the worker that ran its visible ones, and when they get a fresh one.

The fake workers run instantly: each job's probes are observed with the worker's number as
their value, and each worker "prints" one line per job it ran, so the tests can tell which
worker ran what and where its printed output went.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from grader.model import Probe, RunOutcome
from grader.runner.backend import Attempt, Ended, GroupScheduler
from grader.runner.groups import SubmissionRun, Task
from grader.runner.limits import Limits

FILES = {"relu_model.py": "def relu_model(): ..."}
PROBES = [Probe("lesson", "relu"), Probe("hidden_a", "relu", group="hidden"), Probe("hidden_b", "relu", group="hidden")]


@dataclass(kw_only=True)
class _Fake(Attempt):
    worker: int
    jobs: list[list[str]] = field(default_factory=list)
    printed: list[str] = field(default_factory=list)
    cut_at: int = 0
    ended: bool = False


class Scripted(GroupScheduler[_Fake]):
    """Workers that finish each job at the next `wait`; `goes_on` and `refuse` set per test."""

    def __init__(self, goes_on: bool = True, refuse: bool = False, jobs: int = 1) -> None:
        super().__init__(Limits(), jobs)
        self.goes_on = goes_on
        self.refuse = refuse
        self.workers: list[_Fake] = []
        self.pending: list[_Fake] = []   # attempts with a job not yet answered

    def launch(self, sub: SubmissionRun, task: Task, slot: int, job: dict[str, Any]) -> _Fake:
        a = _Fake(sub=sub, task=task, slot=slot, started=0.0, ready_at=0.0, worker=len(self.workers))
        self.workers.append(a)
        self._run(a, job)
        return a

    def _run(self, a: _Fake, job: dict[str, Any]) -> None:
        ids = [p["id"] for p in job["probes"]]
        a.jobs.append(ids)
        a.printed.append(f"worker {a.worker} ran {' '.join(ids) or 'nothing'}\n")
        self.pending.append(a)

    def wait(self) -> list[Ended[_Fake]]:
        done, self.pending = self.pending, []
        for a in done:
            for pid in a.jobs[-1]:
                a.task.collector.feed({"kind": "observation", "probe": pid, "value": a.worker})
            a.task.collector.feed({"kind": "done"})
        return [(a, None, "") for a in done]

    def end(self, a: _Fake) -> str:
        a.ended = True
        return "".join(a.printed)[a.cut_at:]

    def cut(self, a: _Fake) -> str:
        text = "".join(a.printed)
        a.cut_at, text = len(text), text[a.cut_at:]
        return text

    def hand_over(self, a: _Fake, job: dict[str, Any]) -> bool:
        if self.refuse:
            return False
        self._run(a, job)
        return True


class _Key:
    def __init__(self, who: str, runs: int = 1) -> None:
        self.who = who
        self.cohort = (who, runs) if runs > 1 else None


def grade(scheduler: Scripted, keys: list[_Key]) -> dict[str, RunOutcome]:
    return {key.who + str(i): out for i, (key, out) in
            enumerate(scheduler.run(iter([(k, FILES, PROBES) for k in keys])))}


def test_hidden_probes_go_on_in_the_worker_that_ran_the_visible_ones() -> None:
    s = Scripted()
    (out,) = grade(s, [_Key("ada")]).values()
    (worker,) = s.workers
    assert worker.jobs == [["lesson"], ["hidden_a", "hidden_b"]]   # one worker, the hidden probes second
    assert {o.probe_id: o.value for o in out.observations.values()} == {"lesson": 0, "hidden_a": 0, "hidden_b": 0}
    # What it printed before the hand-over is the student's; after it, the instructor's only.
    assert out.output == "worker 0 ran lesson\n"
    assert out.instructor_notes == ("[hidden] output:\nworker 0 ran hidden_a hidden_b\n",)
    assert worker.ended


def test_a_back_end_that_cannot_go_on_starts_a_fresh_worker() -> None:
    s = Scripted(goes_on=False)
    (out,) = grade(s, [_Key("ada")]).values()
    assert [w.jobs for w in s.workers] == [[["lesson"]], [["hidden_a", "hidden_b"]]]
    assert out.observations["hidden_a"].value == 1 and out.output == "worker 0 ran lesson\n"


def test_a_refused_hand_over_ends_the_worker_and_says_nothing_more_to_the_student() -> None:
    s = Scripted(refuse=True)
    (out,) = grade(s, [_Key("ada")]).values()
    assert [w.jobs for w in s.workers] == [[["lesson"]], [["hidden_a", "hidden_b"]]]
    assert out.observations["hidden_b"].value == 1
    assert out.output == "worker 0 ran lesson\n"
    assert all(w.ended for w in s.workers)


def test_a_student_with_two_runs_gets_no_hand_over_while_the_other_run_is_still_to_run() -> None:
    """The first run's hidden probes must wait for the second run's visible work, so its worker
    is not kept waiting in a slot: it ends, and the hidden task gets a fresh worker later."""
    s = Scripted(jobs=1)
    outs = grade(s, [_Key("bob", runs=2), _Key("bob", runs=2)])
    assert len(outs) == 2
    jobs = [w.jobs for w in s.workers]
    assert jobs[0] == [["lesson"]]                          # the first run's worker ended after its visible work
    assert [["lesson"], ["hidden_a", "hidden_b"]] in jobs    # the second run's worker went on: the cohort was clear
    assert len(s.workers) == 3
