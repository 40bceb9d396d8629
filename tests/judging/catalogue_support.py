"""The wrong-submission catalogue: a table row type and the runner every catalogue test uses.

Each row names one realistic wrong submission under tests/submissions/wrong/<exercise>/:
either a small file `<name>.py`, or, where the mistake is a small change to a long
reference solution, `<name>.json` = {"about", "base", "edits": [{"old", "new"}]}
applied to that solution (each `old` must occur exactly once, so a changed
solution fails the test loudly instead of silently grading something else);
the check that must lose its points for it, the mistake id and a phrase the
feedback must contain, and the checks that must stay unaffected. The file is
submitted as `<exercise>.py`, graded against that exercise's checks only.

    ROWS = [Wrong("relu_model", "relu_missing", "relu_model.lesson_inputs", "relu_missing", "no ReLU",
                  unaffected=())]

    @pytest.mark.slow
    @pytest.mark.parametrize("row", ROWS, ids=row_id)
    def test_wrong(row, grade_wrong):
        check_row(grade_wrong(row), row)

`grade_wrong` is the fixture below; import it into a test module with
`from catalogue_support import Wrong, check_row, grade_wrong, row_id` (tests/ is on sys.path),
or call `grade_row(runner, reference, all_checks, row)` directly.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from feedback_rules import all_problems

from grader.judging.checks import Check
from grader.authoring.examples import apply_edits
from grader.model import CheckResult, Observation, StudentResult
from grading_support import grade_files
from grader.runner.runner import Runner

ROOT = Path(__file__).resolve().parents[2]
WRONG = ROOT / "tests" / "submissions" / "wrong"


@dataclass(frozen=True)
class Wrong:
    exercise: str
    file: str                     # stem of tests/submissions/wrong/<exercise>/<file>.py
    check: str                    # the check id that must lose its points
    mistake: str | None           # the mistake id its feedback must carry (None: no diagnosis expected)
    phrase: str                   # a phrase its message must contain (case-insensitive)
    unaffected: tuple[str, ...] = ()  # check ids that must still pass
    status: str = "failed"

    @property
    def path(self) -> Path:
        py = WRONG / self.exercise / f"{self.file}.py"
        return py if py.is_file() else py.with_suffix(".json")

    def source(self) -> str:
        """The submitted code: the file itself, or the edited reference solution."""
        if self.path.suffix == ".py":
            return self.path.read_text(encoding="utf-8")
        spec = json.loads(self.path.read_text(encoding="utf-8"))
        base = (ROOT / spec["base"]).read_text(encoding="utf-8")
        return apply_edits(base, [(e["old"], e["new"]) for e in spec["edits"]], str(self.path))


def row_id(row: Wrong) -> str:
    return f"{row.exercise}/{row.file}->{row.check.split('.', 1)[-1]}"


def grade_row(runner: Runner, reference: dict[str, Observation], checks: list[Check], row: Wrong) -> StudentResult:
    mine = [c for c in checks if c.exercise == row.exercise]
    files = {f"{row.exercise}.py": row.source()}
    return grade_files(runner, f"wrong-{row.file}", files, mine, reference)


def check_row(result: StudentResult, row: Wrong) -> None:
    """Assert everything the row promises, with a readable failure."""
    by_id: dict[str, CheckResult] = {c.check_id: c for c in result.checks}
    assert row.check in by_id, f"no check {row.check}; have {sorted(by_id)}"
    hit = by_id[row.check]
    assert hit.score < hit.max_score, f"{row.check} gave full points to {row.file}: {hit.message}"
    assert hit.status == row.status, f"{row.check}: status {hit.status}, wanted {row.status}: {hit.message}"
    assert hit.mistake == row.mistake, f"{row.check}: mistake {hit.mistake!r}, wanted {row.mistake!r}: {hit.message}"
    assert row.phrase.lower() in hit.message.lower(), f"{row.check}: {row.phrase!r} not in {hit.message!r}"
    for cid in row.unaffected:
        assert cid in by_id, f"no check {cid}"
        other = by_id[cid]
        assert other.status == "passed", f"{cid} should be unaffected by {row.file}: {other.status} {other.message}"
    assert_feedback_rules(result)


def assert_feedback_rules(result: StudentResult) -> None:
    """Every check of a real submission's result keeps the feedback rules (feedback_rules.py)."""
    broken = [f"{c.check_id}: {p}" for c in result.checks for p in all_problems(vars(c))]
    assert not broken, "\n".join(broken)


@pytest.fixture
def grade_wrong(runner: Runner, reference: dict[str, Observation],
                all_checks: list[Check]) -> Callable[[Wrong], StudentResult]:
    def grade(row: Wrong) -> StudentResult:
        return grade_row(runner, reference, all_checks, row)
    return grade
