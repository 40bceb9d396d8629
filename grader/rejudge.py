"""Re-judging a graded class from stored observations, without running any student code.

After an instructor fixes a judge (not its probes), `rejudge` runs every check's
judge again on what each student's probes observed at grading time
(OUT/_instructor/<id>/observations.json) against the stored reference
(OUT/reference.json), and rewrites both copies of results.json, report.html,
grades.csv, summary.json, misconceptions.csv and the dashboards (through
`grader.outputs`, as `grader grade` writes them).

All or nothing: every new file is first written under a staging folder inside
OUT, and only when all of them exist are they moved into place with os.replace
(student pages, then results.json, then the class files). A refusal or a
failure before that leaves the class exactly as it was. A check whose probes
changed (a digest over ids, drivers, args, groups) cannot be re-judged from old
observations: `rejudge` refuses, naming it, and the class must be regraded.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from grader import batch
from grader.outputs import write_class_outputs, write_student
from grader.errors import ExitCode, UsageError
from grader.judging.checks import Check, load_checks
from grader.judging.score import score_student
from grader.model import StudentResult
from grader.judging.checks.base import check_set_digest
from grader.judging.personal import personal_reference, personalize
from grader.pipeline import grade_outcome
from grader.reports import render
from grader.storage.layout import INSTRUCTOR_DIR, RESULTS_NAME, instructor_dir
from grader.storage.observations import ObservationsError, Stored, load_reference, load_student, probe_digests
from grader.storage.results import ResultsFileError, load_result

STAGING_PREFIX = ".rejudge-"


class RejudgeRefused(UsageError):
    """Re-judging cannot give what a regrade would: changed probes, or observations not kept."""

    exit_code = ExitCode.REJUDGE_REFUSED


@dataclass
class RejudgeReport:
    students: int = 0
    checks: list[str] = field(default_factory=list)
    changed: list[tuple[str, float, float]] = field(default_factory=list)   # (student id, old, new score)
    elapsed: float = 0.0


def _select(checks: Sequence[Check], only: Sequence[str]) -> list[Check]:
    if not only:
        return list(checks)
    known = {c.id for c in checks}
    unknown = sorted(set(only) - known)
    if unknown:
        raise UsageError(f"no check named {', '.join(unknown)} (see `grader list`)")
    return [c for c in checks if c.id in set(only)]


def _changed(selected: Sequence[Check], now: dict[str, str], stored: Stored) -> set[str]:
    return {c.id for c in selected if stored.digests.get(c.id) != now[c.id]}


def _load_class(out: Path) -> list[tuple[str, StudentResult, Stored | None, str]]:
    """(folder, result, stored observations or None, why not) for every student of OUT."""
    found = []
    for path in render.result_files(out):
        try:
            result = load_result(path)
        except ResultsFileError as exc:
            raise RejudgeRefused(f"{exc}; regrade this student") from exc
        try:
            stored: Stored | None = load_student(instructor_dir(out, path.parent.name))
            why = ""
        except ObservationsError as exc:
            stored, why = None, str(exc)
        if stored is not None and (stored.student_id, stored.submission_digest) != (
                result.student_id, result.submission_digest):
            stored, why = None, "its observations are from another submission"
        found.append((path.parent.name, result, stored, why))
    return found


def rejudge_one(old: StudentResult, stored: Stored, selected: Sequence[Check], reference: Stored,
                only: bool) -> StudentResult:
    """The result a regrade with `selected` checks would give, judged from stored observations.

    The hidden inputs are drawn again from the student's id and submission digest, as grading drew
    them, and judged against the oracles' expected values on them. With `only`, checks not selected
    keep their old verdicts.
    """
    sources = {e.name: (e.source_name, e.source) for e in old.exercises if e.source or e.source_name}
    mine = personalize(selected, stored.student_id, stored.submission_digest)
    new = grade_outcome(old.student_id, {}, stored.outcome, mine,
                        personal_reference(reference.outcome.observations, mine),
                        digest=old.submission_digest, sources=sources)
    if only:
        fresh = {v.check_id: v for v in new.checks}
        results = [fresh.get(c.check_id, c) for c in old.checks]
        new = replace(score_student(old.student_id, results, stored.outcome, sources),
                      submission_digest=old.submission_digest,
                      grader_errors=tuple(c.grader_error for c in results if c.grader_error))
    return replace(new, problems=old.problems, isolation=old.isolation)  # the level the observations ran at


def _clean_staging(out: Path) -> None:
    """Staging folders a killed rejudge left behind (never part of the class)."""
    for stale in out.glob(f"{STAGING_PREFIX}*"):
        if stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)


def _commit(staged: Path, out: Path) -> None:
    """Move every staged file over its old version: student pages, then the students' results, then
    the full results, then class files."""
    files = [p for p in staged.rglob("*") if p.is_file()]

    def order(p: Path) -> tuple[int, str]:
        rel = p.relative_to(staged)
        if len(rel.parts) == 1:
            return 3, str(rel)
        if rel.name != RESULTS_NAME:
            return 0, str(rel)
        return (2 if rel.parts[0] == INSTRUCTOR_DIR else 1), str(rel)  # the full copy marks a finished student

    for p in sorted(files, key=order):
        target = out / p.relative_to(staged)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(p, target)


def _old_summary(out: Path) -> dict[str, Any]:
    try:
        old = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return old if isinstance(old, dict) else {}


def _class_meta(out: Path, checks: Sequence[Check]) -> tuple[dict[str, Any], dict[str, str]]:
    """summary.json's class fields as a regrade would write them, and the folders it could not read."""
    old = _old_summary(out)
    shard = old.get("shard")
    spec = (shard["index"], shard["count"]) if isinstance(shard, dict) else None
    errors = old.get("load_errors")
    meta = {**batch.class_meta(checks, check_set_digest(checks), spec), "isolation": old.get("isolation")}
    return meta, errors if isinstance(errors, dict) else {}


def write_class(out: Path, results: dict[str, StudentResult], meta: dict[str, Any] | None = None,
                load_errors: dict[str, str] | None = None) -> None:
    """Every file a regrade writes for these results, staged and then moved into OUT at once."""
    stage = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out))
    try:
        # One level deeper than OUT/*/results.json, so no reader takes a staged file for a student.
        staged = stage / "out"
        staged.mkdir()
        for folder, result in results.items():
            write_student(staged, folder, result)
        write_class_outputs(staged, results, meta, load_errors)
        _commit(staged, out)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def rejudge(out: Path, checks: Sequence[Check] | None = None, only: Sequence[str] = ()) -> RejudgeReport:
    """Re-judge every student of OUT with the current judges of `checks` (all, or those in `only`)."""
    started = time.monotonic()
    out = Path(out).resolve()
    if not out.is_dir():
        raise UsageError(f"{out} is not a folder")
    _clean_staging(out)
    every = list(load_checks() if checks is None else checks)
    selected = _select(every, only)
    now = probe_digests(selected)
    try:
        reference = load_reference(out)
    except ObservationsError as exc:
        raise RejudgeRefused(f"cannot rejudge without the stored reference: {exc}; regrade the class") from exc
    students = _load_class(out)
    if not students:
        raise UsageError(f"{out} holds no <student>/results.json files to rejudge")

    added = sorted(c.id for c in selected if c.id not in reference.digests)
    if added:
        raise RejudgeRefused(f"{', '.join(added)} {'was' if len(added) == 1 else 'were'} not in the catalogue when "
                             "this class was graded, so nothing was observed for them; regrade the class with "
                             "`grader grade ... --force` (nothing was changed)")
    changed = _changed(selected, now, reference)
    unkept = []
    for folder, _, stored, why in students:
        if stored is None:
            unkept.append(f"{folder} ({why})")
        else:  # each student's observations are of their own hidden inputs
            changed |= _changed(selected, probe_digests(personalize(selected, stored.student_id,
                                                                    stored.submission_digest)), stored)
    if changed:
        raise RejudgeRefused(
            f"the probes of {', '.join(sorted(changed))} changed since grading, so the stored observations "
            "cannot judge them; regrade the class with `grader grade ... --force` (nothing was changed)")
    if unkept:
        raise RejudgeRefused("no usable stored observations for " + "; ".join(unkept[:10])
                             + ("; …" if len(unkept) > 10 else "") + ": regrade them (nothing was changed)")

    report = RejudgeReport(students=len(students), checks=[c.id for c in selected])
    new: dict[str, StudentResult] = {}
    for folder, old, stored, _ in students:
        assert stored is not None
        new[folder] = rejudge_one(old, stored, selected, reference, bool(only))
        if new[folder].score != old.score:
            report.changed.append((old.student_id, old.score, new[folder].score))
    meta, load_errors = _class_meta(out, every)
    if only:
        # Unselected checks keep verdicts made with the old check set: so does the class's record of it,
        # or a later `grader grade` would take them for current.
        meta = {**meta, **{k: v for k, v in _old_summary(out).items() if k in meta}}
        new = {k: replace(r, checks_digest=old.checks_digest) for (k, r), (_, old, _, _) in zip(new.items(), students)}
    else:
        new = {k: replace(r, checks_digest=meta["checks_digest"]) for k, r in new.items()}
    write_class(out, new, meta, load_errors)
    report.elapsed = time.monotonic() - started
    return report
