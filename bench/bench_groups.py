"""Benchmark: what probe groups and artifact verification cost per student.

    python bench/bench_groups.py [--students 8] [--jobs N] [--exercises a,b] [--rounds 1]

Generates the same kind of class as bench_grade.py and runs it through the
runner three ways in one process, one after the other (in rounds, to spread
the noise of a busy machine):

- one worker: every probe in the student's one worker (`Runner(isolate_groups=False)`),
  as before groups existed;
- groups: hidden probes in a worker of their own, forked while the student's runs;
- groups + artifact: also the save_restore checkpoint restored and scored in a
  clean worker (`verify_checkpoint`, a probe with `needs`).

Checks that declare no groups yet get the convention applied here (a hidden
check's probes go in group "hidden"); the artifact probe is added here unless a
check already declares one. Prints wall time and slot-seconds per student per
way, the difference, and whether any student's score differs between the ways.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_grade import make_class  # noqa: E402
from grader.judging.checks import Check, load_checks  # noqa: E402
from grader.judging.judge import judge_all  # noqa: E402
from grader.judging.score import score_student  # noqa: E402
from grader.model import Observation, Probe  # noqa: E402
from grader.paths import Paths  # noqa: E402
from grader.pipeline import probes_for, read_python_files  # noqa: E402
from grader.reference import ReferenceProvider  # noqa: E402
from grader.runner import Limits, Runner  # noqa: E402

SAVE_PROBE = "save_restore.save"
VERIFY = Probe("save_restore.bench_verify", "verify_checkpoint", {"splits": ["test"]}, timeout=60.0,
               exercise="save_restore", group="artifact", needs=SAVE_PROBE)


def grouped(checks: list[Check]) -> list[Check]:
    """The checks with the group convention applied where they declare none."""
    if any(p.group != "main" for c in checks for p in c.probes):
        return checks
    return [replace(c, probes=tuple(replace(p, group="hidden") for p in c.probes))
            if c.visibility == "hidden" else c for c in checks]


def ways(checks: list[Check]) -> dict[str, tuple[bool, list[Probe]]]:
    """name -> (isolate groups, probes) for the three ways."""
    with_groups = probes_for(grouped(checks))
    plain = [p for p in with_groups if p.needs is None]
    artifact = list(with_groups)
    if not any(p.needs for p in artifact) and any(p.id == SAVE_PROBE for p in artifact):
        artifact.append(VERIFY)
    return {"one worker": (False, plain), "groups": (True, plain), "groups + artifact": (True, artifact)}


def run_way(students: dict[str, dict[str, str]], probes: list[Probe], isolate: bool, jobs: int,
            hidden: list[Path]) -> dict[str, Any]:
    with Runner(Limits(), jobs, hidden_paths=hidden, isolate_groups=isolate) as runner:
        assert runner.zygote is not None
        cpu_before = workers_cpu(runner.zygote.pid)
        started = time.monotonic()
        outcomes = dict(runner.run_many((sid, files, probes) for sid, files in students.items()))
        wall = time.monotonic() - started
        time.sleep(0.5)  # the zygote reaps the last workers
        cpu = workers_cpu(runner.zygote.pid) - cpu_before
    n = len(students)
    return {"wall": wall, "per_student": wall / n, "slot_s": wall * jobs / n, "cpu_s": cpu / n,
            "worker_s": sum(o.duration for o in outcomes.values()) / n, "outcomes": outcomes}


def workers_cpu(zygote: int) -> float:
    """CPU seconds of every worker the zygote has reaped: less sensitive to a busy machine than wall time."""
    fields = Path(f"/proc/{zygote}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")  # cutime + cstime


def scores(checks: list[Check], reference: dict[str, Observation], run: dict[str, Any]) -> dict[str, float]:
    return {sid: score_student(sid, judge_all(checks, o.observations, reference), o).score
            for sid, o in run["outcomes"].items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=8)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--exercises", help="comma-separated exercises (default: all)")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    paths = Paths(ROOT)
    checks = load_checks(tuple(args.exercises.split(",")) if args.exercises else None)
    with tempfile.TemporaryDirectory(prefix="grader-bench-groups-") as tmp:
        folder = Path(tmp) / "class"
        make_class(paths, folder, args.students)
        students = {p.name: read_python_files(p) for p in sorted(folder.iterdir())}
        with Runner(Limits(), 1) as runner:
            reference = ReferenceProvider(solutions=paths.solutions).obtain(runner, checks) or {}
        plan = ways(checks)
        print(f"class: {args.students} students, {len(checks)} checks, {args.jobs} jobs, "
              f"{args.rounds} round(s); probes per way: "
              + ", ".join(f"{k} {len(v[1])}" for k, v in plan.items()), flush=True)
        results: dict[str, list[dict[str, Any]]] = {name: [] for name in plan}
        for _ in range(args.rounds):
            for name, (isolate, probes) in plan.items():
                results[name].append(run_way(students, probes, isolate, args.jobs, [folder]))
                print(f"  {name}: {results[name][-1]['wall']:.1f} s", flush=True)
    # Each figure at its best over the rounds: the least disturbed by the machine's other work.
    best = {name: {key: min(r[key] for r in runs) for key in ("per_student", "slot_s", "cpu_s", "worker_s")}
            | {"outcomes": min(runs, key=lambda r: r["wall"])["outcomes"]} for name, runs in results.items()}
    base = best["one worker"]
    print(f"\n{'':20} {'wall/student':>13} {'slot-s/student':>15} {'cpu-s/student':>14} "
          f"{'slot-s vs one':>14} {'cpu-s vs one':>13}")
    for name, r in best.items():
        print(f"{name:20} {r['per_student']:>12.2f}s {r['slot_s']:>14.2f}s {r['cpu_s']:>13.2f}s "
              f"{r['slot_s'] - base['slot_s']:>+13.2f}s {r['cpu_s'] - base['cpu_s']:>+12.2f}s")
    # Scores compared on the checks every way can judge (the first two run no artifact probes).
    common = [c for c in checks if not any(p.needs for p in c.probes)]
    marks = {name: scores(common, reference, r) for name, r in best.items()}
    differ = sorted(s for s in marks["one worker"] if len({m[s] for m in marks.values()}) > 1)
    print(f"students scored differently between the ways ({len(common)} checks): {len(differ)} {differ[:5]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
