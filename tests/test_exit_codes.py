"""One exit code per meaning, defined once (grader.errors), and the README's table says the same."""

from __future__ import annotations

import re
from pathlib import Path

from grader.authoring.assign import MarkerError
from grader.authoring.examples import ExampleError
from grader.authoring.release import ReleaseError
from grader.errors import (EXIT_CODES, ExitCode, GradedWithErrors, GraderError, NoCourseSeed, OutOfDateError,
                           ReferenceSolutionError, SandboxError, UsageError)
from grader.merge import MergeError
from grader.reference import StaleReference
from grader.rejudge import RejudgeRefused
from grader.storage.observations import ObservationsError
from grader.storage.results import ResultsFileError

ROOT = Path(__file__).resolve().parents[1]


def readme_table() -> dict[int, str]:
    """code -> meaning, from the table under README's "### Exit codes" (`\\|` is a literal bar)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### Exit codes", 1)[1].split("\n#", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        if len(cells) == 2 and cells[0].isdigit():
            assert int(cells[0]) not in rows, f"README lists exit code {cells[0]} twice"
            rows[int(cells[0])] = cells[1]
    return rows


def test_the_readme_table_is_the_code_table() -> None:
    assert readme_table() == {int(code): meaning for code, meaning in EXIT_CODES.items()}


def test_every_code_has_one_meaning_and_no_two_names_share_a_number() -> None:
    assert set(EXIT_CODES) == set(ExitCode)
    assert len(ExitCode.__members__) == len(set(ExitCode))  # an alias would be a second name for one code
    assert len(set(EXIT_CODES.values())) == len(EXIT_CODES)


def test_each_error_kind_has_its_own_code() -> None:
    kinds = {
        UsageError: ExitCode.USAGE, SandboxError: ExitCode.SANDBOX, ReferenceSolutionError: ExitCode.REFERENCE,
        GradedWithErrors: ExitCode.GRADED_WITH_ERRORS, OutOfDateError: ExitCode.OUT_OF_DATE,
        MarkerError: ExitCode.BAD_SOLUTIONS, ExampleError: ExitCode.BAD_SOLUTIONS,
        NoCourseSeed: ExitCode.NO_COURSE_SEED, StaleReference: ExitCode.STALE_REFERENCE,
        MergeError: ExitCode.SHARDS_DISAGREE, RejudgeRefused: ExitCode.REJUDGE_REFUSED,
        ResultsFileError: ExitCode.UNREADABLE_OUTPUT, ObservationsError: ExitCode.UNREADABLE_OUTPUT,
        ReleaseError: ExitCode.RELEASE_REFUSED,
    }
    for kind, code in kinds.items():
        assert kind.exit_code is code, kind.__name__
    # The meanings that used to share 3: the sandbox, a merge refusal, a release refusal, a stale reference.
    assert len({SandboxError.exit_code, MergeError.exit_code, ReleaseError.exit_code, StaleReference.exit_code}) == 4


def test_no_module_sets_a_bare_number_as_an_exit_code() -> None:
    bare = re.compile(r"exit_code\s*=\s*\d")
    offenders = [str(f.relative_to(ROOT)) for f in (ROOT / "grader").rglob("*.py")
                 if bare.search(f.read_text(encoding="utf-8"))]
    assert offenders == []


def test_every_grader_error_class_names_an_exit_code() -> None:
    def subclasses(cls: type) -> list[type]:
        return [cls, *(s for sub in cls.__subclasses__() for s in subclasses(sub))]

    for cls in subclasses(GraderError):
        assert isinstance(cls.exit_code, ExitCode), cls.__name__
        assert cls.exit_code not in (ExitCode.OK, ExitCode.CHECKS_FAILED), cls.__name__
