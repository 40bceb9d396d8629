"""Grading a class: discover, run every student in workers, judge, write results.

Layout of OUT:

    OUT/<safe_id>/results.json   Gradescope schema, the student's copy (grader.storage.results)
    OUT/<safe_id>/report.html    the student's feedback page (grader.reports.render)
    OUT/_instructor/<safe_id>/   the full results.json (written last, so a valid one means that
                                 student is finished) and observations.json (grader.storage.layout)
    OUT/grades.csv               id, total, max, one column per exercise (grader.storage.classfiles)
    OUT/summary.json             students, scores, problems, grader errors, checks digest, shard
    OUT/index.html               the instructor dashboard (grader.reports.render)

Every file is written to a temp file and renamed, so killing the grader at
any moment leaves either the old file or the new one. A rerun skips students
whose results.json is valid, from the same files and checks, and free of grader
errors (unless `force`), and rebuilds the class files from every results.json present.

One student never stops the class: anything that fails on one student's data
(discovery, collecting, judging, scoring, writing) becomes that student's grader
error (see grader.pipeline) and the batch goes on. Only what would be wrong for
everyone (the reference, the sandbox) or an interrupt stops it.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from threadpoolctl import threadpool_limits

from grader import __version__
from grader.discovery.discover import Submission, discover, read_submission
from grader.errors import UsageError, grader_error_text
from grader.grading import Graded, grade_many
from grader.progress import Progress
from grader.judging.checks import Check, load_checks
from grader.model import Observation, StudentResult
from grader.paths import Paths
from grader.judging.checks.base import check_set_digest
from grader.pipeline import error_result
from grader.reference import ReferenceProvider
from grader.outputs import DASHBOARD_HREF, finished, write_class_outputs, write_full_result, write_student  # noqa: F401
from grader.reports import render
from grader.storage.layout import instructor_dir
from grader.storage.observations import store_reference, store_student
from grader.storage.results import load_outputs
from grader.runner.isolation import UNTRUSTED, Level, Need
from grader.runner.runner import Limits
from grader.runner.choice import make_runner

RESULTS = render.RESULTS_NAME
REPORT = render.REPORT_NAME


# -- options and report -------------------------------------------------------------

@dataclass(frozen=True)
class BatchOptions:
    out: Path
    jobs: int = 1
    limits: Limits = field(default_factory=Limits)
    force: bool = False
    progress: str = "auto"   # auto | bar | lines | quiet
    shard: tuple[int, int] | None = None   # (K, N), 1-based: grade only the K-th of N parts
    # Reuse the reference observations cached in the course folder (.grader-cache/) when they match
    # these probes and solutions: one submission then costs no reference run.
    reuse_reference: bool = False
    layout: str = "auto"   # how the class is laid out (grader.discovery.layouts)
    # What the run requires of the isolation level: untrusted unless the caller knows better
    # (`grade --example` grades our own built-in class).
    need: Need = UNTRUSTED


@dataclass
class BatchReport:
    graded: list[str] = field(default_factory=list)      # safe ids graded in this run
    skipped: list[str] = field(default_factory=list)     # already had a valid results.json
    results: dict[str, StudentResult] = field(default_factory=dict)
    grader_errors: dict[str, list[str]] = field(default_factory=dict)  # safe id -> reasons (instructor)
    class_errors: list[str] = field(default_factory=list)  # the dashboard could not be written, ...
    summary: dict[str, Any] = field(default_factory=dict)  # what summary.json says
    elapsed: float = 0.0
    reference_time: float = 0.0
    run_time: float = 0.0          # sum of workers' wall time for graded students
    probe_time: float = 0.0        # sum of probes' own durations inside the workers
    post_time: float = 0.0         # judging, scoring and writing files, in this process
    isolation: Level | None = None  # the level student code ran at in this run (None: none ran)


def shard_of(safe: str, count: int) -> int:
    """Which of `count` shards (1-based) a student is in: a hash of the safe id, the same on every machine."""
    digest = hashlib.sha256(safe.encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


# -- one student -------------------------------------------------------------------

def _clean_temp_files(folder: Path) -> None:
    """Remove temp files a killed run left behind (never the real files)."""
    for tmp in folder.glob(".*.tmp"):
        try:
            tmp.unlink()
        except OSError:
            pass


def _save(out: Path, sub: Submission, result: StudentResult, checks: Sequence[Check]) -> StudentResult:
    """Write one student; a failure to write becomes their grader error. Returns what was recorded."""
    try:
        write_student(out, sub.safe_id, result)
        return result
    except Exception as exc:  # noqa: BLE001 - e.g. the renderer tripping on odd text: this student only
        why = grader_error_text("writing the results and report", exc)
    fallback = error_result(sub.student_id, checks, [*result.grader_errors, why],
                            problems=result.problems, digest=sub.digest)
    try:
        write_full_result(out, sub.safe_id, fallback)
    except Exception as exc:  # noqa: BLE001 - kept in memory and in summary.json; a rerun retries
        fallback = replace(fallback, grader_errors=(*fallback.grader_errors,
                                                    grader_error_text("writing the fallback results", exc)))
    return fallback


# -- the batch -------------------------------------------------------------------------

@dataclass
class _Batch:
    """One run's shared state: what is still to grade and where results go."""

    out: Path
    checks: Sequence[Check]
    checks_digest: str
    report: BatchReport
    progress: Progress
    written: dict[str, StudentResult] = field(default_factory=dict)

    def reference_ready(self, observations: dict[str, Observation] | None, seconds: float) -> None:
        """Keep the reference for `grader rejudge` before any student is written."""
        self.report.reference_time = seconds
        store_reference(self.out, observations or {}, self.checks)

    def graded(self, item: Graded) -> None:
        """Write one student the grading service finished (in its writer thread)."""
        started = time.monotonic()
        sub, result, outcome = item.submission, item.result, item.outcome
        if outcome is not None:
            try:  # for `grader rejudge`; a student without it is regraded, never lost
                store_student(instructor_dir(self.out, sub.safe_id), sub.student_id, sub.digest, outcome,
                              item.checks or self.checks)  # as it ran: with its own hidden inputs
            except Exception as exc:  # noqa: BLE001
                result = replace(result, problems=(*result.problems,
                                                   f"Note: observations not kept ({type(exc).__name__})"))
        self.record(sub, result)
        if outcome is not None:
            self.report.post_time += item.judge_seconds + time.monotonic() - started
            self.report.run_time += outcome.duration
            self.report.probe_time += sum(o.duration for o in outcome.observations.values())

    def record(self, sub: Submission, result: StudentResult) -> None:
        level = self.report.isolation
        result = replace(result, checks_digest=self.checks_digest, isolation=level.label() if level else "",
                         display_name=sub.display_name)
        recorded = _save(self.out, sub, result, self.checks)
        self.written[sub.safe_id] = recorded
        self.report.graded.append(sub.safe_id)
        self.report.results[sub.safe_id] = recorded
        errors = [*recorded.grader_errors]
        if errors:
            self.report.grader_errors[sub.safe_id] = errors
        tail = "  (grader error: see summary.json)" if errors else ""
        self.progress.step(f"{sub.student_id}: {recorded.score:g}/{recorded.max_score:g}{tail}")


def _grade_todo(todo: Sequence[Submission], paths: Paths, opts: BatchOptions, hidden: Sequence[Path],
                batch: _Batch) -> None:
    """Run, judge and write the students that still need grading (grader.grading does the grading)."""
    # The reference observations from an earlier run of these very probes and solutions spare the
    # reference run: one submission then costs one TensorFlow import and its own probes.
    provider = ReferenceProvider(solutions=paths.solutions, memory_mb=opts.limits.memory_mb,
                                 cache_root=paths.root if opts.reuse_reference else None)
    # Judging does small numpy products; OpenBLAS helper threads would only spin
    # on the cores the workers are using, so this process keeps to one thread.
    with threadpool_limits(limits=1, user_api="blas"):
        selected = make_runner(opts.limits, opts.jobs, hidden_paths=(batch.out, *hidden), need=opts.need)
        with selected as runner:
            batch.report.isolation = selected.level
            grade_many(runner, todo, batch.checks, provider, batch)


def class_meta(checks: Sequence[Check], digest: str, shard: tuple[int, int] | None,
               isolation: Level | None = None) -> dict[str, Any]:
    return {"grader_version": __version__, "checks": sorted(c.id for c in checks), "checks_digest": digest,
            "shard": {"index": shard[0], "count": shard[1]} if shard else None,
            "isolation": isolation.record() if isolation else None}


def grade_submissions(subs: Sequence[Submission], paths: Paths, opts: BatchOptions,
                      checks: Sequence[Check] | None = None,
                      hidden: Sequence[Path] = ()) -> BatchReport:
    """Grade `subs` into `opts.out`; `hidden` are extra folders workers must not see.

    The reference runs once, and only when some student still needs grading.
    """
    started = time.monotonic()
    out = opts.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    checks = list(checks) if checks is not None else load_checks()
    report = BatchReport()
    digest = check_set_digest(checks)
    batch = _Batch(out, checks, digest, report, Progress(len(subs), opts.progress))

    todo: list[Submission] = []
    for sub in subs:
        _clean_temp_files(out / sub.safe_id)
        _clean_temp_files(instructor_dir(out, sub.safe_id))
        if sub.grader_errors:  # discovery failed on this entry: nothing to run
            batch.record(sub, error_result(sub.student_id, checks, sub.grader_errors, problems=sub.problems,
                                           digest=sub.digest))
            continue
        previous = None if opts.force else finished(out, sub, {c.id for c in checks}, digest)
        if previous is None:
            todo.append(sub)
            continue
        report.skipped.append(sub.safe_id)
        report.results[sub.safe_id] = previous
        if not (out / sub.safe_id / REPORT).is_file():
            try:
                render.write_student_report(previous, out / sub.safe_id / REPORT, view="student",
                                            dashboard_href=DASHBOARD_HREF)
            except Exception as exc:  # noqa: BLE001 - the results stand; `grader report` can retry the page
                report.class_errors.append(grader_error_text(f"rewriting {sub.safe_id}/{REPORT}", exc))
        batch.progress.step(f"{sub.student_id}: already graded ({previous.score:g}/{previous.max_score:g})")

    if todo:
        _grade_todo(todo, paths, opts, hidden, batch)

    loaded = load_outputs(out)
    results = {**loaded.results, **batch.written}  # a student whose files could not be written still counts
    written = write_class_outputs(out, results, class_meta(checks, digest, opts.shard, report.isolation),
                                  loaded.errors, strict=False)
    report.summary = written.summary
    if written.page_error:  # grades and results are written; the page can be rebuilt
        report.class_errors.append(written.page_error)
    report.elapsed = time.monotonic() - started
    return report


def _within(inner: Path, outer: Path) -> bool:
    return inner == outer or outer in inner.parents


def check_out_folder(out: Path, paths: Paths, submissions: Path) -> None:
    """OUT is hidden from workers and scanned for results: it must not overlap the inputs."""
    out, subs = out.resolve(), submissions.resolve()
    if _within(out, subs) or _within(subs, out):
        raise UsageError(f"the output folder {out} and the submissions {subs} must not contain each other")
    for needed in (paths.solutions.resolve(), paths.package.resolve()):
        if _within(needed, out):
            raise UsageError(f"the output folder {out} must not contain {needed}")


def grade_class(submissions: Path, paths: Paths, opts: BatchOptions,
                checks: Sequence[Check] | None = None) -> BatchReport:
    """Grade every entry of `submissions` (or only shard K of N) into `opts.out`."""
    check_out_folder(opts.out, paths, submissions)
    shard = opts.shard
    subs = discover(submissions, None if shard is None else (lambda safe: shard_of(safe, shard[1]) == shard[0]),
                    layout=opts.layout)
    return grade_submissions(subs, paths, opts, checks, hidden=[submissions.resolve()])


def grade_student(student_id: str, path: Path, paths: Paths, opts: BatchOptions,
                  checks: Sequence[Check] | None = None) -> BatchReport:
    """Grade one entry (folder, zip, notebook or .py) as `student_id` into `opts.out`."""
    check_out_folder(opts.out, paths, path)
    sub = read_submission(path, student_id)
    return grade_submissions([sub], paths, opts, checks, hidden=[path.resolve()])
