"""Glue between the stages for one submission: run probes, judge, score."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from grader.judging.judge import judge_all
from grader.judging.checks import EXERCISES, Check
from grader.errors import ReferenceError_
from grader.model import Observation, Probe, RunOutcome, StudentResult
from grader.runner.runner import Runner
from grader.judging.score import score_student


def probes_for(checks: Sequence[Check]) -> list[Probe]:
    """Each probe once, in check order (checks may share probes)."""
    seen: dict[str, Probe] = {}
    for c in checks:
        for p in c.probes:
            seen.setdefault(p.id, p)
    return list(seen.values())


def read_python_files(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.py"))}


def reference_observations(outcome: RunOutcome, probes: Sequence[Probe]) -> dict[str, Observation]:
    """The reference run's observations, or ReferenceError_ if any probe failed or gave no result."""
    missing = [p.id for p in probes if p.id not in outcome.observations]
    broken = [f"{o.probe_id}: {o.error.message}" for o in outcome.observations.values() if o.error]
    broken += [f"{pid}: no result" for pid in missing]
    broken += [f"{load.name}: {load.error.message}" for load in outcome.loads if load.error]
    broken += list(outcome.problems)
    if broken:
        raise ReferenceError_("the reference solutions failed: " + "; ".join(broken[:5]))
    return outcome.observations


def compute_reference(runner: Runner, solutions: Path, checks: Sequence[Check]) -> dict[str, Observation]:
    """Run the reference solutions through the same probes, once per batch."""
    probes = probes_for(checks)
    return reference_observations(runner.run(read_python_files(solutions), probes), probes)


def _defines(code: str, name: str) -> bool:
    return re.search(rf"^\s*(def\s+{re.escape(name)}\b|{re.escape(name)}\s*[:=])", code, re.M) is not None


def exercise_sources(files: dict[str, str], checks: Sequence[Check]) -> dict[str, tuple[str, str]]:
    """exercise -> (file name, code) for the report: the file named after the exercise, else the
    file defining a function its probes' drivers call, else the only file there is."""
    out: dict[str, tuple[str, str]] = {}
    by_stem = {Path(n).stem: n for n in files}
    for ex in EXERCISES:
        if ex.name in by_stem:
            name = by_stem[ex.name]
            out[ex.name] = (name, files[name])
            continue
        drivers = {p.driver for c in checks if c.exercise == ex.name for p in c.probes}
        hit = next((n for n in files for d in sorted(drivers) if _defines(files[n], d)), None)
        if hit is None and len(files) == 1:
            hit = next(iter(files))
        if hit is not None:
            out[ex.name] = (hit, files[hit])
    return out


def grade_files(runner: Runner, student_id: str, files: dict[str, str], checks: Sequence[Check],
                reference: dict[str, Observation] | None) -> StudentResult:
    outcome = runner.run(files, probes_for(checks))
    results = judge_all(list(checks), outcome.observations, reference, outcome.loads)
    return score_student(student_id, results, outcome, exercise_sources(files, checks))
