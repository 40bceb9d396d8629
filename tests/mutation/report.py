"""Run mutmut over the pure modules and print the mutation score.

    python tests/mutation/report.py                       # every module in setup.cfg [mutmut] only_mutate
    python tests/mutation/report.py grader/reports/views.py grader/judging/score.py
    python tests/mutation/report.py --max-children 1 --keep   # reuse ./mutants from the last run

mutmut reads its settings from setup.cfg (the fast suite drives it). A fresh run starts
from an empty ./mutants, so no verdict is cached from older code or older tests. Modules
given on the command line restrict the run (and the score) to their mutants.

Entries of tests/mutation/equivalent.txt are keyed by module, function and change (explain.py), and
an entry that matches no survivor of the modules run is printed as stale.

Killed counts mutants a test failed on, timed out on or crashed on; every other outcome,
including "no tests" (no fast test even calls the mutated function), counts as a survivor.
The last line is always `mutation score: X% (K of N mutants killed)`.
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import explain  # tests/mutation/explain.py, beside this script

ROOT = Path(__file__).resolve().parents[2]
KILLED = {"killed", "timeout", "segfault", "caught by type check"}
NOT_RUN = {"not checked", "skipped", "check was interrupted by user"}


def mutant_glob(module: str) -> str:
    """`grader/reports/views.py` -> `grader.reports.views.*` (mutmut names mutants by module)."""
    dotted = module.removesuffix(".py").replace("/", ".").replace("*", "")
    return dotted.rstrip(".") + ".*"


def module_of(mutant: str) -> str:
    """`grader.sandbox.wire.x_decode__mutmut_3` -> `grader.sandbox.wire` (methods are `xǁClassǁname`)."""
    return mutant.split(".x_")[0].split(".xǁ")[0]


def mutmut(*args: str, log: Path | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # tests must import ./mutants, not the tree
    cmd = [sys.executable, "-m", "mutmut", *args]
    if log is None:
        return subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout
    with log.open("w") as out:
        code = subprocess.run(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT).returncode
    if code != 0:
        sys.exit(f"mutmut {' '.join(args)} failed with exit code {code}; see {log}")
    return ""


def statuses() -> dict[str, str]:
    """mutant name -> status, from `mutmut results --all true` ("    name: status" lines)."""
    found = {}
    for line in mutmut("results", "--all", "true").splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep and name:
            found[name] = status
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("modules", nargs="*", help="module paths to restrict to (default: all in setup.cfg)")
    parser.add_argument("--max-children", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="reuse ./mutants (cached verdicts) instead of starting fresh")
    args = parser.parse_args(argv)

    globs = [mutant_glob(m) for m in args.modules]
    if not args.keep:
        shutil.rmtree(ROOT / "mutants", ignore_errors=True)
    log = Path(os.environ.get("MUTMUT_LOG", "/tmp/mutmut-run.log"))
    started = time.monotonic()
    mutmut("run", "--max-children", str(args.max_children), *globs, log=log)
    elapsed = time.monotonic() - started

    found = {n: s for n, s in statuses().items() if not globs or any(fnmatch.fnmatch(n, g) for g in globs)}
    unrun = sorted(n for n, s in found.items() if s in NOT_RUN)
    if unrun:
        print(f"{len(unrun)} mutants were not run (e.g. {unrun[0]}); see {log}", file=sys.stderr)
        return 1
    survivors = sorted((n, s) for n, s in found.items() if s not in KILLED)
    per_module: Counter[str] = Counter()
    totals = Counter(module_of(n) for n in found)
    for name, status in survivors:
        print(f"  {status:10} {name}")
        per_module[module_of(name)] += 1
    print("survivors per module:")
    for module, count in per_module.most_common():
        print(f"  {module}: {count} of {totals[module]}")
    run_modules = {module_of(n) for n in found} if globs else None  # a partial run judges only its own entries
    text, equivalent, gaps, unused = explain.table([(n, s) for n, s in survivors], run_modules)
    listing = ROOT / "mutants" / "survivors.md"
    listing.write_text(text, encoding="utf-8")
    print(f"survivors: {equivalent} explained as equivalent, {gaps} not yet told apart by a test; "
          f"each with its change and reason in {listing.relative_to(ROOT)}")
    for entry in unused:
        print(f"  stale entry of equivalent.txt: {entry.module} {entry.function}: {entry.was[:60]!r} -> "
              f"{entry.became[:60]!r}")
    print(f"equivalent.txt: {len(unused)} stale entries (they match no survivor of this run)")
    killed, total = len(found) - len(survivors), len(found)
    print(f"mutmut ran {total} mutants in {elapsed:.0f} s")
    print(f"mutation score: {100.0 * killed / total if total else 0.0:.1f}% ({killed} of {total} mutants killed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
