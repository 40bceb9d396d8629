"""Benchmark: grading one submission (the quiz exercise), today's path against the shipped reference.

    python bench/bench_single.py [--rounds 3]

- TF import: `python -c "import tensorflow"`, the floor every path pays once;
- before: `grader grade --student ada quiz.py --out OUT` with no cached reference (it runs the
  reference solutions through every probe, then the student's probes), as every run did before;
- cached: the same command once the reference observations are cached in .grader-cache/;
- shipped: the Gradescope autograder's `run_autograder` in a simulated layout,
  using the reference observations computed when the zip was built.
Goal: cached and shipped <= one TF import + 1 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.gradescope.build import build  # noqa: E402
from grader.paths import Paths  # noqa: E402
from grader.reference import cache_file  # noqa: E402


def timed(cmd: list[str], env: dict[str, str]) -> float:
    t = time.perf_counter()
    proc = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{cmd} failed: {proc.stderr[-2000:]}")
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2"}
    quiz = ROOT / "solutions" / "quiz.py"
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        build(Paths(ROOT), tmp / "autograder.zip")
        layout = tmp / "autograder"
        (layout / "source").mkdir(parents=True)
        with zipfile.ZipFile(tmp / "autograder.zip") as zf:
            zf.extractall(layout / "source")
        shutil.copy(layout / "source" / "run_autograder", layout / "run_autograder")
        os.chmod(layout / "run_autograder", 0o755)
        (layout / "submission").mkdir()
        shutil.copy(quiz, layout / "submission" / "quiz.py")
        gs_env = {**env, "GRADER_GRADESCOPE_ROOT": str(layout), "GRADER_PYTHON": sys.executable}
        gs_env.pop("PYTHONPATH")
        tf, today, cached, shipped = [], [], [], []
        student = [sys.executable, "-m", "grader", "grade", "--student", "ada", str(quiz), "--quiet", "--jobs", "1",
                   "--dev-seed"]  # a benchmark: the public seed is fine when the checkout has none
        for i in range(args.rounds):
            tf.append(timed([sys.executable, "-c", "import tensorflow"], env))
            cache_file(ROOT).unlink(missing_ok=True)
            today.append(timed([*student, "--out", str(tmp / f"before{i}")], env))
            cached.append(timed([*student, "--out", str(tmp / f"cached{i}")], env))
            shipped.append(timed([str(layout / "run_autograder")], gs_env))
    fmt = lambda xs: f"median {statistics.median(xs):.2f} s (min {min(xs):.2f}, max {max(xs):.2f}, n={len(xs)})"  # noqa: E731
    print(f"cores={os.cpu_count()} load={os.getloadavg()[0]:.1f}")
    print(f"TF import alone:                       {fmt(tf)}")
    print(f"before: grade --student, no cache:     {fmt(today)}")
    print(f"cached: grade --student, cached ref:   {fmt(cached)}")
    print(f"shipped reference (run_autograder):    {fmt(shipped)}")
    print(f"cached minus TF import:                {statistics.median(cached) - statistics.median(tf):.2f} s")
    print(f"shipped minus TF import:               {statistics.median(shipped) - statistics.median(tf):.2f} s")


if __name__ == "__main__":
    main()
