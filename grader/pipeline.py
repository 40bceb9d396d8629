"""Glue between the stages for one submission: run probes, judge, score.

`grade_outcome` is the one place a worker's outcome becomes a StudentResult (the
grading service, grader.grading, and `grader rejudge` use it; every entry point grades
through the service). It never raises for one student's data: a
check whose judging fails, or a stage that fails for the whole student, becomes a
grader error (status `error`, GRADER_ERROR_MESSAGE for the student, the reason in
`grader_error` / `grader_errors` for the instructor), and a rerun retries it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from grader import __version__
from grader.catalog import EXERCISES as CATALOG
from grader.errors import GRADER_ERROR_MESSAGE, ReferenceSolutionError, SandboxError, grader_error_text
from grader.judging.checks import EXERCISES, Check
from grader.judging.judge import judge
from grader.judging.score import score_student
from grader.model import CheckResult, ExerciseResult, Observation, Probe, RunOutcome, StudentResult


def probes_for(checks: Sequence[Check]) -> list[Probe]:
    """Each probe once, in check order (checks may share probes)."""
    seen: dict[str, Probe] = {}
    for c in checks:
        for p in c.probes:
            seen.setdefault(p.id, p)
    return list(seen.values())


def read_python_files(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.py"))}


def reference_observations(outcome: RunOutcome, probes: Sequence[Probe],
                           memory_mb: int | None = None) -> dict[str, Observation]:
    """The reference run's observations, or ReferenceSolutionError if any probe failed or gave no result."""
    errors = [o.error for o in outcome.observations.values() if o.error]
    errors += [load.error for load in outcome.loads if load.error]
    if any(e.killed == "memory" for e in errors) or any("memory limit" in p for p in outcome.problems):
        limit = f"the {memory_mb} MiB memory limit" if memory_mb else "the memory limit"
        raise ReferenceSolutionError(f"the reference solutions need more memory than {limit} allows: "
                              "raise it with --memory MB")
    missing = [p.id for p in probes if p.id not in outcome.observations]
    broken = [f"{o.probe_id}: {o.error.message}" for o in outcome.observations.values() if o.error]
    broken += [f"{pid}: no result" for pid in missing]
    broken += [f"{load.name}: {load.error.message}" for load in outcome.loads if load.error]
    broken += list(outcome.problems)
    if broken:
        raise ReferenceSolutionError("the reference solutions failed: " + "; ".join(broken[:5]))
    return outcome.observations


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


def error_check(check: Check, why: str) -> CheckResult:
    """A check the grader could not grade: no points, a plain word for the student, `why` for the instructor."""
    return CheckResult(check_id=check.id, exercise=check.exercise, title=check.title, score=0.0,
                       max_score=check.points, status="error", message=GRADER_ERROR_MESSAGE,
                       visibility=check.visibility, grader_error=why or "unknown grader error")


def _judge_one(check: Check, outcome: RunOutcome, reference: dict[str, Observation] | None) -> CheckResult:
    try:
        result = judge(check, outcome.observations, reference, outcome.loads)
    except (ReferenceSolutionError, SandboxError):
        raise  # wrong for every student: the batch stops
    except Exception as exc:  # noqa: BLE001 - this student's odd data costs this check, not the class
        return error_check(check, grader_error_text(f"judging {check.id}", exc))
    return result


def _problems(outcome: RunOutcome, problems: Sequence[str], notes: Sequence[str], list_loads: bool) -> tuple[str, ...]:
    found = list(problems)
    if list_loads:
        found += [f"{load.name} could not be loaded: {load.error.type}: {load.error.message}"
                  for load in outcome.loads if load.error is not None]
    found += list(outcome.problems)
    found += [f"Note: {n}" for n in notes]
    return tuple(found)


def error_result(student_id: str, checks: Sequence[Check], errors: Sequence[str], *,
                 problems: Sequence[str] = (), digest: str = "") -> StudentResult:
    """A student the grader could not grade at all: every check is a grader error."""
    why = "; ".join(errors)[:4000]
    titles = {e.name: e.title for e in CATALOG}
    exercises = []
    for name in dict.fromkeys(c.exercise for c in checks):
        mine = tuple(error_check(c, why) for c in checks if c.exercise == name)
        exercises.append(ExerciseResult(name, titles.get(name, name), 0.0,
                                        round(sum(c.max_score for c in mine), 4), mine))
    return StudentResult(student_id=student_id, score=0.0, max_score=round(sum(e.max_score for e in exercises), 4),
                         exercises=tuple(exercises), problems=tuple(problems), grader_version=__version__,
                         submission_digest=digest, grader_errors=tuple(errors))


def grade_outcome(student_id: str, files: dict[str, str], outcome: RunOutcome, checks: Sequence[Check],
                  reference: dict[str, Observation] | None, *, problems: Sequence[str] = (),
                  notes: Sequence[str] = (), digest: str = "", list_loads: bool = True,
                  sources: dict[str, tuple[str, str]] | None = None) -> StudentResult:
    """Judge and score one student's run (trusted side); never raises for the student's data.

    `sources` (exercise -> file name, code) replaces finding them in `files` (rejudging has no files).
    """
    listed = problems
    try:
        listed = _problems(outcome, problems, notes, list_loads)
        verdicts = [_judge_one(c, outcome, reference) for c in checks]
        if sources is None:
            try:
                sources = exercise_sources(files, checks)
            except Exception:  # noqa: BLE001 - the report then shows no source; the verdicts stand
                sources = {}
        result = score_student(student_id, verdicts, outcome, sources)
    except (ReferenceSolutionError, SandboxError):
        raise
    except Exception as exc:  # noqa: BLE001 - one student never stops the class
        return error_result(student_id, checks, [grader_error_text("judging and scoring", exc)],
                            problems=listed, digest=digest)
    errors = tuple(c.grader_error for c in result.checks if c.grader_error)
    return replace(result, problems=listed, submission_digest=digest, grader_errors=errors)

