"""Benchmark: our batch engine against the naive way of grading a class.

    python bench/bench_grade.py [--students 50] [--jobs N] [--skip-naive]

Generates a class over the full exercise set (each student's file for an
exercise is the solution, a known mistake, or the stub, drawn with a fixed
seed), then grades it twice:

- engine: `grader.batch.grade_submissions` (zygote-forked sandboxed workers,
  reference computed once, results.json + report.html per student);
- naive: a fresh `python -m pytest` process per student running a small test
  file that imports TensorFlow, loads that student's files and judges them
  in-process with the same checks against the same reference observations
  (computed once, so the naive side is not charged for it). The same number
  of students run at once as engine workers.

Prints students per minute, the ratio, per-student overhead beyond the
probes' own compute (wall time per student minus the probes' durations) and
peak memory (sum of the process tree's proportional set size, sampled).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.sandbox import wire  # noqa: E402
from grader.batch import BatchOptions, grade_submissions  # noqa: E402
from grader.judging.checks import Check, load_checks  # noqa: E402
from grader.discovery.discover import discover  # noqa: E402
from grader.authoring.examples import MUTATIONS, _solutions, _stubs, mutate  # noqa: E402
from grader.paths import Paths  # noqa: E402
from grader.reference import ReferenceProvider  # noqa: E402
from grader.runner import Limits, Runner  # noqa: E402

# The naive grader: one pytest process per student, everything in-process.
NAIVE_TEST = '''
import json, os, sys, tempfile, time
from pathlib import Path

from grader.sandbox import wire
from grader.judging.judge import judge
from grader.judging.checks import load_checks
from grader.sandbox.drivers import DRIVERS
from grader.model import ErrorInfo, Observation
from grader.pipeline import probes_for
from grader.sandbox.tfsupport import tf1
from grader.sandbox.worker import DriverContext, StudentCode


def test_student():
    tf1()
    folder = Path(os.environ["NAIVE_STUDENT"])
    files = {p.name: p.read_text() for p in sorted(folder.glob("*.py"))}
    code = StudentCode(files)
    sys.meta_path.append(code)
    for name in code.file_names():
        try:
            __import__(code.module_for(name))
        except Exception:
            pass
    raw = wire.decode(Path(os.environ["NAIVE_REFERENCE"]).read_bytes())
    reference = {pid: Observation(pid, value=v) for pid, v in raw.items()}
    only = os.environ.get("NAIVE_EXERCISES")
    checks = load_checks(tuple(only.split(",")) if only else None)
    observations, probe_time = {}, 0.0
    with tempfile.TemporaryDirectory() as work:
        for p in probes_for(checks):
            ctx = DriverContext(code, Path(work), p.exercise)
            started = time.perf_counter()
            args = dict(p.args)
            if p.needs is not None:  # an artifact probe: here, in the same process
                needed = observations.get(p.needs)
                args["artifact"] = needed.value if needed is not None else None
            try:
                value = wire.from_jsonable(wire.to_jsonable(DRIVERS[p.driver](ctx, **args)))
                observations[p.id] = Observation(p.id, value=value)
            except Exception as exc:
                observations[p.id] = Observation(p.id, error=ErrorInfo(type(exc).__name__, str(exc)))
            probe_time += time.perf_counter() - started
    results = [judge(c, observations, reference) for c in checks]
    Path(os.environ["NAIVE_OUT"]).write_text(json.dumps(
        {"score": sum(r.score for r in results), "probe_time": probe_time}))
'''


class MemorySampler(threading.Thread):
    """Peak of the summed PSS of this process and all its descendants."""

    def __init__(self, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.peak_kb = 0
        self._halt = threading.Event()

    @staticmethod
    def _tree(root: int) -> list[int]:
        children: dict[int, list[int]] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
        out, todo = [], [root]
        while todo:
            pid = todo.pop()
            out.append(pid)
            todo.extend(children.get(pid, []))
        return out

    @staticmethod
    def _pss_kb(pid: int) -> int:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        return int(line.split()[1])
        except OSError:
            pass
        return 0

    def run(self) -> None:
        while not self._halt.is_set():
            total = sum(self._pss_kb(p) for p in self._tree(os.getpid()))
            self.peak_kb = max(self.peak_kb, total)
            self._halt.wait(self.interval)

    def stop(self) -> int:
        self._halt.set()
        self.join()
        return self.peak_kb


def make_class(paths: Paths, dest: Path, n: int, seed: int = 7) -> None:
    """n students; each exercise file is the solution (60%), a known mistake (20%) or the stub (20%)."""
    solutions = _solutions(paths)
    stubs = _stubs(paths, solutions)
    mistakes = {m.file: mutate(solutions[m.file], m) for m in MUTATIONS}
    rng = random.Random(seed)
    for i in range(n):
        folder = dest / f"student{i:03d}"
        folder.mkdir(parents=True)
        for name in solutions:
            roll = rng.random()
            if roll < 0.6 or (roll < 0.8 and name not in mistakes):
                code = solutions[name]
            elif roll < 0.8:
                code = mistakes[name]
            else:
                code = stubs[name]
            (folder / name).write_text(code, encoding="utf-8")


def _checks(exercises: tuple[str, ...] | None) -> list[Check]:
    return load_checks(exercises)


def bench_engine(paths: Paths, subs_dir: Path, out: Path, jobs: int,
                 exercises: tuple[str, ...] | None) -> dict[str, Any]:
    subs = discover(subs_dir)
    sampler = MemorySampler()
    sampler.start()
    started = time.monotonic()
    report = grade_submissions(subs, paths, BatchOptions(out=out, jobs=jobs, progress="quiet"),
                               _checks(exercises), hidden=[subs_dir])
    wall = time.monotonic() - started
    peak = sampler.stop()
    n = len(report.graded)
    return {
        "wall": wall, "students": n, "per_min": n / wall * 60,
        "reference": report.reference_time,
        # Each worker's own wall time minus its probes, plus judging and writing here.
        "overhead": (report.run_time - report.probe_time + report.post_time) / n,
        # The throughput view: slot-seconds per student not spent inside probes.
        "overhead_slots": (wall * jobs - report.probe_time) / n,
        "probe_time": report.probe_time / n,
        "worker_extra": (report.run_time - report.probe_time) / n,
        "post": report.post_time / n,
        "peak_mb": peak / 1024,
        "scores": {s: r.score for s, r in report.results.items()},
    }


def bench_naive(paths: Paths, subs_dir: Path, work: Path, jobs: int,
                exercises: tuple[str, ...] | None) -> dict[str, Any]:
    checks = _checks(exercises)
    with Runner(Limits(), 1) as runner:
        reference = ReferenceProvider(solutions=paths.solutions).obtain(runner, checks) or {}
    ref_file = work / "reference.json"
    ref_file.write_bytes(wire.encode({pid: o.value for pid, o in reference.items()}))
    test_file = work / "test_naive.py"
    test_file.write_text(NAIVE_TEST)
    students = sorted(p for p in subs_dir.iterdir() if p.is_dir())
    env = {**os.environ, "NAIVE_REFERENCE": str(ref_file), "TF_CPP_MIN_LOG_LEVEL": "3",
           "PYTHONPATH": str(ROOT), "NAIVE_EXERCISES": ",".join(exercises or ())}

    def one(folder: Path) -> tuple[float, dict[str, float]]:
        out = work / f"{folder.name}.json"
        started = time.monotonic()
        subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test_file)],
                       env={**env, "NAIVE_STUDENT": str(folder), "NAIVE_OUT": str(out)},
                       cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        wall = time.monotonic() - started
        data = json.loads(out.read_text()) if out.is_file() else {"score": float("nan"), "probe_time": 0.0}
        return wall, data

    sampler = MemorySampler()
    sampler.start()
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        runs = list(pool.map(one, students))
    wall = time.monotonic() - started
    peak = sampler.stop()
    n = len(runs)
    probe = sum(d["probe_time"] for _, d in runs)
    return {
        "wall": wall, "students": n, "per_min": n / wall * 60,
        "overhead": (sum(w for w, _ in runs) - probe) / n,
        "overhead_slots": (wall * jobs - probe) / n,
        "probe_time": probe / n,
        "peak_mb": peak / 1024,
        "scores": {f.name: d["score"] for f, (_, d) in zip(students, runs)},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=50)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--skip-naive", action="store_true", help="time the engine only")
    parser.add_argument("--exercises", help="comma-separated exercises to grade (default: all)")
    args = parser.parse_args()
    exercises = tuple(args.exercises.split(",")) if args.exercises else None
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    paths = Paths(ROOT)
    with tempfile.TemporaryDirectory(prefix="grader-bench-") as tmp:
        work = Path(tmp)
        make_class(paths, work / "class", args.students)
        print(f"class: {args.students} students, {len(_checks(exercises))} checks, {args.jobs} jobs", flush=True)
        engine = bench_engine(paths, work / "class", work / "out", args.jobs, exercises)
        print(f"engine done in {engine['wall']:.1f} s", flush=True)
        naive = None
        if not args.skip_naive:
            (work / "naive").mkdir()
            naive = bench_naive(paths, work / "class", work / "naive", args.jobs, exercises)
            print(f"naive done in {naive['wall']:.1f} s", flush=True)
    rows = [("students/min", "per_min", "{:.1f}"), ("wall (s)", "wall", "{:.1f}"),
            ("probe compute / student (s)", "probe_time", "{:.3f}"),
            ("overhead / student (s)", "overhead", "{:.3f}"),
            ("slot-s not in probes / student", "overhead_slots", "{:.3f}"),
            ("peak memory, PSS (MiB)", "peak_mb", "{:.0f}")]
    print()
    print(f"{'':32} {'engine':>10} {'naive':>10}")
    for label, key, fmt in rows:
        naive_cell = fmt.format(naive[key]) if naive else "-"
        print(f"{label:32} {fmt.format(engine[key]):>10} {naive_cell:>10}")
    print(f"{'reference, once (s)':32} {engine['reference']:>10.1f}")
    if naive:
        ratio = engine["per_min"] / naive["per_min"]
        print(f"\nthroughput ratio engine/naive: {ratio:.1f}x (target >= 5x)")
        differ = [s for s in engine["scores"] if engine["scores"][s] != naive["scores"].get(s)]
        print(f"students scored differently by the two ways: {len(differ)} {differ[:5]}")
    print(f"engine overhead per student: {engine['overhead']:.3f} s (target < 0.2 s): "
          f"{engine['worker_extra']:.3f} s in the worker outside probes (fork, sandbox, loading files), "
          f"{engine['post']:.3f} s judging and writing results.json + report.html")
    return 0


if __name__ == "__main__":
    sys.exit(main())
