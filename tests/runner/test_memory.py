"""The memory limit holds for every kind of memory, and each limiting mechanism works on its own.

- shared memory (MAP_SHARED, memfd) is in no RssAnon and not under RLIMIT_DATA:
  the poll counts it (issue 9, part 4), between two correct students;
- touched private memory under the data limit: only the RSS poll stops it;
- an untouched allocation over the data limit: only RLIMIT_DATA stops it
  (nothing is resident, so no poll could);
- a spike freed between two polls: only a cgroup's memory.max stops it
  (skipped where the kernel offers no cgroup v2 memory controller).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from grader.judging.checks import Check, load_checks
from grader.judging.judge import judge_all
from grader.judging.score import score_student
from grader.model import Observation, RunOutcome
from grader.pipeline import probes_for
from grader.runner import Limits, Runner
from grader.runner.memory import SlotWatch, memfd_files
from grader.sandbox.procs import processes

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = ROOT / "tests" / "submissions" / "hostile"
MEMORY_MB = 1024

def test_an_open_memfd_counts_by_its_allocated_size() -> None:
    fd = os.memfd_create("t")
    try:
        os.posix_fallocate(fd, 0, 8 << 20)
        files = memfd_files(os.getpid())
        st = os.fstat(fd)
        assert files[(st.st_dev, st.st_ino)] == 8 * 1024
    finally:
        os.close(fd)


def test_the_poll_of_no_slot_is_empty() -> None:
    assert SlotWatch().poll({}) == ({}, {})


@pytest.fixture(scope="module")
def box() -> Iterator[Runner]:
    if os.geteuid() != 0:
        pytest.skip("the memory poll watches per-slot uids: run as root")
    with Runner(Limits(check_timeout=10, load_timeout=10, student_timeout=60, memory_mb=MEMORY_MB), jobs=2) as r:
        yield r


@pytest.fixture(scope="module")
def graded(box: Runner) -> tuple[list[Check], dict[str, Observation]]:
    checks = [c for c in load_checks(("relu_model",)) if c.visibility == "public"]
    ref = box.run(correct(), probes_for(checks))
    assert all(o.ok for o in ref.observations.values())
    return checks, ref.observations


def correct() -> dict[str, str]:
    return {"relu_model.py": (ROOT / "solutions" / "relu_model.py").read_text()}


def hostile(case: str, **subs: Any) -> dict[str, str]:
    text = (HOSTILE / case / "relu_model.py").read_text()
    for key, value in subs.items():
        text = text.replace(f"__{key}__", str(value))
    return {"relu_model.py": text}


def batch(box: Runner, graded: tuple[list[Check], dict[str, Observation]], files: dict[str, str]) -> RunOutcome:
    """Grade [correct, files, correct]: the neighbours keep full marks, nothing survives."""
    checks, ref = graded
    probes = probes_for(checks)
    outcomes = dict(box.run_many([("before", correct(), probes), ("case", files, probes),
                                  ("after", correct(), probes)]))
    full = sum(c.points for c in checks)
    for key in ("before", "after"):
        result = score_student(key, judge_all(checks, outcomes[key].observations, ref), outcomes[key])
        assert result.score == full, result
    uids = set(range(box.uid_base, box.uid_base + box.jobs))
    assert [p for p in processes(uids) if not p.zombie] == []
    return outcomes["case"]


def memory_errors(outcome: RunOutcome) -> list[Any]:
    errs = [o.error for o in outcome.observations.values() if o.error is not None]
    errs += [load.error for load in outcome.loads if load.error is not None]
    return [e for e in errs if e.killed == "memory"]


@pytest.mark.slow
@pytest.mark.parametrize("case", ["mem_shared", "mem_memfd"])
def test_shared_memory_counts_against_the_limit(box: Runner, graded: Any, case: str) -> None:
    outcome = batch(box, graded, hostile(case))
    (err,) = memory_errors(outcome)
    # Stopped by the sandbox while loading the file that holds it, named plainly.
    assert err.type == "memory" and err.message == f"exceeded the {MEMORY_MB} MiB memory limit in loading relu_model.py"
    assert outcome.problems[0] == err.message
    checks, ref = graded
    assert score_student("case", judge_all(checks, outcome.observations, ref), outcome).score == 0


@pytest.mark.slow
def test_the_rss_poll_alone_stops_touched_memory_under_the_data_limit(box: Runner, graded: Any) -> None:
    # Over the memory limit, well under RLIMIT_DATA (zygote's data + limit + 512 MiB).
    outcome = batch(box, graded, hostile("mem_private", MB=MEMORY_MB + 200))
    errs = memory_errors(outcome)
    assert errs and all(e.type == "memory" for e in errs)  # the sandbox's kill, not a MemoryError


@pytest.mark.slow
def test_rlimit_data_alone_refuses_an_untouched_allocation(box: Runner, graded: Any) -> None:
    # Over RLIMIT_DATA, far under what the kernel would otherwise allow; never resident.
    size = box.data_kb // 1024 + MEMORY_MB + 512 + 1024
    box.watch.peak_kb = 0
    outcome = batch(box, graded, hostile("mem_data_cap", MB=size))
    errs = memory_errors(outcome)
    assert errs and all(e.type == "MemoryError" for e in errs)  # raised in the student's code
    assert all(e.message.startswith(f"exceeded the {MEMORY_MB} MiB memory limit") for e in errs)
    assert box.peak_kb < MEMORY_MB * 1024


@pytest.mark.slow
def test_a_cgroup_alone_stops_a_spike_between_polls(box: Runner, graded: Any) -> None:
    if box.cgroup_note:
        pytest.skip(f"no cgroup memory limit here: {box.cgroup_note}")
    before = sum(box.oom_kills(s) for s in range(box.jobs))
    outcome = batch(box, graded, hostile("mem_spike", MB=MEMORY_MB + 256))
    assert memory_errors(outcome)
    assert sum(box.oom_kills(s) for s in range(box.jobs)) > before  # the kernel did it, not the poll


def test_slot_cgroups_set_memory_max_and_read_oom_kills(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from grader.runner import cgroups

    (tmp_path / "cgroup.subtree_control").write_text("")
    monkeypatch.setattr(cgroups, "our_cgroup", lambda: tmp_path)
    slots = cgroups.SlotCgroups(2, 100)
    assert slots.create() is None
    slot1 = tmp_path / f"grader-{os.getpid()}" / "slot1"
    assert (slot1 / "memory.max").read_text() == str(100 << 20)
    assert (slot1 / "memory.oom.group").read_text() == "1"
    assert slots.procs(1) == str(slot1 / "cgroup.procs")
    (slot1 / "memory.events").write_text("low 0\nhigh 0\nmax 3\noom 1\noom_kill 2\n")
    assert slots.oom_kills(1) == 2 and slots.oom_kills(0) == 0
    for f in tmp_path.rglob("memory.*"):
        f.unlink()
    (tmp_path / f"grader-{os.getpid()}" / "cgroup.subtree_control").unlink()
    slots.remove()
    assert not (tmp_path / f"grader-{os.getpid()}").exists() and slots.procs(0) is None


def test_without_a_cgroup2_memory_controller_there_are_no_slot_cgroups(monkeypatch: pytest.MonkeyPatch) -> None:
    from grader.runner import cgroups

    monkeypatch.setattr(cgroups, "our_cgroup", lambda: None)
    slots = cgroups.SlotCgroups(2, 100)
    assert slots.create() == "no cgroup v2 memory controller"
    assert slots.procs(0) is None and slots.oom_kills(0) == 0
