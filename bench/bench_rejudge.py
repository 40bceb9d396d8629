"""Benchmark: re-judging a graded class from stored observations against regrading it.

    python bench/bench_rejudge.py [--students 50] [--jobs N] [--exercises a,b,...]

Generates a class (each exercise file the solution, a known mistake or the stub,
drawn with a fixed seed, as bench_grade.py does), grades it with the batch engine,
then changes one judge (a copy that also accepts the "biases forgotten" count, same
probes) and brings the class up to date twice:

- rejudge: `grader.rejudge.rejudge` from OUT/*/observations.json (no student code runs);
- regrade: `grade_submissions(..., force=True)` into a fresh folder (every student runs again).

Both write every file (results.json, report.html, grades.csv, summary.json, dashboards).
Prints the two wall times side by side, and checks the two classes got the same scores.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.authoring.examples import MUTATIONS, _solutions, _stubs, mutate  # noqa: E402
from grader.batch import BatchOptions, grade_submissions  # noqa: E402
from grader.discovery.discover import discover  # noqa: E402
from grader.judging.checks import Check, load_checks  # noqa: E402
from grader.judging.checks.base import Evidence, Fail  # noqa: E402
from grader.paths import Paths  # noqa: E402
from grader.rejudge import rejudge  # noqa: E402
from grader.storage.results import load_result  # noqa: E402


def make_class(paths: Paths, dest: Path, n: int, exercises: tuple[str, ...] | None, seed: int = 11) -> None:
    solutions = _solutions(paths)
    stubs = _stubs(paths, solutions)
    mistakes = {m.file: mutate(solutions[m.file], m) for m in MUTATIONS}
    rng = random.Random(seed)
    for i in range(n):
        folder = dest / f"student{i:03d}"
        folder.mkdir(parents=True)
        for name in solutions:
            if exercises is not None and Path(name).stem not in exercises:
                continue
            roll = rng.random()
            code = (solutions[name] if roll < 0.5 or (roll < 0.8 and name not in mistakes)
                    else mistakes[name] if roll < 0.8 else stubs[name])
            (folder / name).write_text(code, encoding="utf-8")


def lenient(c: Check) -> Check:
    def judge(ev: Evidence) -> str | None:
        try:
            return c.judge(ev)
        except Fail as fail:
            if fail.mistake == "biases_forgotten":
                return "Accepted."
            raise
    return replace(c, judge=judge)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--students", type=int, default=50)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--exercises", default="parameter_count,relu_model,regularization,quiz",
                    help="comma-separated exercises to grade ('all' for every one; MNIST training is slow)")
    args = ap.parse_args()
    exercises = None if args.exercises == "all" else tuple(args.exercises.split(","))
    paths = Paths.discover()
    checks = load_checks(exercises)
    changed = [lenient(c) for c in checks]
    with tempfile.TemporaryDirectory(prefix="bench-rejudge-") as tmp:
        work = Path(tmp)
        make_class(paths, work / "subs", args.students, exercises)
        subs = discover(work / "subs")

        def grade(out: Path, with_checks: list[Check]) -> float:
            t = time.monotonic()
            grade_submissions(subs, paths, BatchOptions(out=out, jobs=args.jobs, force=True, progress="quiet"),
                              with_checks, hidden=[work / "subs"])
            return time.monotonic() - t

        first = grade(work / "out", checks)
        t = time.monotonic()
        report = rejudge(work / "out", changed)
        rejudge_s = time.monotonic() - t
        regrade_s = grade(work / "regraded", changed)
        def scores(out: Path) -> dict[str, list[tuple[str, float]]]:
            return {p.parent.name: [(c.check_id, c.score) for c in load_result(p).checks]
                    for p in out.glob("*/results.json")}

        same = scores(work / "out") == scores(work / "regraded")
    n = args.students
    print(f"{n} students, {len(checks)} checks ({args.exercises}), jobs={args.jobs}; first grading {first:.1f} s")
    print(f"{'':10}{'wall s':>10}{'s/student':>12}{'students/min':>15}")
    for name, secs in (("rejudge", rejudge_s), ("regrade", regrade_s)):
        print(f"{name:10}{secs:>10.2f}{secs / n:>12.3f}{n / secs * 60:>15.1f}")
    print(f"rejudge is {regrade_s / rejudge_s:.0f}x faster; {len(report.changed)} scores changed; "
          f"every check's score the same as the regrade's: {same}")


if __name__ == "__main__":
    main()
