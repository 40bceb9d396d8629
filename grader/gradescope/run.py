"""`run_autograder`'s body: grade /autograder/submission into /autograder/results/results.json.

    python -m grader.gradescope.run

`GRADER_GRADESCOPE_ROOT` replaces `/autograder` (tests run a simulated layout).
The course seed shipped in the zip (`seed/.grader-seed`, root-only) is what the
hidden checks are rebuilt from, whatever the environment says, so they match the
shipped reference observations (`reference/observations.json`). A reference that
does not match the checks is run afresh from the solutions when they are shipped;
otherwise the autograder says it must be rebuilt. Whatever happens, a results.json
is written: a broken autograder shows the student a message instead of Gradescope's
generic error.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from dataclasses import replace
from pathlib import Path

from grader.errors import GraderError
from grader.model import StudentResult
from grader.reports.gradescope_text import write_result
from grader.storage.atomic import atomic_write_text

ROOT_VAR = "GRADER_GRADESCOPE_ROOT"
SOURCE = Path(__file__).resolve().parents[2]      # /autograder/source: holds grader/ and reference/
REFERENCE_FILE = Path("reference") / "observations.json"
SEED_FILE = Path("seed") / ".grader-seed"


def use_shipped_seed(source: Path) -> bool:
    """Take the course seed from the zip (before any hidden check is built); False when none shipped.

    Set in this process's environment only: the runners pass no GRADER_* secret on to the
    workers that run student code, and the file itself is covered in their mount namespace.
    """
    from grader.judging.oracles.secret import ENV

    try:
        text = (source / SEED_FILE).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return False
    if not text:
        return False
    os.environ[ENV] = text
    return True


def root() -> Path:
    return Path(os.environ.get(ROOT_VAR, "/autograder"))


def _student_id(autograder: Path) -> str:
    """The submitter's id from submission_metadata.json, else "submission"."""
    try:
        meta = json.loads((autograder / "submission_metadata.json").read_text(encoding="utf-8"))
        users = meta.get("users") or []
        return str(users[0].get("email") or users[0].get("name") or "submission")
    except (OSError, ValueError, AttributeError, IndexError, TypeError):
        return "submission"


def grade(autograder: Path, source: Path = SOURCE) -> StudentResult:
    from grader.discovery.discover import read_submission
    from grader.grading import grade_one
    from grader.judging.checks import load_checks
    from grader.reference import ReferenceProvider
    from grader.runner import isolation
    from grader.runner.runner import Limits
    from grader.runner.choice import make_runner

    submission = autograder / "submission"
    if not use_shipped_seed(source):
        print("grader: the zip ships no course seed; rebuild it with `grader gradescope`", file=sys.stderr)
    sub = read_submission(submission, _student_id(autograder))
    checks = load_checks()
    # The shipped observations; when stale, the shipped solutions run first (else StaleReference).
    provider = ReferenceProvider(shipped=source / REFERENCE_FILE, solutions=source / "solutions")
    provider = provider.settle(checks)  # a stale autograder is refused before any worker starts
    hidden = [submission, source / "reference", source / "seed", source / "solutions", autograder / "results"]
    _close_to_others([*hidden, source / "grader" / "judging"])
    need = replace(isolation.GRADESCOPE, allow_weak=isolation.allowed_by_env())
    selected = make_runner(Limits(), 1, hidden_paths=[h for h in hidden if h.exists()], need=need)
    with selected as runner:
        # The same rule as `grader grade`: X.py and X.ipynb both changed -> the better of the two.
        result = grade_one(runner, sub, checks, provider, run_empty=False)
        return replace(result, isolation=selected.level.label() if selected.level else "")


def _close_to_others(paths: list[Path]) -> None:
    """Gradescope's container is root that may not unshare (isolation level `container`): there
    workers, each its own uid, are kept out only by permissions. This copy is the container's own."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return
    for path in paths:
        try:
            path.chmod(path.stat().st_mode & ~0o007)
        except OSError:
            pass  # absent: nothing to hide


def failure_document(message: str) -> dict[str, object]:
    """results.json when the autograder itself failed: zero, with a message for the student."""
    return {"score": 0.0, "output": f"The autograder could not grade this submission: {message}\n"
            "Please tell your instructor.", "visibility": "visible", "stdout_visibility": "hidden", "tests": []}


def main() -> int:
    autograder = root()
    results = autograder / "results" / "results.json"
    results.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    try:
        result = grade(autograder)
        result = replace(result, execution_time=time.monotonic() - started)
        write_result(result, results)
        print(f"graded {result.student_id}: {result.score:g}/{result.max_score:g} "
              f"in {time.monotonic() - started:.1f} s")
        return 0
    except (GraderError, OSError, RuntimeError) as exc:
        traceback.print_exc()
        atomic_write_text(results, json.dumps(failure_document(str(exc)), indent=1) + "\n")
        return 1


if __name__ == "__main__":
    sys.exit(main())
