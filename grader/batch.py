"""Grading a class: discover, run every student in workers, judge, write results.

Layout of OUT:

    OUT/<safe_id>/results.json   Gradescope schema (grader.reports.results_io); written last, so a
                                 valid one means that student is finished
    OUT/<safe_id>/report.html    the student's feedback page (grader.reports.render)
    OUT/grades.csv               id, total, max, one column per exercise
    OUT/summary.json             safe ids -> student ids, scores, problems, exercise stats
    OUT/index.html               the instructor dashboard (grader.reports.render)

Every file is written to a temp file and renamed, so killing the grader at
any moment leaves either the old file or the new one. A rerun skips students
whose results.json is valid (unless `force`) and rebuilds the class files
from every results.json present.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TextIO

from threadpoolctl import threadpool_limits

from grader.reports import render
from grader.judging.judge import judge_all
from grader.judging.checks import EXERCISES, Check, load_checks
from grader.discovery.discover import Submission, discover, read_submission
from grader.errors import UsageError
from grader.model import Observation, RunOutcome, StudentResult
from grader.paths import Paths
from grader.pipeline import exercise_sources, probes_for, read_python_files, reference_observations
from grader.reports.observations import store_reference, store_student
from grader.reports.results_io import ResultsFileError, atomic_write_text, load_result, write_result
from grader.runner.runner import Limits, Runner
from grader.judging.score import score_student

RESULTS = render.RESULTS_NAME
REPORT = render.REPORT_NAME
DASHBOARD_HREF = f"../{render.DASHBOARD_NAME}"  # from OUT/<id>/report.html


# -- progress --------------------------------------------------------------------

class Progress:
    """A bar with ETA on a terminal, plain lines otherwise (or under CI), nothing when quiet."""

    def __init__(self, total: int, mode: str = "auto", stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        if mode == "auto":
            ci = os.environ.get("CI", "").lower() in ("1", "true", "yes")
            mode = "bar" if self.stream.isatty() and not ci else "lines"
        self.mode = mode
        self.total = total
        self.done = 0
        self.started = time.monotonic()

    def _eta(self) -> str:
        if not self.done:
            return "--:--"
        left = (time.monotonic() - self.started) / self.done * (self.total - self.done)
        return f"{int(left // 60):02d}:{int(left % 60):02d}"

    def step(self, label: str) -> None:
        self.done += 1
        if self.mode == "quiet":
            return
        if self.mode == "bar":
            width = 30
            filled = int(width * self.done / max(self.total, 1))
            line = (f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}"
                    f"  ETA {self._eta()}  {label[:40]:<40}")
            self.stream.write(line)
            if self.done == self.total:
                self.stream.write("\n")
        else:
            self.stream.write(f"[{self.done}/{self.total}] {label}\n")
        self.stream.flush()


# -- options and summary ------------------------------------------------------------

@dataclass(frozen=True)
class BatchOptions:
    out: Path
    jobs: int = 1
    limits: Limits = field(default_factory=Limits)
    force: bool = False
    progress: str = "auto"   # auto | bar | lines | quiet


@dataclass
class BatchReport:
    graded: list[str] = field(default_factory=list)      # safe ids graded in this run
    skipped: list[str] = field(default_factory=list)     # already had a valid results.json
    results: dict[str, StudentResult] = field(default_factory=dict)
    elapsed: float = 0.0
    reference_time: float = 0.0
    run_time: float = 0.0          # sum of workers' wall time for graded students
    probe_time: float = 0.0        # sum of probes' own durations inside the workers
    post_time: float = 0.0         # judging, scoring and writing files, in this process


# -- helpers -----------------------------------------------------------------------

def _submission_problems(sub: Submission, outcome: RunOutcome) -> tuple[str, ...]:
    problems = list(sub.problems)
    for load in outcome.loads:
        if load.error is not None:
            problems.append(f"{load.name} could not be loaded: {load.error.type}: {load.error.message}")
    problems.extend(outcome.problems)
    problems.extend(f"Note: {n}" for n in sub.notes)
    return tuple(problems)


def grade_outcome(sub: Submission, outcome: RunOutcome, checks: Sequence[Check],
                  reference: dict[str, Observation]) -> StudentResult:
    """Judge and score one student's run (trusted side)."""
    verdicts = judge_all(list(checks), outcome.observations, reference, outcome.loads)
    result = score_student(sub.student_id, verdicts, outcome, exercise_sources(sub.files, checks))
    return replace(result, problems=_submission_problems(sub, outcome), submission_digest=sub.digest)


# A key no student's safe folder name can take.
REFERENCE_KEY = "/reference"


def _clean_temp_files(folder: Path) -> None:
    """Remove temp files a killed run left behind (never the real files)."""
    for tmp in folder.glob(".*.tmp"):
        try:
            tmp.unlink()
        except OSError:
            pass


def finished(out: Path, sub: Submission, check_ids: set[str] | None = None) -> StudentResult | None:
    """The student's valid results.json from an earlier run, if any.

    A result graded with a different set of checks (the catalogue changed
    since), or from other files (the student resubmitted), does not count:
    the student is graded again.
    """
    path = out / sub.safe_id / RESULTS
    if not path.is_file():
        return None
    try:
        result = load_result(path)
    except ResultsFileError:
        return None
    if result.student_id != sub.student_id or result.submission_digest != sub.digest:
        return None
    if check_ids is not None and {c.check_id for c in result.checks} != check_ids:
        return None
    return result


def write_student(out: Path, safe: str, result: StudentResult) -> None:
    """report.html first, then results.json: a valid results.json marks a finished student."""
    folder = out / safe
    folder.mkdir(parents=True, exist_ok=True)
    render.write_student_report(result, folder / REPORT, view="student", dashboard_href=DASHBOARD_HREF)
    write_result(result, folder / RESULTS)


# -- class files ---------------------------------------------------------------------

def _csv_cell(text: str) -> str:
    """Keep spreadsheet apps from running a student-chosen id as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def collect_results(out: Path) -> dict[str, StudentResult]:
    """Every valid OUT/<safe_id>/results.json, by safe id."""
    found: dict[str, StudentResult] = {}
    for path in sorted(out.glob(f"*/{RESULTS}")):
        try:
            found[path.parent.name] = load_result(path)
        except ResultsFileError:
            continue
    return found


def write_class_files(out: Path, results: dict[str, StudentResult]) -> None:
    names = [e.name for e in EXERCISES if any(x.name == e.name for r in results.values() for x in r.exercises)]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["id", "total", "max", *names])
    for safe, r in sorted(results.items(), key=lambda kv: (kv[1].student_id, kv[0])):
        scores = {e.name: e.score for e in r.exercises}
        w.writerow([_csv_cell(r.student_id), f"{r.score:g}", f"{r.max_score:g}",
                    *(f"{scores[n]:g}" if n in scores else "" for n in names)])
    atomic_write_text(out / "grades.csv", buf.getvalue())

    exercises: dict[str, dict[str, Any]] = {}
    for n in names:
        got = [(e.score, e.max_score) for r in results.values() for e in r.exercises if e.name == n]
        points = [s for s, _ in got]
        exercises[n] = {
            "max_score": max(m for _, m in got), "students": len(got),
            "mean": round(sum(points) / len(points), 4), "min": min(points), "max": max(points),
            "full_marks": sum(1 for s, m in got if s >= m),
        }
    summary = {
        "students": {
            safe: {"student_id": r.student_id, "folder": safe, "score": r.score, "max_score": r.max_score,
                   "exercises": {e.name: e.score for e in r.exercises},
                   "problems": [p for p in r.problems if not p.startswith("Note: ")],
                   "notes": [p.removeprefix("Note: ") for p in r.problems if p.startswith("Note: ")]}
            for safe, r in sorted(results.items())
        },
        "exercises": exercises,
        "count": len(results),
    }
    atomic_write_text(out / "summary.json", json.dumps(summary, indent=1, ensure_ascii=False) + "\n")


# -- the batch -------------------------------------------------------------------------

def _grade_todo(todo: Sequence[Submission], paths: Paths, opts: BatchOptions, checks: Sequence[Check],
                hidden: Sequence[Path], out: Path, report: BatchReport, progress: Progress) -> None:
    """Run, judge and write the students that still need grading."""
    # Judging does small numpy products; OpenBLAS helper threads would only spin
    # on the cores the workers are using, so this process keeps to one thread.
    with threadpool_limits(limits=1, user_api="blas"):
        probes = probes_for(checks)
        by_safe = {s.safe_id: s for s in todo}
        reference: dict[str, Observation] = {}
        with Runner(opts.limits, opts.jobs, hidden_paths=(out, *hidden)) as runner:
            t0 = time.monotonic()
            # The reference runs as the first job, alongside the first students;
            # their outcomes wait for it before they are judged.
            items = itertools.chain([(REFERENCE_KEY, read_python_files(paths.solutions), probes)],
                                    ((s.safe_id, s.files, probes) for s in todo))
            waiting: list[tuple[str, RunOutcome]] = []
            failed: list[BaseException] = []

            def finish(safe: str, outcome: RunOutcome) -> None:
                """Judge and write one student (in the writer thread)."""
                if failed:
                    return  # an earlier student failed: stop as if the run was killed there
                try:
                    t1 = time.monotonic()
                    sub = by_safe[safe]
                    result = grade_outcome(sub, outcome, checks, reference)
                    store_student(out / safe, sub.student_id, sub.digest, outcome, checks)  # for `grader rejudge`
                    write_student(out, safe, result)
                    report.post_time += time.monotonic() - t1
                    report.graded.append(safe)
                    report.results[safe] = result
                    report.run_time += outcome.duration
                    report.probe_time += sum(o.duration for o in outcome.observations.values())
                    progress.step(f"{sub.student_id}: {result.score:g}/{result.max_score:g}")
                except BaseException as exc:
                    failed.append(exc)
                    raise

            # Judging and writing happen in one writer thread, so run_many refills a
            # worker slot as soon as a student finishes instead of after its files are written.
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="grader-writer") as writer:
                for key, outcome in runner.run_many(items):
                    if key == REFERENCE_KEY:
                        reference.update(reference_observations(outcome, probes))
                        report.reference_time = time.monotonic() - t0
                        store_reference(out, reference, checks)
                        for safe, earlier in waiting:
                            writer.submit(finish, safe, earlier)
                        waiting.clear()
                    elif not reference:
                        waiting.append((key, outcome))
                    else:
                        writer.submit(finish, key, outcome)
                    if failed:
                        break
            if failed:
                raise failed[0]


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
    progress = Progress(len(subs), opts.progress)

    todo: list[Submission] = []
    for sub in subs:
        _clean_temp_files(out / sub.safe_id)
        previous = None if opts.force else finished(out, sub, {c.id for c in checks})
        if previous is None:
            todo.append(sub)
            continue
        report.skipped.append(sub.safe_id)
        report.results[sub.safe_id] = previous
        if not (out / sub.safe_id / REPORT).is_file():
            render.write_student_report(previous, out / sub.safe_id / REPORT, view="student",
                                        dashboard_href=DASHBOARD_HREF)
        progress.step(f"{sub.student_id}: already graded ({previous.score:g}/{previous.max_score:g})")

    if todo:
        _grade_todo(todo, paths, opts, checks, hidden, out, report, progress)

    results = collect_results(out)
    write_class_files(out, results)
    render.write_dashboard(out, results=sorted(results.items()))
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
    """Grade every entry of `submissions` into `opts.out`."""
    check_out_folder(opts.out, paths, submissions)
    subs = discover(submissions)
    return grade_submissions(subs, paths, opts, checks, hidden=[submissions.resolve()])


def grade_student(student_id: str, path: Path, paths: Paths, opts: BatchOptions,
                  checks: Sequence[Check] | None = None) -> BatchReport:
    """Grade one entry (folder, zip, notebook or .py) as `student_id` into `opts.out`."""
    check_out_folder(opts.out, paths, path)
    sub = read_submission(path, student_id)
    return grade_submissions([sub], paths, opts, checks, hidden=[path.resolve()])
