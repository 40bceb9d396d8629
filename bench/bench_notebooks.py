"""Benchmark: a class handing in notebooks that train in a last cell, against the same
class handing in .py files without that cell.

    python bench/bench_notebooks.py [--students 4] [--seconds 60] [--jobs 1] [--repeat 1] [--run-all]
    python bench/bench_notebooks.py --marginal 10,40 [--exercises relu_model] [--jobs 2] [--profile FILE]

Every student hands in the right answers for the quick exercises (parameter_count,
relu_model, named_variables, regularization, dropout, quiz). As notebooks: each
exercise's solution is one code cell after an imports cell, and relu_model.ipynb ends
with a cell that trains a small model built with the student's relu_model for
--seconds (the kind of exploring the lesson invites). As .py files: the solutions
alone. Both classes are graded by `grader.batch.grade_submissions` with the same
checks; the reference run is the same in both and is reported apart.

Prints each class's wall time, its time without the reference run, and the ratio
(notebooks / .py files; the target is within 10%). --run-all also grades the
notebooks with every cell planned (as before cells were planned), for contrast.

--marginal A,B: the marginal cost of one more student (issue 18's figure). Two
classes of notebooks (A and B students, by default the ReLU quiz alone, each
notebook with the training cell) are graded one run each, discovery included
(it parses the notebooks and plans their cells); prints each wall time and
(wall B - wall A) / (B - A), also without the reference run. --profile FILE
keeps a cProfile of the trusted process for the larger class; the per-student
worker timings (from the runner's outcomes) are printed as well.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import grader.discovery.notebook as notebook  # noqa: E402
from grader.batch import BatchOptions, grade_submissions  # noqa: E402
from grader.discovery.discover import discover  # noqa: E402
from grader.judging.checks import load_checks  # noqa: E402
from grader.paths import Paths  # noqa: E402
from grader.runner import Limits  # noqa: E402

EXERCISES = ("parameter_count", "relu_model", "named_variables", "regularization", "dropout", "quiz")

TRAIN_CELL = '''# Exploring: train a small network built with relu_model for a while.
import time

import numpy as np

features = tf.constant(np.random.rand(64, 4).astype("float32"))
weights = [tf.Variable(tf.random_normal([4, 16])), tf.Variable(tf.random_normal([16, 3]))]
biases = [tf.Variable(tf.zeros([16])), tf.Variable(tf.zeros([3]))]
logits = relu_model(features, weights, biases)
loss = tf.reduce_mean(tf.square(logits))
train = tf.train.GradientDescentOptimizer(0.01).minimize(loss)
epochs = 0
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    start = time.time()
    while time.time() - start < {seconds}:
        sess.run(train)
        epochs += 1
print("epochs:", epochs)
'''


def _solution(paths: Paths, name: str) -> str:
    """The solution as a student would hand it in: the BEGIN/END SOLUTION markers dropped."""
    text = (paths.solutions / f"{name}.py").read_text(encoding="utf-8")
    return "\n".join(ln for ln in text.split("\n") if "SOLUTION" not in ln.strip()[:20]) + "\n"


def _split_imports(code: str) -> tuple[str, str]:
    lines = code.split("\n")
    imports = [ln for ln in lines if ln.startswith(("import ", "from "))]
    rest = [ln for ln in lines if not ln.startswith(("import ", "from "))]
    return "\n".join(imports) + "\n", "\n".join(rest)


def _notebook(cells: list[str]) -> str:
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": c}
        for c in cells]}, indent=1)


def make_classes(paths: Paths, dest: Path, students: int, seconds: float) -> tuple[Path, Path]:
    as_py, as_nb = dest / "py", dest / "notebooks"
    for i in range(students):
        py, nb = as_py / f"student{i:03d}", as_nb / f"student{i:03d}"
        py.mkdir(parents=True)
        nb.mkdir(parents=True)
        for name in EXERCISES:
            code = _solution(paths, name)
            (py / f"{name}.py").write_text(code, encoding="utf-8")
            imports, body = _split_imports(code)
            cells = [imports, body] + ([TRAIN_CELL.format(seconds=seconds)] if name == "relu_model" else [])
            (nb / f"{name}.ipynb").write_text(_notebook(cells), encoding="utf-8")
    return as_py, as_nb


def make_notebooks(paths: Paths, dest: Path, students: int, seconds: float, exercises: tuple[str, ...]) -> Path:
    """A class of `students` identical notebook submissions of `exercises` (the training cell in relu_model)."""
    for i in range(students):
        nb = dest / f"student{i:03d}"
        nb.mkdir(parents=True)
        for name in exercises:
            imports, body = _split_imports(_solution(paths, name))
            cells = [imports, body] + ([TRAIN_CELL.format(seconds=seconds)] if name == "relu_model" else [])
            (nb / f"{name}.ipynb").write_text(_notebook(cells), encoding="utf-8")
    return dest


def grade(paths: Paths, folder: Path, out: Path, jobs: int, exercises: tuple[str, ...] = EXERCISES,
          with_discovery: bool = False) -> dict[str, Any]:
    started = time.monotonic()
    subs = discover(folder)
    if not with_discovery:
        started = time.monotonic()
    limits = Limits(load_timeout=600, student_timeout=3600)  # the "before" run must not be cut short
    report = grade_submissions(subs, paths, BatchOptions(out=out, jobs=jobs, progress="quiet", limits=limits),
                               load_checks(exercises), hidden=[folder])
    wall = time.monotonic() - started
    scores = sorted({f"{r.score:g}/{r.max_score:g}" for r in report.results.values()})
    return {"wall": wall, "without_reference": wall - report.reference_time, "reference": report.reference_time,
            "students": len(report.graded), "scores": scores,
            "notes": sorted({n for s in subs for n in s.notes if "not run" in n}),
            "run_time": report.run_time, "post_time": report.post_time}


class _SandboxClock:
    """Seconds the batch spends starting and stopping the sandbox (the zygote's TensorFlow import
    and its exit): a fixed cost per run, and under load the noisiest part of one."""

    def __init__(self) -> None:
        try:
            import grader.runner.choice as choice
        except ImportError:  # a checkout from before runner/select.py was renamed (a baseline)
            import grader.runner.select as choice  # type: ignore[no-redef]

        self.seconds = 0.0
        cls, clock = choice._Selected, self
        enter, leave = cls.__enter__, cls.__exit__

        def timed_enter(this: Any) -> Any:
            t = time.monotonic()
            try:
                return enter(this)
            finally:
                clock.seconds += time.monotonic() - t

        def timed_exit(this: Any, *exc: object) -> None:
            t = time.monotonic()
            try:
                leave(this, *exc)
            finally:
                clock.seconds += time.monotonic() - t

        cls.__enter__, cls.__exit__ = timed_enter, timed_exit  # type: ignore[method-assign]


def marginal(paths: Paths, sizes: tuple[int, int], seconds: float, jobs: int, exercises: tuple[str, ...],
             profile: str | None) -> None:
    """Issue 18's figure: (wall of the larger class - wall of the smaller) / the difference in students."""
    import cProfile
    import os

    small, large = sizes
    clock = _SandboxClock()
    with tempfile.TemporaryDirectory(prefix="bench-marginal-") as tmp:
        base = Path(tmp)
        rows = {}
        for n in (small, large):
            folder = make_notebooks(paths, base / f"class{n}", n, seconds, exercises)
            prof = cProfile.Profile() if profile and n == large else None
            if prof is not None:
                prof.enable()
            clock.seconds = 0.0
            rows[n] = grade(paths, folder, base / f"out{n}", jobs, exercises, with_discovery=True)
            rows[n]["steady"] = rows[n]["without_reference"] - clock.seconds
            if prof is not None:
                prof.disable()
                prof.dump_stats(str(profile))
    load = os.getloadavg()
    print(f"marginal cost, notebooks of {', '.join(exercises)}, classes of {small} and {large}, {jobs} job(s), "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    for n, r in rows.items():
        print(f"  {n:4d} students: wall {r['wall']:6.2f} s, without the reference run {r['without_reference']:6.2f} s, "
              f"also without the sandbox's start and stop {r['steady']:6.2f} s, "
              f"workers {r['run_time'] / n:.3f} s/student, judging+writing {r['post_time'] / n:.3f} s/student, "
              f"scores {r['scores']}")
    d = large - small
    print(f"  marginal: {(rows[large]['wall'] - rows[small]['wall']) / d:.3f} s/student "
          f"(without the reference run {(rows[large]['without_reference'] - rows[small]['without_reference']) / d:.3f}; "
          f"also without the sandbox's start and stop {(rows[large]['steady'] - rows[small]['steady']) / d:.3f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the last cell trains")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--run-all", action="store_true", help="also grade the notebooks running every cell")
    parser.add_argument("--repeat", type=int, default=1, help="grade each class this many times, keep the fastest")
    parser.add_argument("--marginal", help="A,B: marginal cost of a student between classes of A and B notebooks")
    parser.add_argument("--exercises", default="relu_model", help="with --marginal: comma-separated exercises")
    parser.add_argument("--profile", help="with --marginal: write a cProfile of the larger class here")
    args = parser.parse_args()
    paths = Paths(ROOT)
    if args.marginal:
        a, b = (int(x) for x in args.marginal.split(","))
        marginal(paths, (a, b), args.seconds, args.jobs, tuple(args.exercises.split(",")), args.profile)
        return
    with tempfile.TemporaryDirectory(prefix="bench-notebooks-") as tmp:
        base = Path(tmp)
        as_py, as_nb = make_classes(paths, base, args.students, args.seconds)
        # Alternate the two classes; each figure is the fastest of --repeat runs, so that other
        # load on the machine (which only ever slows a run) weighs as little as it can.
        pys, nbs = [], []
        for k in range(args.repeat):
            pys.append(grade(paths, as_py, base / f"out-py-{k}", args.jobs))
            nbs.append(grade(paths, as_nb, base / f"out-nb-{k}", args.jobs))
        py = min(pys, key=lambda r: r["without_reference"])
        nb = min(nbs, key=lambda r: r["without_reference"])
        rows = [(".py files", py), ("notebooks", nb)]
        if args.run_all:
            notebook.notebook_to_source.__defaults__ = (None,)  # plan every cell: grading as before
            rows.append(("notebooks, every cell run", grade(paths, as_nb, base / "out-all", args.jobs)))
    print(f"{args.students} students, last cell trains {args.seconds:g} s, {args.jobs} job(s), "
          f"fastest of {args.repeat}; "
          f"exercises: {', '.join(EXERCISES)}")
    for label, r in rows:
        print(f"  {label:28s} wall {r['wall']:7.1f} s   without the reference run {r['without_reference']:7.1f} s"
              f"   scores {r['scores']}")
    print(f"  notes: {nb['notes']}")
    ratio = nb["without_reference"] / py["without_reference"]
    print(f"  ratio notebooks / .py files (without the reference run): {ratio:.3f}; wall: {nb['wall'] / py['wall']:.3f}")


if __name__ == "__main__":
    main()
