"""Benchmark: a `grader check --watch` re-check of relu_model against a cold `grader check relu_model`.

    python bench/bench_watch.py [--rounds 5] [--runner sandbox|portable]

Copies the course's exercises/ with the relu_model solution in place into a temp
course, then times
- cold: `python -m grader check relu_model --no-report` as a fresh process (TF import included);
- re-check: with `watch_loop` running (a warm runner), the time from saving
  exercises/relu_model.py to the printed result, and the re-check call alone.
Target: re-check <= 0.5 s on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.commands.watch import recheck, watch_loop  # noqa: E402
from grader.paths import Paths  # noqa: E402
from grader.runner.choice import make_runner  # noqa: E402


def course(tmp: Path) -> Paths:
    (tmp / "exercises").mkdir()
    shutil.copy(ROOT / "solutions" / "relu_model.py", tmp / "exercises" / "relu_model.py")
    (tmp / "pyproject.toml").write_text("[project]\nname = 'bench'\n")
    return Paths(tmp)


def cold(paths: Paths, rounds: int) -> list[float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GRADER_ROOT": str(paths.root)}
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "grader", "check", "relu_model", "--no-report"], env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - t)
    return times


def warm_calls(paths: Paths, rounds: int) -> list[float]:
    times = []
    with make_runner(None, 1) as runner:
        if hasattr(runner, "warm"):
            runner.warm()
        recheck(runner, paths, ("relu_model",), False)
        for _ in range(rounds):
            t = time.perf_counter()
            result, _ = recheck(runner, paths, ("relu_model",), False)
            times.append(time.perf_counter() - t)
            assert result.score == result.max_score, "the solution should pass"
            if hasattr(runner, "warm"):
                runner.warm()  # the next spare, as it would be between two saves
    return times


def save_to_result(paths: Paths, rounds: int) -> list[float]:
    """End to end under watch_loop: save the file, wait for the printed result."""
    printed = threading.Event()
    done = threading.Event()

    def printer(line: str) -> None:
        if line.startswith("[checked"):
            printed.set()

    thread = threading.Thread(target=watch_loop, args=(paths, ("relu_model",)),
                              kwargs={"report": False, "stop": done.is_set, "printer": printer}, daemon=True)
    thread.start()
    printed.wait(300)
    times = []
    target = paths.exercises / "relu_model.py"
    for i in range(rounds):
        time.sleep(1.5)  # a student's pause between saves; lets the portable spare warm up
        printed.clear()
        t = time.perf_counter()
        target.write_text(target.read_text() + f"\n# save {i}\n")
        printed.wait(60)
        times.append(time.perf_counter() - t)
    done.set()
    thread.join(10)
    return times


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--runner", choices=("auto", "sandbox", "portable"), default="auto")
    args = ap.parse_args()
    os.environ["GRADER_RUNNER"] = args.runner
    with tempfile.TemporaryDirectory() as tmp:
        paths = course(Path(tmp))
        c = cold(paths, max(1, args.rounds // 2))
        w = warm_calls(paths, args.rounds)
        e = save_to_result(paths, args.rounds)
    fmt = lambda xs: f"median {statistics.median(xs):.3f} s (min {min(xs):.3f}, max {max(xs):.3f}, n={len(xs)})"  # noqa: E731
    print(f"runner={args.runner} cores={os.cpu_count()} load={os.getloadavg()[0]:.1f}")
    print(f"cold `grader check relu_model`:   {fmt(c)}")
    print(f"warm re-check call:               {fmt(w)}")
    print(f"save -> result under --watch:     {fmt(e)}  (includes {50} ms debounce)")


if __name__ == "__main__":
    main()
